import { LABELS } from '../api/common';
import type { BaselineObject, NamespaceObject, StagingEnvironmentObject } from '../kinds';
import type { IndexFunc } from '../runtime/object-store';

// Indexes on kinds that several controllers watch through one shared
// informer. An informer takes each index name once; registering the same
// function again is a no-op, so every controller that needs one of these
// imports it from here instead of writing its own.

/** A StagingEnvironment by its target namespace (status.namespace): "whose copy is this namespace?". */
export const ENVIRONMENT_BY_TARGET_NAMESPACE = 'status.namespace';
export const environmentByTargetNamespace: IndexFunc<StagingEnvironmentObject> = (environment) => {
  const target = environment.status?.namespace;
  return typeof target === 'string' && target ? [target] : [];
};

/** A Baseline by the production namespace of this cluster it copies (spec.source.namespace, without manifests or cluster). */
export const BASELINE_BY_PRODUCTION_NAMESPACE = 'spec.source.namespace';
export const baselineByProductionNamespace: IndexFunc<BaselineObject> = (baseline) => {
  const source = baseline.spec?.source;
  if (!source || source.manifests !== undefined || source.cluster !== undefined) return [];
  return typeof source.namespace === 'string' && source.namespace ? [source.namespace] : [];
};

/** A StagingEnvironment by the Baseline it names (spec.baselineRef.name). */
export const ENVIRONMENT_BY_BASELINE = 'spec.baselineRef.name';
export const environmentByBaseline: IndexFunc<StagingEnvironmentObject> = (environment) => {
  const spec = environment.spec as { baselineRef?: { name?: unknown } } | undefined;
  const name = spec?.baselineRef?.name;
  return typeof name === 'string' && name ? [name] : [];
};

/**
 * A Namespace by the environment namespace its label names (a preview's
 * target namespace acts for that namespace before a Baseline): when that
 * namespace's labels change, what runs in its previews is judged again.
 */
export const NAMESPACE_BY_ENVIRONMENT_NAMESPACE = `metadata.labels.${LABELS.environmentNamespace}`;
export const namespaceByEnvironmentNamespace: IndexFunc<NamespaceObject> = (namespace) => {
  const value = namespace.metadata?.labels?.[LABELS.environmentNamespace];
  return value ? [value] : [];
};
