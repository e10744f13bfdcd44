import { randomBytes } from 'node:crypto';
import type { ServiceMode } from '../api/stagingenvironment';
import type { CopySpec } from './copy-spec';
import { childObjects } from './children';
import { copiedKinds, type CopiedKind } from './kinds';
import { isolationObjects, type SharedDestination } from './isolation';
import { markManaged, type EnvironmentRef } from './labels';
import type { NamespaceRewrite } from './namespace-references';
import { namespaceObject } from './namespace';
import { applyRank } from './apply-order';
import type { ServiceSpec } from './k8s-types';
import { isRecord, identityKey, type KubeObject } from './objects';
import { mainImage, type ServiceOverride } from './overrides';
import { ratioOf } from '../api/values/ratio';
import { autoscaledTargets } from './replicas';
import { baselineRevision, workloadRevision } from './revision';
import { optionalizeMissingSecrets } from './secret-references';
import type { RandomBytes } from './secret-values';
import { applySecretsPolicy } from './secrets';
import { hardenCopies } from './harden';
import { isReleaseBookkeeping } from './release-objects';
import { seededRandom } from './seeded-random';
import { selectBaseline, type Selection } from './select';
import { findServiceUnit, resolveServiceUnits, type ServiceUnit } from './services';
import { secretReferencePath } from './tls-secret-references';
import { TransformError, transformObject, type TransformContext } from './transform';
import { LONG_RUNNING_KINDS, podSpecOf } from './workloads';

// The whole copy as one pure function: baseline objects in, the desired
// objects of the environment out, ready for server-side apply. A controller
// reads the baseline, calls planEnvironment, applies `namespace` then
// `objects` in order, prunes what objectsToPrune names, and reports
// `services`, `urls` and `baselineRevision` in status.

export interface PlanInput {
  environment: EnvironmentRef;
  /** The environment's spec resolved within its Baseline (resolveCopySpec). */
  spec: CopySpec;
  /** Baseline objects as plain JSON; Secrets included when the policy is not Omit. */
  baseline: readonly KubeObject[];
  /** Defaults to spec.targetNamespace; pass status.namespace once set, so a copy never moves. */
  targetNamespace?: string;
  /** The Secret the Baseline's ingress.tlsSecretRef names, when the controller found it. */
  tlsSecret?: KubeObject;
  /** Data (base64) of the generated Secrets now in the target namespace, by name, so Generate is stable. */
  currentSecrets?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Source of fresh secret values; crypto.randomBytes unless a test injects one. */
  random?: RandomBytes;
  /** The copied kinds, when the caller derived them to read the baseline; copiedKinds(spec) otherwise. */
  kinds?: readonly CopiedKind[];
}

export interface ServiceSummary {
  name: string;
  kind: string;
  mode: ServiceMode;
  image?: string;
  /** Desired replicas; undefined when an HPA decides. */
  replicas?: number;
}

export interface EnvironmentPlan {
  targetNamespace: string;
  /** The target Namespace, to apply first. */
  namespace: KubeObject;
  /** Every other object, in apply order, namespaced, labelled and annotated. */
  objects: KubeObject[];
  urls: string[];
  services: ServiceSummary[];
  warnings: string[];
  baselineRevision: string;
  /** Production values replaced because they looked like credentials: `Kind/name:key`, never the value. */
  redacted: string[];
  /** Baseline objects left out, and why (Kubernetes-created, recreated by a copied controller, ...). */
  skipped: Array<{ object: string; reason: string }>;
}

/** The spec cannot be planned against this baseline; `field` names what to fix. */
export class PlanError extends Error {
  override name = 'PlanError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export function planEnvironment(input: PlanInput): EnvironmentPlan {
  const { spec, environment } = input;
  const baselineNamespace = spec.source.namespace;
  const targetNamespace = input.targetNamespace ?? spec.targetNamespace;
  if (targetNamespace === baselineNamespace && !spec.source.remote)
    throw new PlanError('spec.baselineRef.name', 'the target namespace must differ from the production namespace');

