import { clone, groupOf, isRecord, type KubeObject } from './objects';

// Deployment tools keep their own records next to the application. A copy of
// those records is worse than useless: Helm's release Secrets hold every
// rendered manifest of the release (Secrets included, gzipped in the clear),
// Argo CD's labelled Secrets hold cluster and repository credentials, and
// Argo CD / Flux objects would make the tool deploy again into the preview.
// The labels and annotations these tools put on ordinary objects make a copy
// look like part of production's application, so Argo CD shows it, diffs it
// and may prune it.

const HELM_RELEASE_TYPE = 'helm.sh/release.v1';
const HELM_RELEASE_NAME = /^sh\.helm\.release\.v1\./;

/** Kinds that only exist to drive Argo CD. Argo Rollouts shares the group (Rollout, AnalysisTemplate): those are workloads and are not listed. */
const ARGO_CD_KINDS = new Set(['Application', 'ApplicationSet', 'AppProject']);

/** Argo CD finds its cluster, repository and credential-template Secrets by this label. */
const ARGO_CD_SECRET_TYPE_LABEL = 'argocd.argoproj.io/secret-type';

/** Every Flux API group ends in this (source., kustomize., helm., notification., image.). */
const FLUX_GROUP_SUFFIX = '.toolkit.fluxcd.io';

/**
 * Labels by which GitOps tools tie an object to an application. `app.kubernetes.io/instance`
 * is not here: it is Argo CD's tracking label only when `application.instanceLabelKey` says so,
 * and it is often a plain recommended label; pass it when the Baseline says it is the tracking label.
 * Flux's labels are informational (it tracks by inventory) but name production's Kustomization.
 */
export const DEFAULT_TRACKING_LABELS: readonly string[] = [
  'argocd.argoproj.io/instance',
  'kustomize.toolkit.fluxcd.io/name',
  'kustomize.toolkit.fluxcd.io/namespace',
  'helm.toolkit.fluxcd.io/name',
  'helm.toolkit.fluxcd.io/namespace',
];

/** Annotations removed from every copy, whatever the tracking labels. */
export const TRACKING_ANNOTATIONS: readonly string[] = [
  'argocd.argoproj.io/tracking-id',
  'argocd.argoproj.io/sync-options',
  'argocd.argoproj.io/sync-wave',
  'argocd.argoproj.io/compare-options',
  'kubectl.kubernetes.io/last-applied-configuration',
  'meta.helm.sh/release-name',
  'meta.helm.sh/release-namespace',
];

/** True for objects a deployment tool keeps for itself; they are never copied. */
export function isReleaseBookkeeping(object: KubeObject): boolean {
  const group = groupOf(object.apiVersion);
  if (group === 'argoproj.io' && ARGO_CD_KINDS.has(object.kind)) return true;
  if (group.endsWith(FLUX_GROUP_SUFFIX)) return true;
  if (group !== '' || (object.kind !== 'Secret' && object.kind !== 'ConfigMap')) return false;
  const labels = isRecord(object.metadata.labels) ? object.metadata.labels : {};
  return (
    object.type === HELM_RELEASE_TYPE ||
    HELM_RELEASE_NAME.test(object.metadata.name) ||
    isHelmStorage(labels) ||
    ARGO_CD_SECRET_TYPE_LABEL in labels
  );
}

/** Helm 3 storage (`owner: helm`) and Helm 2 Tiller's (`OWNER: TILLER`), both with the release name and version. */
function isHelmStorage(labels: Record<string, unknown>): boolean {
  if (labels.owner === 'helm' && 'name' in labels && 'version' in labels) return true;
  return labels.OWNER === 'TILLER' && 'NAME' in labels && 'VERSION' in labels;
}

/**
 * A copy without the given labels and the tool annotations, on the top-level metadata only:
 * pod template labels and selectors stay, since Services and controllers select by them.
 */
export function stripTrackingMetadata(object: KubeObject, trackingLabels: readonly string[]): KubeObject {
  const copy = clone(object);
  const labels = without(copy.metadata.labels, trackingLabels);
  if (labels) copy.metadata.labels = labels;
  else delete copy.metadata.labels;
  const annotations = without(copy.metadata.annotations, TRACKING_ANNOTATIONS);
  if (annotations) copy.metadata.annotations = annotations;
  else delete copy.metadata.annotations;
  return copy;
}

function without(map: Record<string, string> | undefined, keys: readonly string[]): Record<string, string> | undefined {
  if (!isRecord(map)) return undefined;
  const rest = Object.fromEntries(Object.entries(map).filter(([key]) => !keys.includes(key)));
  return Object.keys(rest).length > 0 ? rest : undefined;
}
