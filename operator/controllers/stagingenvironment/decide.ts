import {
  CONDITION_TYPES,
  type StagingEnvironmentPhase,
  type StagingEnvironmentStatus,
} from '../../api/stagingenvironment';
import type { CopySpec } from '../../environment/copy-spec';
import { claimedHosts } from '../../environment/host-policy';
import type { Tombstone } from '../../environment/lifecycle';
import { environmentOfNamespace, namespaceOwnership } from '../../environment/namespace';
import type { KubeObject } from '../../environment/objects';
import { PlanError } from '../../environment/plan';
import { getCondition, kubeTime } from '../../runtime/conditions';
import type { Result } from '../../runtime/reconciler';
import { infrastructureHoldsNamespace } from '../infrastructure/hold';
import { refOf, retainedExpiryAt } from './lifecycle';
import type { Observed } from './observe';
import { PlanMemo, type Planned } from './plan-memo';
import { namespacedKey } from '../../runtime/object-key';

// Decide: what to do about what was observed, as a pure function of the
// snapshot (plus a memo of the plan, itself pure). No client, no cache, no
// clock but the snapshot's: every outcome here is table-tested with
// fixtures (decide.test.ts). The policy chain runs from what ends an
// environment (deletion, expiry) through what stops it (an invalid spec, a
// Baseline that refuses, a namespace that is not its own) to provisioning.

const C = CONDITION_TYPES;
const UNREACHABLE_RETRY_MS = 30_000;

export type Decision =
  /** Being deleted: delete its namespaces, then let go of the finalizer. */
  | { action: 'finalize'; namespaces: KubeObject[] }
  /** Nothing progresses until someone changes something. */
  | { action: 'stall'; reason: string; message: string; extra: Partial<StagingEnvironmentStatus>; result: Result }
  /** Something resolves by itself; `deleteNamespace` is an earlier environment's namespace of this name, deleted first. */
  | {
      action: 'wait';
      reason: string;
      message: string;
      phase: StagingEnvironmentPhase;
      extra: Partial<StagingEnvironmentStatus>;
      deleteNamespace?: KubeObject;
    }
  /** Expired under Delete: the resource is deleted (its finalizer then deletes the namespace). */
  | { action: 'delete'; expiresAt: Date; because: string }
  /** Expired under Retain: the namespaces go, the resource stays Expired, the tombstone remembers. */
  | {
      action: 'teardown';
      expiresAt: Date;
      because: string;
      namespaces: KubeObject[];
      tombstone: Tombstone;
      earlier?: Tombstone;
      heldByInfrastructure: boolean;
    }
  /** The namespace is ours but the operator's binding to read its Secrets there is missing (made by an older version). */
  | { action: 'grantAccess'; namespace: string }
  | Provision;

export interface Provision {
  action: 'provision';
  copy: CopySpec;
  planned: Planned;
  targetNamespace: string;
  createNamespace: boolean;
  /** PodSecurity labels the existing namespace must take (an admin tightened the Baseline). */
  podSecurityLabels?: Record<string, string>;
  /** The baseline changed after the copy while the spec did not: report it stale, apply nothing. */
  stale: boolean;
  expiresAt?: Date;
  remote: boolean;
  extra: Partial<StagingEnvironmentStatus>;
}

export function decide(o: Observed, memo: PlanMemo = new PlanMemo()): Decision {
  const decision = decideFromSpec(o, memo);
  return decision.action === 'stall' ? expireStalled(o, decision) : decision;
}

/** Longest wait for a stalled environment's expiry; the next look sets the next wait. */
const MAX_EXPIRY_WAIT_MS = 10 * 60_000;

/**
 * A stalled environment still ends when its time is up. Stalls before the
 * spec is resolved (an invalid spec, one beyond the Baseline, a Baseline
 * that no longer allows it) know no expiry of their own, and the copy made
 * before keeps running: a tenant could keep a preview past its ttl, and past
 * the Baseline's maxTtl, by breaking its spec. The expiry last resolved
 * (status.expiresAt, written by the operator only) still holds.
 */
