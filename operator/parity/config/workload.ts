import type { Difference } from '../finding';
import { CONFIG_SEVERITY } from '../severity';
import { compareContainer } from './containers';
import { declaredBy, differ, ratioDeviation, stringsEqual, type ConfigContext } from './context';
import { expectedReplicaRange } from './declared';
import type { KubeObject } from './normalize';
import { objectsOf } from './snapshot';
import { diffTree, namedPath } from './tree-diff';

type Json = Record<string, unknown>;

const POD_TEMPLATE = 'spec.template.spec';

function record(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function hpaTargets(hpas: Map<string, KubeObject>, kind: string, name: string): boolean {
  for (const hpa of hpas.values()) {
    const target = record(record(hpa.spec).scaleTargetRef);
    if (target.kind === kind && target.name === name) return true;
  }
  return false;
}

/** Replica counts as a ratio against the declared scale; skipped when an HPA owns the count. */
export function compareReplicas(
  kind: string,
  name: string,
  staging: KubeObject,
  production: KubeObject,
  context: ConfigContext,
): Difference[] {
  if (kind === 'DaemonSet') return [];
  if (hpaTargets(objectsOf(context.production, 'HorizontalPodAutoscaler'), kind, name)) return [];
  const s = Number(record(staging.spec).replicas ?? 1);
  const p = Number(record(production.spec).replicas ?? 1);
  const make = differ(`${kind}/${name}`);
  const ratio = context.declared.replicasRatio;
  const [low, high] = expectedReplicaRange(p, ratio);
  const withinRatio = (s >= low && s <= high) || ratioDeviation(s, p, ratio) <= context.tolerances.replicas;
  if (withinRatio) {
    return s === p || ratio === 1
      ? []
      : [
          make(
            'spec.replicas',
            s,
            p,
            'info',
            `staging runs ${s} of production's ${p} replicas, ratio ${ratio}${declaredBy(context)}`,
            true,
          ),
        ];
  }
  return [
    make(
      'spec.replicas',
      s,
      p,
      CONFIG_SEVERITY.scale,
      `staging runs ${s} replicas for production's ${p}: ratio ${(s / p).toFixed(3)}, expected ${ratio}`,
    ),
  ];
}

function containersByName(podSpec: Json, field: string): Map<string, Json> {
  const list = Array.isArray(podSpec[field]) ? (podSpec[field] as unknown[]) : [];
  return new Map(
    list
      .map((c) => record(c))
      .filter((c) => typeof c.name === 'string')
      .map((c) => [c.name as string, c]),
  );
}

/** Fresh claims are made for every environment, so a claim's name is not configuration. */
function withoutClaimNames(volumes: unknown): unknown {
  if (!Array.isArray(volumes)) return volumes;
  return volumes.map((v) => {
    const volume = record(v);
    if (!volume.persistentVolumeClaim) return volume;
    return { ...volume, persistentVolumeClaim: { ...record(volume.persistentVolumeClaim), claimName: '<claim>' } };
  });
}

function compareContainers(
  kind: string,
  name: string,
  staging: KubeObject,
  production: KubeObject,
  context: ConfigContext,
): Difference[] {
  const make = differ(`${kind}/${name}`);
  const sPod = record(record(record(staging.spec).template).spec);
  const pPod = record(record(record(production.spec).template).spec);
  const differences: Difference[] = [];
  for (const field of ['initContainers', 'containers']) {
    const s = containersByName(sPod, field);
    const p = containersByName(pPod, field);
    for (const container of [...new Set([...p.keys(), ...s.keys()])]) {
      const path = namedPath(`${POD_TEMPLATE}.${field}`, container);
      const sc = s.get(container);
      const pc = p.get(container);
      if (!sc && pc)
        differences.push(
          make(
            path,
            undefined,
            pc.image,
            CONFIG_SEVERITY.missingContainer,
            `production runs container ${container}, staging does not`,
          ),
        );
      else if (sc && !pc)
        differences.push(
          make(path, sc.image, undefined, CONFIG_SEVERITY.onlyInStaging, `only staging runs container ${container}`),
        );
      else if (sc && pc) {
        differences.push(
          ...compareContainer(
            { workload: { kind, name, staging, production }, path, name: container, staging: sc, production: pc },
            context,
          ),
        );
      }
    }
  }
  return differences;
}

function comparePodFields(
  kind: string,
  name: string,
  staging: KubeObject,
  production: KubeObject,
  context: ConfigContext,
): Difference[] {
  const make = differ(`${kind}/${name}`);
  const podFields = (o: KubeObject) => {
    const {
      containers: _c,
      initContainers: _i,
      ephemeralContainers: _e,
      volumes,
      ...rest
    } = record(record(record(o.spec).template).spec);
    return { ...rest, volumes: withoutClaimNames(volumes) };
  };
  return diffTree(podFields(staging), podFields(production), POD_TEMPLATE, stringsEqual(context)).map((leaf) =>
    make(
      leaf.path,
      leaf.staging,
      leaf.production,
      CONFIG_SEVERITY.otherField,
      `pod ${leaf.path.slice(POD_TEMPLATE.length + 1)} differs`,
    ),
  );
}

/** Rollout strategy and the like: they change how staging deploys, rarely how it behaves. */
function compareWorkloadFields(
  kind: string,
  name: string,
  staging: KubeObject,
  production: KubeObject,
  context: ConfigContext,
): Difference[] {
  const make = differ(`${kind}/${name}`);
  const fields = (o: KubeObject) => {
    const { replicas: _r, selector: _s, template: _t, volumeClaimTemplates, ...rest } = record(o.spec);
    return { ...rest, volumeClaimTemplates };
  };
  return diffTree(fields(staging), fields(production), 'spec', stringsEqual(context)).map((leaf) =>
    make(leaf.path, leaf.staging, leaf.production, 'info', `${leaf.path} differs`),
  );
}

export function compareWorkload(
  kind: string,
  name: string,
  staging: KubeObject,
  production: KubeObject,
  context: ConfigContext,
): Difference[] {
  return [
    ...compareReplicas(kind, name, staging, production, context),
    ...compareContainers(kind, name, staging, production, context),
    ...comparePodFields(kind, name, staging, production, context),
    ...compareWorkloadFields(kind, name, staging, production, context),
  ];
}
