import { isCopiedKind, type CopiedKind } from './kinds';
import type { ClaimTemplate, LabelSelector } from './k8s-types';
import { isRecord, type KubeObject } from './objects';
import { matchesLabelSelector } from './selectors';

// Which baseline objects are copied. Besides kinds and the label selector,
// some objects must never be copied because Kubernetes creates them itself
// in every namespace, or because a copied controller will recreate them.

export interface SelectionOptions {
  kinds: readonly CopiedKind[];
  selector?: LabelSelector;
  /** Objects of other namespaces are left out (rendered manifests may span several). */
  baselineNamespace?: string;
}

export interface Selection {
  objects: KubeObject[];
  /** Why objects were left out, for those a user might expect to see copied. */
  skipped: Array<{ object: KubeObject; reason: string }>;
}

const AUTOMATIC_CONFIGMAPS = new Set(['kube-root-ca.crt', 'openshift-service-ca.crt']);

export function selectBaseline(baseline: readonly KubeObject[], options: SelectionOptions): Selection {
  const candidates = baseline.filter(
    (o) => isCopiedKind(o, options.kinds) && matchesLabelSelector(o.metadata.labels, options.selector),
  );
  const uids = new Set(candidates.map((o) => o.metadata.uid).filter((uid): uid is string => uid !== undefined));
  const claimNames = statefulSetClaimNames(candidates);
  const objects: KubeObject[] = [];
  const skipped: Selection['skipped'] = [];
  for (const object of candidates) {
    const reason = skipReason(object, { uids, claimNames, namespace: options.baselineNamespace });
    if (reason) skipped.push({ object, reason });
    else objects.push(object);
  }
  return { objects, skipped };
}

function skipReason(
  object: KubeObject,
  context: { uids: Set<string>; claimNames: RegExp[]; namespace: string | undefined },
): string | undefined {
  const { name, namespace, ownerReferences = [] } = object.metadata;
  if (context.namespace && namespace && namespace !== context.namespace)
    return `in namespace ${namespace}, not the baseline's ${context.namespace}`;
  if (object.kind === 'ConfigMap' && AUTOMATIC_CONFIGMAPS.has(name)) return 'created by Kubernetes in every namespace';
  if (object.kind === 'ServiceAccount' && name === 'default') return 'created by Kubernetes in every namespace';
  if (object.kind === 'Secret' && object.type === 'kubernetes.io/service-account-token')
    return 'a service account token, issued per namespace';
  const controller = ownerReferences.find((ref) => ref.controller);
  if (controller && context.uids.has(controller.uid))
    return `recreated by its controller ${controller.kind}/${controller.name}`;
  if (object.kind === 'PersistentVolumeClaim' && context.claimNames.some((pattern) => pattern.test(name)))
    return 'created by a copied StatefulSet from its volumeClaimTemplates';
  return undefined;
}

/** StatefulSets name their claims `<template>-<statefulset>-<ordinal>`. */
function statefulSetClaimNames(objects: readonly KubeObject[]): RegExp[] {
  const patterns: RegExp[] = [];
  for (const object of objects) {
    if (object.kind !== 'StatefulSet' || !isRecord(object.spec)) continue;
    const templates = (object.spec.volumeClaimTemplates ?? []) as ClaimTemplate[];
    for (const template of templates) {
      const claim = template.metadata?.name;
      if (claim) patterns.push(new RegExp(`^${escape(claim)}-${escape(object.metadata.name)}-[0-9]+$`));
    }
  }
  return patterns;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