function expireStalled(o: Observed, stalled: Extract<Decision, { action: 'stall' }>): Decision {
  const known = o.env.status?.expiresAt ? new Date(o.env.status.expiresAt) : undefined;
  if (!known || Number.isNaN(known.getTime())) return stalled;
  const wait = known.getTime() - o.now.getTime();
  if (wait <= 0) return expire(o, known);
  const requeueAfterMs = Math.min(wait, MAX_EXPIRY_WAIT_MS, stalled.result.requeueAfterMs ?? Infinity);
  return { ...stalled, result: { ...stalled.result, requeueAfterMs } };
}

function decideFromSpec(o: Observed, memo: PlanMemo): Decision {
  const { env } = o;
  const environment = refOf(env);
  if (env.metadata.deletionTimestamp) return { action: 'finalize', namespaces: o.ownNamespaces };
  if (!o.spec.ok) return stall('InvalidSpec', `${o.spec.field}: ${o.spec.message}`);
  const retained = retainedExpiry(o);
  if (retained) return retained;
  if (!o.access) throw new Error('observe read no Baseline access for a valid spec');
  if (!o.access.ok) return stall(o.access.reason, `${o.access.field}: ${o.access.message}`);
  if (!o.resolved?.ok)
    return stall(
      'ExceedsBaseline',
      o.resolved ? `${o.resolved.field}: ${o.resolved.message}` : 'the spec was not resolved within its Baseline',
    );
  const { copy, expiresAt } = o.resolved.resolved;
  const extra = expiresAt ? { expiresAt: kubeTime(expiresAt) } : {};
  if (expiresAt && expiresAt.getTime() <= o.now.getTime()) return expire(o, expiresAt);

  const world = o.world;
  if (!world) throw new Error('observe read nothing for a live environment');
  if (!world.baseline.ok) {
    const result = world.baseline.reason === 'BaselineUnreachable' ? { requeueAfterMs: UNREACHABLE_RETRY_MS } : {};
    return stall(world.baseline.reason, `${world.baseline.field}: ${world.baseline.message}`, extra, result);
  }
  const { targetNamespace, namespace } = world;
  const ownership = namespaceOwnership(namespace, environment);
  if (ownership.state === 'foreign') {
    const previousOwner = namespace ? environmentOfNamespace(namespace) : undefined;
    // Left by an earlier environment of this name: an orphan, removed before the new copy starts.
    if (namespace && previousOwner?.name === environment.name && previousOwner.namespace === environment.namespace) {
      return wait(
        'NamespaceTerminating',
        `namespace ${targetNamespace} of an earlier StagingEnvironment of this name is being deleted`,
        env.status?.phase ?? 'Provisioning',
        extra,
        namespace,
      );
    }
    return stall('NamespaceNotOwned', `status.namespace: ${ownership.reason}`, extra);
  }
  if (ownership.state === 'terminating')
    return wait(
      'NamespaceTerminating',
      `namespace ${targetNamespace} is still being deleted`,
      env.status?.phase ?? 'Provisioning',
      extra,
    );
  if (ownership.state === 'managed' && !world.accessGranted)
    return { action: 'grantAccess', namespace: targetNamespace };

  let planned: Planned;
  try {
    planned = memo.plan(namespacedKey(environment.namespace, environment.name), {
      environment,
      generation: env.metadata.generation ?? 0,
      spec: copy,
      kinds: world.kinds,
      baseline: world.baseline.objects,
      baselineFingerprint: world.baseline.fingerprint,
      targetNamespace,
      ...(world.tlsSecret ? { tlsSecret: world.tlsSecret } : {}),
      secrets: world.secrets,
    });
  } catch (error) {
    if (error instanceof PlanError) return stall('InvalidSpec', error.message, extra);
    throw error;
  }
  const claimed = claimedHost(planned.plan.urls, world.ingresses, targetNamespace);
  if (claimed) return stall('HostClaimed', `spec.ingress.hostTemplate: ${claimed}`, extra);

  const generation = env.metadata.generation ?? 0;
  const provisioned = getCondition(env.status?.conditions, C.provisioned);
  const copied = env.status?.baselineRevision;
  const stale =
    provisioned?.status === 'True' &&
    provisioned.observedGeneration === generation &&
    copied !== undefined &&
    copied !== planned.plan.baselineRevision;
  const podSecurityLabels =
    namespace && ownership.state === 'managed' ? podSecurityChange(namespace, planned.plan.namespace) : undefined;
  return {
    action: 'provision',
    copy,
    planned,
    targetNamespace,
    createNamespace: !stale && ownership.state === 'absent',
    ...(podSecurityLabels ? { podSecurityLabels } : {}),
    stale,
    ...(expiresAt ? { expiresAt } : {}),
    remote: world.baseline.remote,
    extra,
  };
}

