import type { KubernetesObject } from '../../runtime/client-node';
import { Kinds } from '../../kinds';
import { KubeApiError } from '../../runtime/kube-errors';
import type { ReconcileContext } from '../../runtime/reconciler';
import { type ProductionSource, SeedReferenceError } from '../../seed/resolve';
import { type GrantedBaseline, readBaselineSecret } from '../baseline-access';

// Production, as a DataSeed's Baseline describes it: spec.data.databases[]
// by name, whose connection Secret and profile ConfigMap live where the
// admin put them. Read by the operator at the start of an inline seed, held
// only in its memory for that seed, and never written anywhere: not into the
// DataSeed's namespace, its status, or an Event (messages name the Secret,
// never its value).

const POSTGRES_URL = /^postgres(ql)?:\/\//;

type Database = NonNullable<NonNullable<GrantedBaseline['spec']['data']>['databases']>[number];

function database(baseline: GrantedBaseline, name: string, field: string): Database {
  const databases = baseline.spec.data?.databases ?? [];
  const found = databases.find((d) => d.name === name);
  if (found) return found;
  const known =
    databases.length > 0 ? `it has ${databases.map((d) => d.name).join(', ')}` : 'it lists none in spec.data.databases';
  throw new SeedReferenceError(
    'ReferenceNotFound',
    `${field}: Baseline ${baseline.name} has no database ${name}; ${known}`,
  );
}

export function baselineProduction(ctx: Pick<ReconcileContext, 'client'>, baseline: GrantedBaseline): ProductionSource {
  return {
    async connectionUrl(name, field) {
      const db = database(baseline, name, field);
      const ref = db.connectionSecretRef;
      const read = await readBaselineSecret(ctx, ref);
      if (!read.ok) {
        const reason = /may not read/.test(read.message) ? 'ReferenceUnreadable' : 'ReferenceNotFound';
        throw new SeedReferenceError(reason, `${field}: Baseline ${baseline.name} database ${name}: ${read.message}`);
      }
      if (!POSTGRES_URL.test(read.value.trim())) {
        throw new SeedReferenceError(
          'InvalidReference',
          `${field}: Baseline ${baseline.name} database ${name}: Secret ${ref.namespace}/${ref.name} key ${ref.key} does not hold a postgresql:// URL; ask the Baseline's admin`,
        );
      }
      return read.value.trim();
    },

    async storedProfile(name, field) {
      const ref = database(baseline, name, field).profileRef;
      if (!ref) return undefined;
      const where = `${field}: Baseline ${baseline.name} database ${name} profileRef`;
      let configMap: (KubernetesObject & { data?: Record<string, string> }) | undefined;
      try {
        configMap = await ctx.client.get({ ...Kinds.ConfigMap, namespace: ref.namespace, name: ref.name });
      } catch (err) {
        if (err instanceof KubeApiError && err.statusCode === 403)
          throw new SeedReferenceError(
            'ReferenceUnreadable',
            `${where}: the operator may not read ConfigMaps in namespace ${ref.namespace}`,
          );
        throw err;
      }
      if (!configMap)
        throw new SeedReferenceError(
          'ReferenceNotFound',
          `${where}: ConfigMap ${ref.namespace}/${ref.name} does not exist`,
        );
      const data = configMap.data ?? {};
      const keys = Object.keys(data);
      // No key: the ConfigMap's only one (a profile is one document).
      const key = ref.key ?? (keys.length === 1 ? keys[0] : undefined);
      if (key === undefined)
        throw new SeedReferenceError(
          'InvalidReference',
          `${where}: ConfigMap ${ref.namespace}/${ref.name} has ${keys.length} keys; the Baseline must name one in profileRef.key`,
        );
      const text = data[key];
      if (text === undefined)
        throw new SeedReferenceError(
          'ReferenceNotFound',
          `${where}: ConfigMap ${ref.namespace}/${ref.name} has no key ${key}`,
        );
      return text;
    },
  };
}