  const selection = selectBaseline(input.baseline, {
    kinds: input.kinds ?? copiedKinds(spec.kinds, spec.secrets.policy),
    ...(spec.source.selector ? { selector: spec.source.selector } : {}),
    baselineNamespace,
  });
  // Helm's release records hold every rendered manifest, Secrets included: never part of a copy.
  const bookkeeping = selection.objects.filter(isReleaseBookkeeping);
  const selected = selection.objects.filter((o) => !bookkeeping.includes(o));
  const secrets = selected.filter((o) => o.kind === 'Secret' && o.apiVersion === 'v1');
  const others = selected.filter((o) => !secrets.includes(o));
  const units = resolveServiceUnits(others);
  const choices = resolveChoices(spec, units);
  const warnings: string[] = [...choices.warnings];

  const rewrite: NamespaceRewrite = {
    from: baselineNamespace,
    to: targetNamespace,
    serviceNames: new Set(others.filter((o) => o.kind === 'Service').map((o) => o.metadata.name)),
    keep: choices.sharedServices,
  };
  const copied = others.filter((o) => !choices.excluded.has(identityKey(o)));
  const tlsSecretName = spec.ingress?.tlsSecretRef?.name;
  const context: TransformContext = {
    environment: environment.name,
    targetNamespace,
    baselineNamespace,
    rewrite,
    replicas: ratioOf(spec.scale.replicas),
    resources: ratioOf(spec.scale.resources),
    suspend: spec.suspend,
    ...(spec.ingress ? { ingress: spec.ingress } : {}),
    ...(tlsSecretName ? { tlsSecretName } : {}),
    autoscaled: autoscaledTargets(copied),
    claimNames: new Set(copied.filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => o.metadata.name)),
    overrides: choices.overrides,
    sharedServices: choices.sharedServices,
  };

  const transformed: Array<{ object: KubeObject; source: KubeObject }> = [];
  const urls: string[] = [];
  for (const source of copied) {
    const result = transform(source, context);
    warnings.push(...result.warnings);
    urls.push(...result.urls.filter((url) => !urls.includes(url)));
    if (result.object) transformed.push({ object: result.object, source });
  }
  const hardened = hardenCopies(
    transformed.map((t) => t.object),
    {
      targetNamespace,
      policy: spec.secrets.policy,
      keep: new Set(spec.secrets.policy === 'CopyListed' ? spec.secrets.names : []),
      rbac: { bindableClusterRoles: spec.rbac.bindableClusterRoles, ...(tlsSecretName ? { tlsSecretName } : {}) },
      random: input.random ?? seededRandom(`${environment.uid ?? environment.namespace}/${environment.name}`),
    },
  );
  warnings.push(...hardened.warnings);
  const desired: Array<{ object: KubeObject; source?: KubeObject }> = hardened.objects.map((object) => ({
    object,
    source: transformed.find((t) => identityKey(t.object) === identityKey(object))?.source,
  }));

  const secretObjects = planSecrets(input, secrets, rewrite, warnings);
  desired.push(...secretObjects);
  const availableSecrets = new Set(secretObjects.map((s) => s.object.metadata.name));
  makeMissingSecretsOptional(desired, availableSecrets, warnings);

  const shared = sharedDestinations(others, choices.sharedServices, baselineNamespace);
  const revision = workloadRevision(desired.map((d) => d.object));
  for (const object of [...isolationObjects(spec.isolation, shared), ...childObjects(spec, revision)])
    desired.push({ object });
  if (spec.isolation.networkPolicy && spec.ingress && spec.isolation.allowIngressFromNamespaces.length === 0) {
    warnings.push(
      "the Baseline's isolation admits no other namespace: its admin should list the ingress controller's in allowIngressFromNamespaces, or the URLs will not answer",
    );
  }

  const objects = desired
    .map(({ object, source }) => markManaged(object, environment, targetNamespace, source))
    .sort(byApplyOrder);
  return {
    targetNamespace,
    namespace: namespaceObject(targetNamespace, environment, spec.podSecurity),
    objects,
    urls,
    services: summarise(units, choices, objects),
    warnings,
    baselineRevision: baselineRevision(
      selected,
      new Set(spec.secrets.policy === 'CopyListed' ? spec.secrets.names : []),
    ),
    redacted: hardened.redacted,
    skipped: [
      ...describeSkipped(selection),
      ...bookkeeping.map((o) => ({
        object: `${o.kind}/${o.metadata.name}`,
        reason: "a deployment tool's release record",
      })),
    ],
  };
}

