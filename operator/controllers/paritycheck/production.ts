import type { BaselineSpec } from '../../api/baseline';
import { labelSelectorString } from '../../environment/selectors';
import { ManifestSourceError, manifestsFromConfigMap } from '../../environment/manifests';
import type { KubeObject } from '../../environment/objects';
import { Kinds } from '../../kinds';
import { PrometheusClient, type MetricsSource } from '../../parity/behaviour/prometheus';
import { readSecretKey } from '../../parity/sources/cluster-reader';
import { KubeObjectSource } from '../../parity/sources/kube';
import { ManifestObjectSource } from '../../parity/sources/manifests';
import { namespaceExists } from '../../parity/sources/namespaces';
import type { ObjectSource } from '../../parity/sources/objects';
import { KubeClient } from '../../runtime/kube-client';
import type { ReconcileContext } from '../../runtime/reconciler';
import { parseSafeKubeconfig, toKubeConfig } from '../../runtime/safe-kubeconfig';
import { readBaselineSecret, type GrantedBaseline } from '../baseline-access';
import type { Blocked } from './resolve';

// Production, as the Baseline describes it and only as it does: its namespace
// here (restricted to its selector), its rendered manifests, or its namespace
// in another cluster through a kubeconfig the admin put in the operator's own
// namespace — parsed into a safe subset, never handed to client-node whole.

export interface OpenedProduction {
  ok: true;
  namespace: string;
  objects: () => ObjectSource;
}

type Client = Pick<ReconcileContext, 'client'>;

function selectorOf(spec: BaselineSpec): string | undefined {
  return spec.source.selector ? labelSelectorString(spec.source.selector) || undefined : undefined;
}

const blocked = (reason: Blocked['reason'], message: string): Blocked => ({ ok: false, reason, message });

async function remote(
  ctx: Client,
  baseline: GrantedBaseline,
  operatorNamespace: string,
): Promise<OpenedProduction | Blocked> {
  const { spec, name } = baseline;
  const ref = spec.source.cluster!.kubeconfigSecretRef;
  const namespace = spec.source.namespace!;
  const field = `Baseline ${name} spec.source.cluster.kubeconfigSecretRef`;
  let text: string;
  try {
    text = await readSecretKey(ctx.client, operatorNamespace, ref.name, ref.key, field);
  } catch (err) {
    return blocked('SourceUnavailable', (err as Error).message);
  }
  const parsed = parseSafeKubeconfig(text, `Secret ${operatorNamespace}/${ref.name}, key ${ref.key}`);
  if (!parsed.ok) return blocked('InvalidBaseline', `${field}: ${parsed.message}; ask the Baseline's admin`);
  const client = new KubeClient(toKubeConfig(parsed.config), { requestTimeoutMs: 15_000 });
  const description = `production cluster (${parsed.config.cluster.server})`;
  let exists: boolean | undefined;
  try {
    // undefined (HTTP 403): credentials allowed to list objects but not to get namespaces still compare.
    exists = await namespaceExists(client, namespace);
  } catch (err) {
    return blocked('SourceUnavailable', `cannot reach the ${description}: ${(err as Error).message}`);
  }
  if (exists === false)
    return blocked(
      'ProductionNotFound',
      `Baseline ${name}: namespace ${namespace} (spec.source.namespace) does not exist in the ${description}; nothing to compare with`,
    );
  return { ok: true, namespace, objects: () => new KubeObjectSource(client, description, selectorOf(spec)) };
}

async function manifests(ctx: Client, baseline: GrantedBaseline): Promise<OpenedProduction | Blocked> {
  const { spec, name } = baseline;
  const ref = spec.source.manifests!.configMapRef;
  const where = `ConfigMap ${ref.namespace}/${ref.name}`;
  const configMap = await ctx.client.get<KubeObject & { apiVersion: string; kind: string }>({
    ...Kinds.ConfigMap,
    namespace: ref.namespace,
    name: ref.name,
  });
  if (!configMap)
    return blocked(
      'ProductionNotFound',
      `Baseline ${name}: the manifests ${where} (spec.source.manifests.configMapRef) do not exist; nothing to compare with`,
    );
  try {
    const objects = manifestsFromConfigMap(configMap, ref.key);
    return {
      ok: true,
      namespace: spec.source.namespace!,
      objects: () => new ManifestObjectSource(objects, `production manifests (${where})`, spec.source.selector),
    };
  } catch (err) {
    if (err instanceof ManifestSourceError)
      return blocked(
        'InvalidBaseline',
        `Baseline ${name} spec.source.manifests.configMapRef: ${err.message}; ask the Baseline's admin`,
      );
    throw err;
  }
}

