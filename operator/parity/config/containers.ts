import type { Difference } from '../finding';
import { CONFIG_SEVERITY } from '../severity';
import { declaredBy, differ, ratioDeviation, stringsEqual, type ConfigContext } from './context';
import { resolveEnv } from './env';
import { canonicalImage, runningDigest } from './images';
import type { KubeObject } from './normalize';
import { parseQuantity } from './quantity';
import { REDACTED } from './secrets';
import { diffTree, namedPath } from './tree-diff';
import { secretValuesDeclared } from './declared';

type Json = Record<string, unknown>;

export interface ContainerPair {
  workload: { kind: string; name: string; staging: KubeObject; production: KubeObject };
  path: string;
  name: string;
  staging: Json;
  production: Json;
}

const HANDLED = new Set([
  'name',
  'image',
  'imagePullPolicy',
  'env',
  'envFrom',
  'resources',
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
]);
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;

export function compareImage(pair: ContainerPair, context: ConfigContext): Difference[] {
  const make = differ(`${pair.workload.kind}/${pair.workload.name}`);
  const path = `${pair.path}.image`;
  const stagingImage = typeof pair.staging.image === 'string' ? pair.staging.image : '';
  const productionImage = typeof pair.production.image === 'string' ? pair.production.image : '';
  const stagingDigest = runningDigest(pair.workload.staging, pair.name, context.staging.pods);
  const productionDigest = runningDigest(pair.workload.production, pair.name, context.production.pods);
  const bothDigests = stagingDigest !== undefined && productionDigest !== undefined;
  const same = bothDigests
    ? stagingDigest === productionDigest
    : canonicalImage(stagingImage) === canonicalImage(productionImage);
  if (same) return [];
  const show = (image: string, digest: string | undefined) => (digest ? `${image} (${digest})` : image);
  const override = context.declared.services.get(pair.workload.name)?.image;
  if (override !== undefined && canonicalImage(override) === canonicalImage(stagingImage)) {
    return [
      make(
        path,
        show(stagingImage, stagingDigest),
        show(productionImage, productionDigest),
        'info',
        `image overridden to ${stagingImage}${declaredBy(context)}`,
        true,
      ),
    ];
  }
  const message =
    bothDigests && canonicalImage(stagingImage) === canonicalImage(productionImage)
      ? `same image reference ${stagingImage} runs different builds: ${stagingDigest} in staging, ${productionDigest} in production`
      : `staging runs ${stagingImage}, production ${productionImage}`;
  return [
    make(
      path,
      show(stagingImage, stagingDigest),
      show(productionImage, productionDigest),
      CONFIG_SEVERITY.image,
      message,
    ),
  ];
}

export function compareEnv(pair: ContainerPair, context: ConfigContext): Difference[] {
  const make = differ(`${pair.workload.kind}/${pair.workload.name}`);
  const staging = resolveEnv(pair.staging, context.staging);
  const production = resolveEnv(pair.production, context.production);
  const service = context.declared.services.get(pair.workload.name);
  const declared = service?.envNames ?? new Set<string>();
  const equal = stringsEqual(context);
  const differences: Difference[] = [];
  for (const name of [...new Set([...production.keys(), ...staging.keys()])].sort()) {
    const path = namedPath(`${pair.path}.env`, name);
    const s = staging.get(name);
    const p = production.get(name);
    const secret = s?.secret === true || p?.secret === true;
    const shown = (v: typeof s) => (v === undefined ? undefined : v.secret ? REDACTED : v.text);
    if (declared.has(name)) {
      // An override excuses the value it declares, not whatever staging holds under that name.
      const wanted = service?.envValues.get(name);
      if (!s)
        differences.push(
          make(
            path,
            undefined,
            shown(p),
            CONFIG_SEVERITY.missingEnv,
            `${name} is declared${declaredBy(context)} but not set in staging`,
          ),
        );
      else if (wanted !== undefined && !s.secret && !equal(s.text, wanted))
        differences.push(
          make(
            path,
            shown(s),
            shown(p),
            CONFIG_SEVERITY.envValue,
            `${name} is ${JSON.stringify(s.text)} in staging, but the environment declares ${JSON.stringify(wanted)}${declaredBy(context)}`,
          ),
        );
      else if (!p || !equal(s.text, p.text))
        differences.push(make(path, shown(s), shown(p), 'info', `${name} overridden${declaredBy(context)}`, true));
      continue;
    }
    if (!s && p) {
      differences.push(
        make(
          path,
          undefined,
          shown(p),
          CONFIG_SEVERITY.missingEnv,
          `${name} is set in production (from ${p.source}) but not in staging`,
        ),
      );
    } else if (s && !p) {
      differences.push(
        make(
          path,
          shown(s),
          undefined,
          CONFIG_SEVERITY.onlyInStaging,
          `${name} is set only in staging (from ${s.source})`,
        ),
      );
    } else if (s && p && !equal(s.text, p.text)) {
      if (secret && bothFromDeclaredSecrets(s.source, p.source, context)) {
        differences.push(
          make(
            path,
            REDACTED,
            REDACTED,
            'info',
            `${name} holds fresh secret values (secrets policy ${context.declared.secretsPolicy ?? ''}${declaredBy(context)})`,
            true,
          ),
        );
      } else if (secret) {
        differences.push(
          make(
            path,
            REDACTED,
            REDACTED,
            CONFIG_SEVERITY.secretValue,
            `${name} holds different secret values (compared by keyed hash; ${s.source} in staging, ${p.source} in production)`,
          ),
        );
      } else {
        differences.push(
          make(
            path,
            s.text,
            p.text,
            CONFIG_SEVERITY.envValue,
            `${name} differs: staging ${JSON.stringify(s.text)}, production ${JSON.stringify(p.text)}`,
          ),
        );
      }
    }
  }
  return differences;
}

