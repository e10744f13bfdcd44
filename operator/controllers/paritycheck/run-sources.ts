import { checkTenantPostgresUrl } from '../../runtime/tenant-postgres-url';
import type { TenantNetwork } from '../../runtime/tenant-network';
import { resolveParityCheck, type ParityCheckSpec, type ResolvedParityCheck } from '../../api/paritycheck';
import { labelSelectorString } from '../../environment/selectors';
import { readSecretKey } from '../../parity/sources/cluster-reader';
import { buildSources, type BuiltSources, type SourceResolver } from '../../parity/sources/build';
import { KubeObjectSource } from '../../parity/sources/kube';
import type { ReconcileContext } from '../../runtime/reconciler';
import { baselineDatabaseUrl, baselinePrometheus, type OpenedProduction } from './production';
import type { Resolution } from './resolve';

/**
 * One run's sources: staging from the check's own side (its namespace or its
 * environment's target namespace, Secrets from either), production only
 * from what the Baseline names.
 */
export async function runSources(
  ctx: Pick<ReconcileContext, 'client'>,
  spec: ParityCheckSpec,
  checkNamespace: string,
  resolution: Resolution,
  production: OpenedProduction,
  tenantNetwork: TenantNetwork,
): Promise<{ check: ResolvedParityCheck; built: BuiltSources }> {
  const staging = resolution.staging.namespace;
  const { baseline } = resolution;
  // A Baseline that names a Prometheus turns on the default behaviour queries for checks that list none.
  const check = resolveParityCheck(
    spec,
    { staging, production: production.namespace },
    { prometheus: baseline.spec.data?.prometheus !== undefined },
  );
  // The Baseline's selector applies to both sides, so a copy of what it selects compares with what it selects.
  const selector = baseline.spec.source.selector
    ? labelSelectorString(baseline.spec.source.selector) || undefined
    : undefined;
  const resolver: SourceResolver = {
    objects: () =>
      Promise.resolve({
        staging: KubeObjectSource.fromKubeConfig(ctx.client.kubeConfig, 'staging', selector),
        production: production.objects(),
      }),
    // The operator connects with it: nothing in it may reach the operator's own files or sockets.
    stagingDatabaseUrl: async (ref, field) =>
      checkTenantPostgresUrl(
        (
          await readSecretKey(ctx.client, ref.from === 'Staging' ? staging : checkNamespace, ref.name, ref.key, field)
        ).trim(),
        field,
      ),
    // The operator connects to it from its own network position: only where a tenant may reach through it.
    stagingStream: (field) => tenantNetwork.pgStream(field),
    productionDatabaseUrl: (name, field) => baselineDatabaseUrl(ctx, baseline, name, field),
    metrics: (timeoutMs) => baselinePrometheus(ctx, baseline, timeoutMs),
    ...(resolution.staging.environment ? { environment: resolution.staging.environment } : {}),
  };
  return { check, built: await buildSources(check, resolver) };
}
