import { hostProblem, renderHost } from '../api/values/hosts';
import type { IngressBackend, IngressPath, IngressRule, IngressSpec } from './k8s-types';
import { clone, type KubeObject } from './objects';

// A copied Ingress serves the environment's own hosts, never production's:
// each rule's host comes from the template with {{service}} set to the rule's
// backend Service. Annotations that would order certificates or DNS records
// for production's names are dropped; TLS uses the shared certificate.

/** Annotations that act on the hosts an Ingress names (ACME orders, DNS records). */
const HOST_ANNOTATIONS = [
  'cert-manager.io/cluster-issuer',
  'cert-manager.io/issuer',
  'cert-manager.io/common-name',
  'kubernetes.io/tls-acme',
  'external-dns.alpha.kubernetes.io/hostname',
  'external-dns.alpha.kubernetes.io/target',
  'nginx.ingress.kubernetes.io/server-alias',
];

export interface IngressHosting {
  hostTemplate: string;
  environment: string;
  namespace: string;
  /** Name of the TLS Secret in the target namespace; absent means plain HTTP. */
  tlsSecretName?: string;
  className?: string;
}

export class HostTemplateError extends Error {
  override name = 'HostTemplateError';
}

export interface HostedIngress {
  ingress: KubeObject;
  hosts: string[];
  urls: string[];
}

export function hostIngress(ingress: KubeObject, hosting: IngressHosting): HostedIngress {
  const copy = clone(ingress);
  const spec = (copy.spec ?? {}) as IngressSpec;
  const rules = [...(spec.rules ?? [])];
  if (spec.defaultBackend) {
    rules.push({ http: { paths: [{ path: '/', pathType: 'Prefix', backend: spec.defaultBackend }] } });
    delete spec.defaultBackend;
  }
  spec.rules = mergeByHost(rules.map((rule) => ({ ...rule, host: hostFor(rule, ingress.metadata.name, hosting) })));
  const hosts = spec.rules.map((rule) => rule.host).filter((h): h is string => h !== undefined);
  if (hosting.tlsSecretName) spec.tls = [{ hosts, secretName: hosting.tlsSecretName }];
  else delete spec.tls;
  if (hosting.className) spec.ingressClassName = hosting.className;
  copy.spec = spec;
  const annotations = Object.entries(copy.metadata.annotations ?? {}).filter(
    ([key]) => !HOST_ANNOTATIONS.includes(key),
  );
  if (annotations.length > 0) copy.metadata.annotations = Object.fromEntries(annotations);
  else delete copy.metadata.annotations;
  const scheme = hosting.tlsSecretName ? 'https' : 'http';
  return { ingress: copy, hosts, urls: hosts.map((host) => `${scheme}://${host}/`) };
}

function hostFor(rule: IngressRule, ingressName: string, hosting: IngressHosting): string {
  const service = backendName(rule.http?.paths[0]?.backend) ?? ingressName;
  const host = renderHost(hosting.hostTemplate, {
    service,
    environment: hosting.environment,
    namespace: hosting.namespace,
  });
  const problem = hostProblem(host);
  if (problem) throw new HostTemplateError(problem);
  return host;
}

function backendName(backend: IngressBackend | undefined): string | undefined {
  return backend?.service?.name ?? backend?.resource?.name;
}

/** Production hosts that lead to the same Service (shop.example.com, www.shop.example.com) become one host. */
function mergeByHost(rules: IngressRule[]): IngressRule[] {
  const byHost = new Map<string, IngressRule>();
  for (const rule of rules) {
    const key = rule.host ?? '';
    const existing = byHost.get(key);
    if (!existing) {
      byHost.set(key, clone(rule));
      continue;
    }
    const paths = existing.http?.paths ?? [];
    for (const path of rule.http?.paths ?? []) {
      if (!paths.some((p) => samePath(p, path))) paths.push(clone(path));
    }
    existing.http = { ...existing.http, paths };
  }
  return [...byHost.values()];
}

function samePath(a: IngressPath, b: IngressPath): boolean {
  return (a.path ?? '') === (b.path ?? '') && (a.pathType ?? '') === (b.pathType ?? '');
}