/** The production side of one run, or why there is none. Reads only what the Baseline names. */
export async function openProduction(
  ctx: Client,
  baseline: GrantedBaseline,
  operatorNamespace: string,
): Promise<OpenedProduction | Blocked> {
  const { source } = baseline.spec;
  if (source.cluster) return remote(ctx, baseline, operatorNamespace);
  if (source.manifests) return manifests(ctx, baseline);
  return {
    ok: true,
    namespace: source.namespace!,
    objects: () => KubeObjectSource.fromKubeConfig(ctx.client.kubeConfig, 'production', selectorOf(baseline.spec)),
  };
}

/** The connection URL of a database the Baseline offers, by name. */
export async function baselineDatabaseUrl(
  ctx: Client,
  baseline: GrantedBaseline,
  database: string,
  field: string,
): Promise<string> {
  const offered = baseline.spec.data?.databases ?? [];
  const source = offered.find((d) => d.name === database);
  if (!source) {
    const names = offered.map((d) => d.name).join(', ') || 'none';
    throw new Error(
      `${field}: Baseline ${baseline.name} offers no database ${database} (spec.data.databases: ${names})`,
    );
  }
  const secret = await readBaselineSecret(ctx, source.connectionSecretRef);
  if (!secret.ok) throw new Error(`${field}: database ${database} of Baseline ${baseline.name}: ${secret.message}`);
  return secret.value.trim();
}

/** The Prometheus the Baseline names; both sides' series are read from it. */
export async function baselinePrometheus(
  ctx: Client,
  baseline: GrantedBaseline,
  timeoutMs: number,
): Promise<MetricsSource> {
  const prometheus = baseline.spec.data?.prometheus;
  if (!prometheus)
    throw new Error(
      `spec.categories.behaviour: Baseline ${baseline.name} names no Prometheus (spec.data.prometheus); ask its admin`,
    );
  let bearerToken: string | undefined;
  if (prometheus.bearerTokenSecretRef) {
    const token = await readBaselineSecret(ctx, prometheus.bearerTokenSecretRef);
    if (!token.ok)
      throw new Error(
        `spec.categories.behaviour: the Prometheus bearer token of Baseline ${baseline.name}: ${token.message}`,
      );
    bearerToken = token.value.trim();
  }
  const ca = prometheus.caConfigMapRef ? await prometheusCa(ctx, prometheus.caConfigMapRef, baseline.name) : undefined;
  return new PrometheusClient(prometheus.url, timeoutMs, {
    ...(bearerToken ? { bearerToken } : {}),
    ...(ca ? { ca } : {}),
    ...(prometheus.tenant ? { tenant: prometheus.tenant } : {}),
  });
}

/** The CA bundle a Baseline names: one key, or every key in key order. */
async function prometheusCa(
  ctx: Client,
  ref: { namespace: string; name: string; key?: string | undefined },
  baseline: string,
): Promise<string> {
  const field = `spec.categories.behaviour: the Prometheus CA of Baseline ${baseline} (spec.data.prometheus.caConfigMapRef)`;
  const configMap = await ctx.client.get<KubeObject & { data?: Record<string, string> }>({
    ...Kinds.ConfigMap,
    namespace: ref.namespace,
    name: ref.name,
  });
  if (!configMap) throw new Error(`${field}: ConfigMap ${ref.namespace}/${ref.name} does not exist`);
  const data = configMap.data ?? {};
  const pem =
    ref.key !== undefined
      ? data[ref.key]
      : Object.keys(data)
          .sort()
          .map((k) => data[k])
          .join('\n');
  if (!pem?.includes('-----BEGIN CERTIFICATE-----'))
    throw new Error(
      `${field}: ConfigMap ${ref.namespace}/${ref.name}${ref.key ? ` key ${ref.key}` : ''} holds no PEM certificate`,
    );
  return pem;
}
