import type { Container, LabelSelector } from './k8s-types';
import {
  rewriteArguments,
  rewriteBareNamespace,
  rewriteDnsReferences,
  rewriteKeyedValue,
  type NamespaceRewrite,
} from './namespace-references';
import { clone, isRecord, type KubeObject } from './objects';
import { allContainers, podSpecOf } from './workloads';

// Where references to the baseline namespace are rewritten in an object.
// DNS names are rewritten in every string (probes, annotations, config files,
// ExternalName targets, custom kinds) except names, labels, selectors and
// images, which never hold a Service address. The bare namespace name is
// rewritten only where it means the namespace: under env variables, flags and
// ConfigMap keys named like one (isNamespaceKey), RoleBinding subjects and
// namespace selectors.

/** Keys whose values are identities or label maps, never Service addresses. */
const SKIPPED_KEYS = new Set(['labels', 'matchLabels', 'matchExpressions', 'selector', 'image']);
/** ConfigMap and Secret payloads: handled per value below, or (Secrets) by the secrets policy. */
const PAYLOAD_KEYS = new Set(['data', 'binaryData', 'stringData']);
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export function rewriteNamespaceReferences(object: KubeObject, rewrite: NamespaceRewrite): KubeObject {
  const copy = clone(object);
  for (const [key, value] of Object.entries(copy)) {
    if (key === 'apiVersion' || key === 'kind' || PAYLOAD_KEYS.has(key)) continue;
    if (key === 'metadata') rewriteAnnotations(copy, rewrite);
    else copy[key] = rewriteStrings(value, rewrite);
  }
  const podSpec = podSpecOf(copy);
  if (podSpec) for (const container of allContainers(podSpec)) rewriteContainerValues(container, rewrite);
  if (copy.kind === 'ConfigMap') copy.data = rewriteMapValues(copy.data, rewrite);
  if (copy.kind === 'RoleBinding') rewriteSubjects(copy, rewrite);
  if (copy.kind === 'NetworkPolicy') rewriteNamespaceSelectors(copy.spec, rewrite);
  return copy;
}

function rewriteAnnotations(object: KubeObject, rewrite: NamespaceRewrite): void {
  const annotations = object.metadata.annotations;
  if (annotations)
    object.metadata.annotations = Object.fromEntries(
      Object.entries(annotations).map(([k, v]) => [k, rewriteDnsReferences(v, rewrite)]),
    );
}

function rewriteStrings(value: unknown, rewrite: NamespaceRewrite): unknown {
  if (typeof value === 'string') return rewriteDnsReferences(value, rewrite);
  if (Array.isArray(value)) return value.map((item) => rewriteStrings(item, rewrite));
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, SKIPPED_KEYS.has(k) ? v : rewriteStrings(v, rewrite)]),
  );
}

function rewriteContainerValues(container: Container, rewrite: NamespaceRewrite): void {
  for (const variable of container.env ?? []) {
    if (typeof variable.value === 'string') variable.value = rewriteKeyedValue(variable.name, variable.value, rewrite);
  }
  if (container.args) container.args = rewriteArguments(container.args.map(String), rewrite);
  if (container.command) container.command = rewriteArguments(container.command.map(String), rewrite);
}

function rewriteMapValues(data: unknown, rewrite: NamespaceRewrite): unknown {
  if (!isRecord(data)) return data;
  return Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, typeof v === 'string' ? rewriteKeyedValue(k, v, rewrite) : v]),
  );
}

function rewriteSubjects(binding: KubeObject, rewrite: NamespaceRewrite): void {
  if (!Array.isArray(binding.subjects)) return;
  for (const subject of binding.subjects) {
    if (isRecord(subject) && subject.namespace === rewrite.from) subject.namespace = rewrite.to;
  }
}

/** `namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}` picks the baseline namespace by name. */
function rewriteNamespaceSelectors(value: unknown, rewrite: NamespaceRewrite): void {
  if (Array.isArray(value)) {
    for (const item of value) rewriteNamespaceSelectors(item, rewrite);
    return;
  }
  if (!isRecord(value)) return;
  for (const [key, child] of Object.entries(value)) {
    if (key === 'namespaceSelector' && isRecord(child)) rewriteNamespaceSelector(child, rewrite);
    else rewriteNamespaceSelectors(child, rewrite);
  }
}

function rewriteNamespaceSelector(selector: LabelSelector, rewrite: NamespaceRewrite): void {
  const labels = selector.matchLabels;
  if (labels?.[NAMESPACE_NAME_LABEL] !== undefined)
    labels[NAMESPACE_NAME_LABEL] = rewriteBareNamespace(labels[NAMESPACE_NAME_LABEL], rewrite);
  for (const expression of selector.matchExpressions ?? []) {
    if (expression.key === NAMESPACE_NAME_LABEL && expression.values)
      expression.values = expression.values.map((v) => rewriteBareNamespace(v, rewrite));
  }
}
