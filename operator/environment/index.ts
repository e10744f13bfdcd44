// The copy transformation's public face, for the StagingEnvironment
// controller: read the baseline (copiedKinds, manifestsFromConfigMap), plan
// (planEnvironment), check the namespace (namespaceOwnership), apply, prune
// (objectsToPrune), report (serviceStatus, baselineRevision, expiryOf).

export { planEnvironment, PlanError, type PlanInput, type EnvironmentPlan, type ServiceSummary } from './plan';
export { parseManifests, manifestsFromConfigMap, ManifestError, ManifestSourceError } from './manifests';
export { copiedKinds, DEFAULT_KINDS, SECRET_KIND, type CopiedKind } from './kinds';
export { objectsToPrune } from './prune';
export {
  targetNamespaceName,
  namespaceObject,
  namespaceOwnership,
  environmentOfNamespace,
  OWNER_ANNOTATION,
  OWNER_UID_ANNOTATION,
  type NamespaceOwnership,
} from './namespace';
export {
  managedLabels,
  managedSelector,
  isManagedBy,
  labelValue,
  SOURCE_ANNOTATION,
  type EnvironmentRef,
} from './labels';
export { SECRET_POLICY_ANNOTATION } from './secrets';
export { baselineRevision } from './revision';
export { expiryOf, timeToExpiry } from './lifecycle';
export { childObjects, testJobs, TEST_LABEL } from './children';
export { serviceStatus, readyServicesText, boundedStatusLists, type ServiceStatus } from './status';
export { labelSelectorString, matchesLabelSelector } from './selectors';
export { identityKey, kindName, type KubeObject } from './objects';
export { parseQuantity, scaleCpu, scaleMemory } from '../api/values/quantity';
export { parseRatio, ratioOf } from '../api/values/ratio';
export { parseDuration } from '../api/values/duration';
