import { createHash } from 'node:crypto';
import { LABELS, MANAGED_BY } from '../api/common';
import { clone, sourceRef, type KubeObject } from './objects';

// Every object of an environment says whose it is: labels to list and prune
// by, and an annotation naming the baseline object it was made from.

export interface EnvironmentRef {
  name: string;
  namespace: string;
  uid?: string;
}

export const SOURCE_ANNOTATION = 'understudy.dev/source';

/** A label value of at most 63 characters: long names keep a prefix and gain a hash, so they stay distinct. */
export function labelValue(text: string): string {
  if (text.length <= 63) return text;
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 8);
  return `${text.slice(0, 54).replace(/[^A-Za-z0-9]+$/, '')}-${hash}`;
}

export function managedLabels(environment: EnvironmentRef): Record<string, string> {
  return {
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.environment]: labelValue(environment.name),
    [LABELS.environmentNamespace]: environment.namespace,
  };
}

/** The label selector that lists an environment's objects. */
export function managedSelector(environment: EnvironmentRef): string {
  return Object.entries(managedLabels(environment))
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

export function isManagedBy(object: KubeObject, environment: EnvironmentRef): boolean {
  const labels = object.metadata.labels ?? {};
  return Object.entries(managedLabels(environment)).every(([key, value]) => labels[key] === value);
}

/** Places an object in the target namespace with the environment's labels and, when derived from one, its source. */
export function markManaged(
  object: KubeObject,
  environment: EnvironmentRef,
  targetNamespace: string,
  source?: KubeObject,
): KubeObject {
  const copy = clone(object);
  copy.metadata.namespace = targetNamespace;
  copy.metadata.labels = { ...copy.metadata.labels, ...managedLabels(environment) };
  if (source) copy.metadata.annotations = { ...copy.metadata.annotations, [SOURCE_ANNOTATION]: sourceRef(source) };
  return copy;
}
