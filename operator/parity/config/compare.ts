import type { LabelSelector } from '../../api/common';
import { NAMESPACE_KINDS, type ComparedKind } from '../../api/paritycheck';
import type { Difference } from '../finding';
import { matchesName } from '../pattern';
import { CONFIG_SEVERITY } from '../severity';
import { declaredBy, differ, type ConfigContext } from './context';
import { secretValuesDeclared } from './declared';
import type { KubeObject } from './normalize';
import { compareConfigMap, compareHpa, compareSecret, compareService } from './objects';
import { matchesSelector } from './selector';
import { objectsOf } from './snapshot';
import { compareWorkload } from './workload';

export interface ConfigurationFilter {
  kinds?: ComparedKind[];
  selector?: LabelSelector;
  include?: string[];
  exclude?: string[];
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

function selected(object: KubeObject, filter: ConfigurationFilter): boolean {
  const id = `${object.kind}/${object.metadata.name}`;
  if (!matchesSelector(filter.selector, object.metadata.labels)) return false;
  if (filter.include && !filter.include.some((p) => matchesName(p, id))) return false;
  if (filter.exclude?.some((p) => matchesName(p, id))) return false;
  return true;
}

function comparePair(
  kind: string,
  name: string,
  staging: KubeObject,
  production: KubeObject,
  context: ConfigContext,
): Difference[] {
  if (WORKLOADS.has(kind)) return compareWorkload(kind, name, staging, production, context);
  switch (kind) {
    case 'ConfigMap':
      return compareConfigMap(name, staging, production, context);
    case 'Secret':
      return compareSecret(name, staging, production, context);
    case 'Service':
      return compareService(name, staging, production, context);
    case 'HorizontalPodAutoscaler':
      return compareHpa(name, staging, production, context);
    default:
      return [];
  }
}

/** Whether the environment meant this object not to be there: a shared service, or Secrets it was told not to copy. */
function absenceDeclared(kind: string, name: string, context: ConfigContext): boolean {
  if (WORKLOADS.has(kind) && context.declared.services.get(name)?.mode === 'shared') return true;
  return (
    kind === 'Secret' && context.declared.secretsPolicy !== 'Generate' && secretValuesDeclared(context.declared, name)
  );
}

function compareMissing(kind: string, name: string, inStaging: boolean, context: ConfigContext): Difference {
  const make = differ(`${kind}/${name}`);
  if (inStaging)
    return make('', 'present', undefined, CONFIG_SEVERITY.onlyInStaging, `${kind} ${name} exists only in staging`);
  if (absenceDeclared(kind, name, context))
    return make(
      '',
      undefined,
      'present',
      'info',
      `${kind} ${name} is not copied to staging${declaredBy(context)}`,
      true,
    );
  return make(
    '',
    undefined,
    'present',
    CONFIG_SEVERITY.missingObject,
    `${kind} ${name} exists in production but not in staging`,
  );
}

/** One object name of a compared kind, as each side has it. */
export interface ComparedObject {
  kind: string;
  name: string;
  staging?: KubeObject;
  production?: KubeObject;
}

/**
 * The objects the filter selects, paired by kind and name. Production is the
 * reference: when it has the object, its labels and name decide, so a staging
 * copy that lost a label is still compared rather than silently skipped.
 */
export function selectObjects(context: ConfigContext, filter: ConfigurationFilter): ComparedObject[] {
  const chosen: ComparedObject[] = [];
  for (const kind of filter.kinds ?? NAMESPACE_KINDS) {
    const staging = objectsOf(context.staging, kind);
    const production = objectsOf(context.production, kind);
    const names = [...new Set([...production.keys(), ...staging.keys()])].sort();
    for (const name of names) {
      const s = staging.get(name);
      const p = production.get(name);
      if (!selected((p ?? s)!, filter)) continue;
      chosen.push({ kind, name, ...(s ? { staging: s } : {}), ...(p ? { production: p } : {}) });
    }
  }
  return chosen;
}

/** Compares each selected pair, and reports what only one side has. */
export function compareObjects(objects: ComparedObject[], context: ConfigContext): Difference[] {
  return objects.flatMap(({ kind, name, staging, production }) =>
    staging && production
      ? comparePair(kind, name, staging, production, context)
      : [compareMissing(kind, name, staging !== undefined, context)],
  );
}

/** Pairs objects by kind and name across the two namespaces and compares each pair. */
export function compareConfiguration(context: ConfigContext, filter: ConfigurationFilter): Difference[] {
  return compareObjects(selectObjects(context, filter), context);
}