function transform(source: KubeObject, context: TransformContext): ReturnType<typeof transformObject> {
  try {
    return transformObject(source, context);
  } catch (error) {
    if (error instanceof TransformError) throw new PlanError(error.field, error.message);
    throw error;
  }
}

interface Choices {
  overrides: Map<string, ServiceOverride>;
  sharedServices: Set<string>;
  sharedUnits: Set<string>;
  /** Keys of baseline objects with no copy: shared workloads and their HPAs and PDBs. */
  excluded: Set<string>;
  warnings: string[];
}

function resolveChoices(spec: CopySpec, units: readonly ServiceUnit[]): Choices {
  const choices: Choices = {
    overrides: new Map(),
    sharedServices: new Set(),
    sharedUnits: new Set(),
    excluded: new Set(),
    warnings: [],
  };
  for (const [i, service] of (spec.services ?? []).entries()) {
    const unit = findServiceUnit(units, service.name);
    if (!unit) {
      const known =
        units
          .map((u) => u.name)
          .sort()
          .join(', ') || 'none';
      throw new PlanError(
        `spec.services[${i}].name`,
        `no workload or Service named ${service.name} in the baseline (workloads: ${known})`,
      );
    }
    const key = `${unit.workload.kind}/${unit.workload.metadata.name}`;
    if (service.mode === 'copy' && (service.image !== undefined || service.env !== undefined))
      refuseTlsSecretHolder(unit.workload, spec, `spec.services[${i}]`);
    if (service.mode === 'copy') {
      choices.overrides.set(key, {
        ...(service.image !== undefined ? { image: service.image } : {}),
        ...(service.env !== undefined ? { env: service.env } : {}),
      });
      continue;
    }
    choices.sharedUnits.add(key);
    for (const object of [unit.workload, ...unit.autoscalers, ...unit.disruptionBudgets])
      choices.excluded.add(identityKey(object));
    for (const object of unit.services) choices.sharedServices.add(object.metadata.name);
  }
  const copiedUnits = units.filter((unit) => !choices.sharedUnits.has(`${unit.workload.kind}/${unit.name}`));
  for (const unit of copiedUnits) {
    for (const service of unit.services.filter((s) => choices.sharedServices.has(s.metadata.name))) {
      choices.sharedServices.delete(service.metadata.name);
      choices.warnings.push(
        `Service ${service.metadata.name} also selects the copied ${unit.workload.kind} ${unit.name}, so it stays a copy`,
      );
    }
  }
  // A claim only a shared service mounts would be provisioned for nobody.
  const copiedClaims = new Set(copiedUnits.flatMap((unit) => unit.claims.map(identityKey)));
  for (const unit of units.filter((u) => !copiedUnits.includes(u))) {
    for (const claim of unit.claims)
      if (!copiedClaims.has(identityKey(claim))) choices.excluded.add(identityKey(claim));
  }
  return choices;
}

/**
 * The pods behind each shared Service (its selector) on its target ports: all
 * the environment's isolation opens in production. A shared Service always
 * has a selector (it is shared because it selects the shared workload).
 */
function sharedDestinations(
  objects: readonly KubeObject[],
  sharedServices: ReadonlySet<string>,
  namespace: string,
): SharedDestination[] {
  return objects
    .filter((o) => o.kind === 'Service' && sharedServices.has(o.metadata.name))
    .flatMap((service): SharedDestination[] => {
      const spec = (isRecord(service.spec) ? service.spec : {}) as ServiceSpec;
      if (!spec.selector || Object.keys(spec.selector).length === 0) return [];
      const ports = (spec.ports ?? []).map((p) => ({ protocol: p.protocol ?? 'TCP', port: p.targetPort ?? p.port }));
      return [{ namespace, podSelector: spec.selector, ports }];
    });
}

/**
 * The Baseline's TLS Secret is in the target namespace under its own name, so
 * a production workload naming a Secret of that name gets the shared key in
 * the copy. Left as production wrote it that is production's code; with the
 * tenant's image or env in it, it is the tenant's: refused.
 */