/** At expiry: Delete deletes the resource; Retain tears the environment down and keeps the resource. */
function expire(o: Observed, expiresAt: Date): Decision {
  const { env } = o;
  if (o.expiry.policy === 'Delete') return { action: 'delete', expiresAt, because: o.expiry.because };
  // A re-created resource that expires at once keeps the first one's uid in the tombstone: with its own uid there,
  // its next reconcile would no longer see an earlier resource, and the reason would flip to TTLExpired.
  const tombstone: Tombstone = {
    namespace: env.metadata.namespace,
    name: env.metadata.name,
    uid: o.lifetime.earlier?.uid ?? env.metadata.uid ?? '',
    firstCreatedAt: o.lifetime.start,
    expiredAt: expiresAt,
  };
  // External infrastructure goes first: its stack is destroyed (by its controller) before the namespace holding its outputs.
  const heldByInfrastructure = infrastructureHoldsNamespace(env);
  return {
    action: 'teardown',
    expiresAt,
    because: o.expiry.because,
    namespaces: o.ownNamespaces,
    tombstone,
    ...(o.lifetime.earlier ? { earlier: o.lifetime.earlier } : {}),
    heldByInfrastructure,
  };
}

/**
 * Already torn down under Retain, and the spec has not changed since: it
 * stays Expired without reading its Baseline (which may be gone by now). A
 * changed spec is judged afresh, so a longer ttl or a later expiresAt starts
 * the environment again.
 */
function retainedExpiry(o: Observed): Decision | undefined {
  const at = retainedExpiryAt(o.env, o.expiry.policy);
  return at ? expire(o, at) : undefined;
}

function stall(
  reason: string,
  message: string,
  extra: Partial<StagingEnvironmentStatus> = {},
  result: Result = {},
): Decision {
  return { action: 'stall', reason, message, extra, result };
}

function wait(
  reason: string,
  message: string,
  phase: StagingEnvironmentPhase,
  extra: Partial<StagingEnvironmentStatus>,
  deleteNamespace?: KubeObject,
): Decision {
  return { action: 'wait', reason, message, phase, extra, ...(deleteNamespace ? { deleteNamespace } : {}) };
}

/** A host of the plan that an Ingress outside the environment already serves: a preview never takes over another's (or production's) host. */
function claimedHost(
  urls: readonly string[],
  ingresses: readonly KubeObject[],
  targetNamespace: string,
): string | undefined {
  const claims = claimedHosts(ingresses, targetNamespace);
  for (const url of urls) {
    const host = new URL(url).hostname;
    const owner = claims.get(host);
    if (owner) return `host ${host} is already served by Ingress ${owner}`;
  }
  return undefined;
}

/** An admin who tightens a Baseline's PodSecurity level tightens the previews already made from it. */
function podSecurityChange(existing: KubeObject, desired: KubeObject): Record<string, string> | undefined {
  const labels = Object.fromEntries(
    Object.entries(desired.metadata.labels ?? {}).filter(([key]) => key.startsWith('pod-security.kubernetes.io/')),
  );
  return Object.entries(labels).every(([key, value]) => existing.metadata.labels?.[key] === value) ? undefined : labels;
}
