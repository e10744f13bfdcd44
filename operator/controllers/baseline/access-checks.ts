import type { BaselineSpec } from '../../api/baseline';

// What the operator must be able to read for a Baseline to work, as
// resource attributes for SelfSubjectAccessReviews. Pure: the reconciler
// asks the API server, which is the only judge of the operator's rights.

export interface AccessNeed {
  /** Which condition the need belongs to. */
  condition: 'SourceReadable' | 'SecretsReadable';
  /** What it is for, for the message. */
  purpose: string;
  namespace: string;
  verb: 'get' | 'list';
  group: string;
  resource: string;
  name?: string;
}

export function accessNeeds(spec: BaselineSpec, operatorNamespace: string): AccessNeed[] {
  const needs: AccessNeed[] = [];
  const source = spec.source;
  const namespace = source.namespace ?? '';
  if (source.cluster) {
    needs.push({
      condition: 'SourceReadable',
      purpose: "the remote cluster's kubeconfig",
      namespace: operatorNamespace,
      verb: 'get',
      group: '',
      resource: 'secrets',
      name: source.cluster.kubeconfigSecretRef.name,
    });
  } else if (source.manifests) {
    const ref = source.manifests.configMapRef;
    needs.push({
      condition: 'SourceReadable',
      purpose: 'the rendered manifests',
      namespace: ref.namespace,
      verb: 'get',
      group: '',
      resource: 'configmaps',
      name: ref.name,
    });
  } else {
    needs.push({
      condition: 'SourceReadable',
      purpose: 'the production workloads',
      namespace,
      verb: 'list',
      group: 'apps',
      resource: 'deployments',
    });
    if (spec.secrets.maxPolicy !== 'Omit')
      needs.push({
        condition: 'SecretsReadable',
        purpose: `production Secrets (secrets.maxPolicy ${spec.secrets.maxPolicy})`,
        namespace,
        verb: 'list',
        group: '',
        resource: 'secrets',
      });
  }
  const tls = spec.ingress?.tlsSecretRef;
  if (tls)
    needs.push({
      condition: 'SecretsReadable',
      purpose: 'the TLS certificate',
      namespace: tls.namespace,
      verb: 'get',
      group: '',
      resource: 'secrets',
      name: tls.name,
    });
  for (const database of spec.data?.databases ?? []) {
    const ref = database.connectionSecretRef;
    needs.push({
      condition: 'SecretsReadable',
      purpose: `database ${database.name}'s connection`,
      namespace: ref.namespace,
      verb: 'get',
      group: '',
      resource: 'secrets',
      name: ref.name,
    });
  }
  const token = spec.data?.prometheus?.bearerTokenSecretRef;
  if (token)
    needs.push({
      condition: 'SecretsReadable',
      purpose: 'the Prometheus token',
      namespace: token.namespace,
      verb: 'get',
      group: '',
      resource: 'secrets',
      name: token.name,
    });
  return needs;
}

export function describeNeed(need: AccessNeed): string {
  const what = need.name
    ? `${need.resource.replace(/s$/, '')} ${need.namespace}/${need.name}`
    : `${need.resource} in namespace ${need.namespace}`;
  return `${need.verb} ${what} (${need.purpose})`;
}