function refuseTlsSecretHolder(workload: KubeObject, spec: CopySpec, field: string): void {
  const tls = spec.ingress?.tlsSecretRef?.name;
  const podSpec = podSpecOf(workload);
  if (!tls || !podSpec || secretReferencePath(podSpec, tls, 'spec') === undefined) return;
  throw new PlanError(
    field,
    `${workload.kind} ${workload.metadata.name} reads a Secret named ${tls}, which in the environment is the Baseline's TLS Secret; its image and env cannot be overridden`,
  );
}

function planSecrets(
  input: PlanInput,
  secrets: readonly KubeObject[],
  rewrite: NamespaceRewrite,
  warnings: string[],
): Array<{ object: KubeObject; source?: KubeObject }> {
  const { spec } = input;
  const result = applySecretsPolicy({
    secrets,
    policy: spec.secrets.policy,
    ...(spec.secrets.names ? { names: spec.secrets.names } : {}),
    rewrite,
    ...(input.currentSecrets ? { current: input.currentSecrets } : {}),
    random: input.random ?? randomBytes,
  });
  warnings.push(...result.warnings);
  const planned = result.objects.map((object) => ({
    object,
    source: secrets.find((s) => s.metadata.name === object.metadata.name),
  }));
  const tlsRef = spec.ingress?.tlsSecretRef;
  if (!tlsRef) return planned;
  if (planned.some((p) => p.object.metadata.name === tlsRef.name)) {
    throw new PlanError(
      'spec.secrets.names',
      `${tlsRef.name} is also the Baseline's TLS Secret; it is copied once, as the certificate`,
    );
  }
  if (!input.tlsSecret) {
    warnings.push(
      `TLS Secret ${tlsRef.namespace}/${tlsRef.name} was not found; the hosts have no certificate until it exists`,
    );
    return planned;
  }
  return [...planned, { object: tlsSecretCopy(input.tlsSecret, tlsRef.name) }];
}

/** Only the certificate and key of the shared TLS Secret are copied. */
function tlsSecretCopy(secret: KubeObject, name: string): KubeObject {
  const data = isRecord(secret.data) ? secret.data : {};
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': data['tls.crt'] ?? '', 'tls.key': data['tls.key'] ?? '' },
  };
}

function makeMissingSecretsOptional(
  desired: ReadonlyArray<{ object: KubeObject }>,
  available: ReadonlySet<string>,
  warnings: string[],
): void {
  const missing = new Set<string>();
  for (const { object } of desired) {
    const podSpec = podSpecOf(object);
    if (podSpec) for (const name of optionalizeMissingSecrets(podSpec, available)) missing.add(name);
  }
  if (missing.size > 0)
    warnings.push(
      `Secrets not in the environment (${[...missing].sort().join(', ')}): references to them are optional, so pods start without those values`,
    );
}

function summarise(units: readonly ServiceUnit[], choices: Choices, objects: readonly KubeObject[]): ServiceSummary[] {
  return units
    .filter((unit) => LONG_RUNNING_KINDS.has(unit.workload.kind))
    .map((unit): ServiceSummary => {
      if (choices.sharedUnits.has(`${unit.workload.kind}/${unit.name}`))
        return { name: unit.name, kind: 'Service', mode: 'shared' };
      const copy = objects.find((o) => o.kind === unit.workload.kind && o.metadata.name === unit.name);
      const replicas =
        copy && isRecord(copy.spec) && typeof copy.spec.replicas === 'number' ? copy.spec.replicas : undefined;
      const image = copy ? mainImage(copy) : undefined;
      return {
        name: unit.name,
        kind: unit.workload.kind,
        mode: 'copy',
        ...(image ? { image } : {}),
        ...(replicas !== undefined ? { replicas } : {}),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function describeSkipped(selection: Selection): EnvironmentPlan['skipped'] {
  return selection.skipped.map(({ object, reason }) => ({ object: `${object.kind}/${object.metadata.name}`, reason }));
}

function byApplyOrder(a: KubeObject, b: KubeObject): number {
  return (
    applyRank(a.kind) - applyRank(b.kind) ||
    a.kind.localeCompare(b.kind) ||
    a.metadata.name.localeCompare(b.metadata.name)
  );
}