export function compareResources(pair: ContainerPair, context: ConfigContext): Difference[] {
  const make = differ(`${pair.workload.kind}/${pair.workload.name}`);
  const ratio = context.declared.resourcesRatio;
  const differences: Difference[] = [];
  for (const bucket of ['requests', 'limits'] as const) {
    const s = ((pair.staging.resources as Json | undefined)?.[bucket] ?? {}) as Json;
    const p = ((pair.production.resources as Json | undefined)?.[bucket] ?? {}) as Json;
    for (const resource of [...new Set([...Object.keys(p), ...Object.keys(s)])].sort()) {
      const path = `${pair.path}.resources.${bucket}.${resource}`;
      const sv = parseQuantity(s[resource]);
      const pv = parseQuantity(p[resource]);
      if (sv === undefined && pv !== undefined) {
        differences.push(
          make(
            path,
            undefined,
            p[resource],
            CONFIG_SEVERITY.missingResource,
            `production sets ${bucket}.${resource}, staging does not`,
          ),
        );
      } else if (sv !== undefined && pv === undefined) {
        differences.push(
          make(path, s[resource], undefined, CONFIG_SEVERITY.onlyInStaging, `only staging sets ${bucket}.${resource}`),
        );
      } else if (sv !== undefined && pv !== undefined) {
        const deviation = ratioDeviation(sv, pv, ratio);
        const observed = pv === 0 ? 'infinite' : (sv / pv).toFixed(3);
        if (deviation <= context.tolerances.resources) {
          if (sv !== pv && ratio !== 1)
            differences.push(
              make(
                path,
                s[resource],
                p[resource],
                'info',
                `${bucket}.${resource} scaled by ${observed}${declaredBy(context)}`,
                true,
              ),
            );
        } else {
          differences.push(
            make(
              path,
              s[resource],
              p[resource],
              CONFIG_SEVERITY.scale,
              `${bucket}.${resource} is ${observed} of production's, expected ${ratio}`,
            ),
          );
        }
      }
    }
  }
  return differences;
}

export function compareProbes(pair: ContainerPair, context: ConfigContext): Difference[] {
  const make = differ(`${pair.workload.kind}/${pair.workload.name}`);
  const differences: Difference[] = [];
  for (const probe of PROBES) {
    const path = `${pair.path}.${probe}`;
    const s = pair.staging[probe];
    const p = pair.production[probe];
    if (s === undefined && p !== undefined)
      differences.push(make(path, undefined, p, CONFIG_SEVERITY.probe, `production has a ${probe}, staging has none`));
    else if (s !== undefined && p === undefined)
      differences.push(make(path, s, undefined, CONFIG_SEVERITY.onlyInStaging, `only staging has a ${probe}`));
    else if (diffTree(s, p, path, stringsEqual(context)).length > 0)
      differences.push(make(path, s, p, CONFIG_SEVERITY.probe, `${probe} differs`));
  }
  return differences;
}

/** Command, args, ports, mounts, security context: anything the comparers above do not cover. */
export function compareOtherContainerFields(pair: ContainerPair, context: ConfigContext): Difference[] {
  const make = differ(`${pair.workload.kind}/${pair.workload.name}`);
  const strip = (c: Json) => Object.fromEntries(Object.entries(c).filter(([k]) => !HANDLED.has(k)));
  return diffTree(strip(pair.staging), strip(pair.production), pair.path, stringsEqual(context)).map((leaf) =>
    make(
      leaf.path,
      leaf.staging,
      leaf.production,
      CONFIG_SEVERITY.otherField,
      `${leaf.path.slice(pair.path.length + 1)} differs`,
    ),
  );
}

export function compareContainer(pair: ContainerPair, context: ConfigContext): Difference[] {
  return [
    ...compareImage(pair, context),
    ...compareEnv(pair, context),
    ...compareResources(pair, context),
    ...compareProbes(pair, context),
    ...compareOtherContainerFields(pair, context),
  ];
}

/** Both sides read the same-named Secret, whose values the environment meant to differ (see secretValuesDeclared). */
function bothFromDeclaredSecrets(stagingSource: string, productionSource: string, context: ConfigContext): boolean {
  if (stagingSource !== productionSource || !stagingSource.startsWith('Secret/')) return false;
  return secretValuesDeclared(context.declared, stagingSource.slice('Secret/'.length));
}
