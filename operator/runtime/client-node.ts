import type * as ClientNode from '@kubernetes/client-node' with { 'resolution-mode': 'import' };

// @kubernetes/client-node 1.4 is published as an ES module. Node 20.19+ can
// require() it, but TypeScript's `module: node16` refuses a static import of an
// ES module from CommonJS, so the package is loaded here, once, and its types
// are re-exported for the rest of the operator.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const clientNode = require('@kubernetes/client-node') as typeof ClientNode;

export const KubeConfig = clientNode.KubeConfig;
export type KubeConfig = ClientNode.KubeConfig;
// The operator's own object model (./object.ts: JSON as the server sends it),
// not client-node's, whose models carry Date fields a raw JSON read never has.
export type { KubernetesObject, KubeObject, ObjectMeta, OwnerReference } from './object';
export type V1Lease = ClientNode.V1Lease;
export type V1ConfigMap = ClientNode.V1ConfigMap;
export type V1Namespace = ClientNode.V1Namespace;
export type V1ObjectMeta = ClientNode.V1ObjectMeta;

/** A kubeconfig from a file, or the usual default chain (KUBECONFIG, ~/.kube/config, in-cluster). */
export function loadKubeConfig(path?: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (path) kubeConfig.loadFromFile(path);
  else kubeConfig.loadFromDefault();
  return kubeConfig;
}

/** The namespace the kubeconfig's current context names, as kubectl uses by default; undefined when it names none. */
export function contextNamespace(kubeConfig: KubeConfig): string | undefined {
  return kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace || undefined;
}
