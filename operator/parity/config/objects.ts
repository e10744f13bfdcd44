import type { Difference } from '../finding';
import { CONFIG_SEVERITY } from '../severity';
import { declaredBy, differ, ratioDeviation, stringsEqual, type ConfigContext } from './context';
import { expectedReplicaRange, secretValuesDeclared } from './declared';
import type { KubeObject } from './normalize';
import { REDACTED } from './secrets';
import { childPath, diffTree } from './tree-diff';

type Json = Record<string, unknown>;

function record(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

/** Keys production has and staging lacks matter most; changed values next; keys only staging has least. */
function compareKeyedData(
  resource: string,
  field: string,
  staging: Json,
  production: Json,
  context: ConfigContext,
  secret: boolean,
  valuesDeclared = false,
): Difference[] {
  const make = differ(resource);
  const equal = stringsEqual(context);
  const differences: Difference[] = [];
  for (const key of [...new Set([...Object.keys(production), ...Object.keys(staging)])].sort()) {
    const path = childPath(field, key);
    const s = staging[key];
    const p = production[key];
    const shown = (v: unknown) => (v === undefined ? undefined : secret ? REDACTED : v);
    if (s === undefined && p !== undefined) {
      differences.push(
        make(
          path,
          undefined,
          shown(p),
          secret ? CONFIG_SEVERITY.missingSecretKey : CONFIG_SEVERITY.missingConfigKey,
          `key ${key} is in production but not in staging`,
        ),
      );
    } else if (s !== undefined && p === undefined) {
      differences.push(make(path, shown(s), undefined, CONFIG_SEVERITY.onlyInStaging, `key ${key} is only in staging`));
    } else if (typeof s === 'string' && typeof p === 'string' && !equal(s, p)) {
      differences.push(
        secret
          ? valuesDeclared
            ? make(
                path,
                REDACTED,
                REDACTED,
                'info',
                `key ${key} holds fresh values (secrets policy ${context.declared.secretsPolicy ?? ''}${declaredBy(context)})`,
                true,
              )
            : make(
                path,
                REDACTED,
                REDACTED,
                CONFIG_SEVERITY.secretValue,
                `key ${key} holds different values (compared by keyed hash)`,
              )
          : make(path, s, p, CONFIG_SEVERITY.configValue, `key ${key} differs`),
      );
    }
  }
  return differences;
}

export function compareConfigMap(
  name: string,
  staging: KubeObject,
  production: KubeObject,
  context: ConfigContext,
): Difference[] {
  const resource = `ConfigMap/${name}`;
  return [
    ...compareKeyedData(resource, 'data', record(staging.data), record(production.data), context, false),
    ...compareKeyedData(
      resource,
      'binaryData',
      record(staging.binaryData),
      record(production.binaryData),
      context,
      false,
    ),
  ];
}

export function compareSecret(
  name: string,
  staging: KubeObject,
  production: KubeObject,
  context: ConfigContext,
): Difference[] {
  const resource = `Secret/${name}`;
  const make = differ(resource);
  const differences = compareKeyedData(
    resource,
    'data',
    record(staging.data),
    record(production.data),
    context,
    true,
    secretValuesDeclared(context.declared, name),
  );
  if (staging.type !== production.type)
    differences.push(make('type', staging.type, production.type, CONFIG_SEVERITY.otherField, 'Secret type differs'));
  return differences;
}

export function compareService(
  name: string,
  staging: KubeObject,
  production: KubeObject,
  context: ConfigContext,
): Difference[] {
  const make = differ(`Service/${name}`);
  const differences: Difference[] = [];
  // The environment may add its own labels to selectors; what matters is that staging selects what production selects.
  const sSelector = record(record(staging.spec).selector);
  for (const [key, value] of Object.entries(record(record(production.spec).selector))) {
    if (sSelector[key] !== value)
      differences.push(
        make(
          childPath('spec.selector', key),
          sSelector[key],
          value,
          CONFIG_SEVERITY.otherField,
          `selector ${key} differs`,
        ),
      );
  }
  const rest = (o: KubeObject) => {
    const { selector: _s, ...spec } = record(o.spec);
    return spec;
  };
  for (const leaf of diffTree(rest(staging), rest(production), 'spec', stringsEqual(context))) {
    differences.push(
      make(leaf.path, leaf.staging, leaf.production, CONFIG_SEVERITY.otherField, `${leaf.path} differs`),
    );
  }
  return differences;
}

export function compareHpa(
  name: string,
  staging: KubeObject,
  production: KubeObject,
  context: ConfigContext,
): Difference[] {
  const make = differ(`HorizontalPodAutoscaler/${name}`);
  const s = record(staging.spec);
  const p = record(production.spec);
  const ratio = context.declared.replicasRatio;
  const differences: Difference[] = [];
  for (const bound of ['minReplicas', 'maxReplicas'] as const) {
    const sv = Number(s[bound] ?? 1);
    const pv = Number(p[bound] ?? 1);
    const [low, high] = expectedReplicaRange(pv, ratio);
    const within = (sv >= low && sv <= high) || ratioDeviation(sv, pv, ratio) <= context.tolerances.replicas;
    if (within && sv !== pv && ratio !== 1)
      differences.push(
        make(`spec.${bound}`, sv, pv, 'info', `${bound} scaled to ${sv} of ${pv}${declaredBy(context)}`, true),
      );
    else if (!within)
      differences.push(
        make(
          `spec.${bound}`,
          sv,
          pv,
          CONFIG_SEVERITY.scale,
          `${bound} is ${sv} in staging, ${pv} in production; expected ratio ${ratio}`,
        ),
      );
  }
  const rest = (spec: Json) => {
    const { minReplicas: _min, maxReplicas: _max, ...others } = spec;
    return others;
  };
  for (const leaf of diffTree(rest(s), rest(p), 'spec', stringsEqual(context))) {
    differences.push(
      make(leaf.path, leaf.staging, leaf.production, CONFIG_SEVERITY.otherField, `${leaf.path} differs`),
    );
  }
  return differences;
}
