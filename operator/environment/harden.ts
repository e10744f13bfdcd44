import { redactCredentialValues, type CredentialPolicy } from './credential-values';
import { stripUnsafeIngressAnnotations } from './ingress-annotations';
import type { KubeObject } from './objects';
import { confineRole, confineRoleBinding, type RbacRules } from './rbac-copies';
import { DEFAULT_TRACKING_LABELS, stripTrackingMetadata } from './release-objects';
import type { RandomBytes } from './secret-values';

// The last pass over the copies, after the transformation: whatever would
// tie a copy to production's tooling or hand production's values or rights
// to a preview is removed here. Production's credentials in plain
// ConfigMap values and env values follow the secrets policy like Secrets do.

/** Argo CD's label tracking uses app.kubernetes.io/instance; only top-level labels are touched, so selectors keep matching. */
export const TRACKING_LABELS: readonly string[] = [...DEFAULT_TRACKING_LABELS, 'app.kubernetes.io/instance'];

/**
 * Every key of these tools, labels and annotations alike: tracking
 * (argocd.argoproj.io/instance, argocd.argoproj.io/tracking-id,
 * kustomize.toolkit.fluxcd.io/name) and directives aimed at production's
 * application (sync waves, hooks, kustomize.toolkit.fluxcd.io/prune or ssa).
 * A copy that kept them would be claimed, diffed and pruned by the Argo CD
 * Application or Flux Kustomization that deploys the baseline.
 */
export const TOOL_KEY_PREFIXES: readonly string[] = [
  'argocd.argoproj.io/',
  'kustomize.toolkit.fluxcd.io/',
  'helm.toolkit.fluxcd.io/',
];

export interface HardenOptions {
  targetNamespace: string;
  policy: CredentialPolicy;
  /** Objects CopyListed copies as they are. */
  keep: ReadonlySet<string>;
  rbac: RbacRules;
  random: RandomBytes;
}

export interface Hardened {
  objects: KubeObject[];
  /** Where production values were replaced: `Kind/name:key`, never the value. */
  redacted: string[];
  warnings: string[];
}

export function hardenCopies(objects: readonly KubeObject[], options: HardenOptions): Hardened {
  const warnings: string[] = [];
  const kept: KubeObject[] = [];
  for (const object of objects) {
    let copy = withoutToolKeys(stripTrackingMetadata(object, TRACKING_LABELS));
    if (copy.kind === 'Ingress') {
      const stripped = stripUnsafeIngressAnnotations(copy);
      if (stripped.removed.length > 0)
        warnings.push(
          `Ingress ${copy.metadata.name}: annotations ${stripped.removed.join(', ')} were not copied (they inject configuration into the ingress controller)`,
        );
      copy = stripped.object;
    }
    if (copy.kind === 'Role') {
      const confined = confineRole(copy, options.rbac);
      if ('refused' in confined) {
        warnings.push(`${confined.refused}; it is not copied`);
        continue;
      }
    }
    if (copy.kind === 'RoleBinding') {
      const confined = confineRoleBinding(copy, options.targetNamespace, options.rbac);
      if ('refused' in confined) {
        warnings.push(`${confined.refused}; it is not copied`);
        continue;
      }
      copy = confined.object;
    }
    kept.push(copy);
  }
  const redaction = redactCredentialValues(kept, options.policy, { keep: options.keep, random: options.random });
  if (redaction.redacted.length > 0)
    warnings.push(
      `values that look like production credentials were replaced under the ${options.policy} policy: ${redaction.redacted.slice(0, 10).join(', ')}${redaction.redacted.length > 10 ? ` and ${redaction.redacted.length - 10} more` : ''}`,
    );
  return { objects: redaction.objects, redacted: redaction.redacted, warnings };
}

/** The copy (already a fresh object) without any top-level label or annotation under TOOL_KEY_PREFIXES. */
function withoutToolKeys(copy: KubeObject): KubeObject {
  const keep = (map: Record<string, string> | undefined): Record<string, string> | undefined => {
    if (!map) return undefined;
    const rest = Object.fromEntries(
      Object.entries(map).filter(([key]) => !TOOL_KEY_PREFIXES.some((prefix) => key.startsWith(prefix))),
    );
    return Object.keys(rest).length > 0 ? rest : undefined;
  };
  const labels = keep(copy.metadata.labels);
  const annotations = keep(copy.metadata.annotations);
  const { labels: _labels, annotations: _annotations, ...metadata } = copy.metadata;
  return { ...copy, metadata: { ...metadata, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) } };
}
