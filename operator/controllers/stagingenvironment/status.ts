import type { Condition } from '../../api/common';
import {
  CONDITION_TYPES,
  MAX_STATUS_REDACTED,
  type StagingEnvironmentPhase,
  type StagingEnvironmentStatus,
} from '../../api/stagingenvironment';
import { boundedStatusLists, readyServicesText, type ServiceStatus } from '../../environment/status';
import { getCondition, kubeTime, setCondition, setReconciling, setStalled } from '../../runtime/conditions';

// The environment's status as a pure function of what one reconcile saw.
// Conditions follow kstatus (Ready; Reconciling and Stalled only while
// true), lastTransitionTime moves only on a change, messages carry no clock
// readings, so that a reconcile that changed nothing computes the very same
// status and writes nothing.

const C = CONDITION_TYPES;

export interface SeedProgress {
  total: number;
  succeeded: string[];
  failed: Array<{ name: string; message: string }>;
  pending: string[];
}

export interface TestProgress {
  total: number;
  succeeded: number;
  failed: string[];
  /** Tests whose pods the API server refuses (PodSecurity, quota, policy): their Jobs are not created. */
  refused?: Array<{ name: string; message: string }>;
  running: number;
  /** Tests whose Job is not there yet (the environment is not Ready, or a changed Job is being replaced). */
  waiting: number;
}

export interface Observation {
  generation: number;
  createdAt: Date;
  now: Date;
  previous: StagingEnvironmentStatus | undefined;
  targetNamespace: string;
  expiresAt?: Date;
  suspended: boolean;
  /** Every desired object is applied and up to date for this generation. */
  provisioned: boolean;
  /** Why provisioning is not done, when it is not. */
  provisioningMessage?: string;
  appliedObjects: number;
  /** What the plan could not copy as it is (an Ingress without hostTemplate, an omitted Secret). */
  warnings?: readonly string[];
  baselineRevision: string;
  /** The revision of the baseline now, when it differs from the one copied. */
  staleRevision?: string;
  services: ServiceStatus[];
  /** Workloads whose controller gave up (environment/rollout.ts): the only thing that makes a Ready environment Degraded. */
  failures?: readonly string[];
  urls: string[];
  /** Production values replaced because they looked like credentials, by place. */
  redacted?: readonly string[];
  seeds: SeedProgress;
  tests?: TestProgress;
  /** The Baseline defines infrastructure (issue 13): Ready also waits for the stack its controller brings up. */
  infrastructure?: boolean;
}

export interface Stall {
  generation: number;
  now: Date;
  reason: string;
  message: string;
}

export function environmentStatus(o: Observation): StagingEnvironmentStatus {
  const seeded = o.seeds.failed.length === 0 && o.seeds.pending.length === 0;
  const infra = infrastructureState(o);
  const waitingFor = o.services.filter((s) => !s.ready).map((s) => s.name);
  const ready = o.provisioned && waitingFor.length === 0 && seeded && infra.ready;
  const g = o.generation;
  let conditions = o.previous?.conditions;
  const set = (type: string, status: Condition['status'], reason: string, message: string): void => {
    conditions = setCondition(conditions, { type, status, reason, message, observedGeneration: g }, o.now);
  };

  if (o.provisioned)
    set(
      C.provisioned,
      'True',
      'Applied',
      `${o.appliedObjects} objects applied in namespace ${o.targetNamespace}${warningsText(o.warnings)}`,
    );
  else
    set(
      C.provisioned,
      'False',
      'Provisioning',
      o.provisioningMessage ?? `applying objects in namespace ${o.targetNamespace}`,
    );

  const seedFailure = o.seeds.failed[0];
  if (o.seeds.total === 0) set(C.dataSeeded, 'True', 'NoSeeds', 'no dataSeeds declared');
  else if (seedFailure)
    set(C.dataSeeded, 'False', 'SeedFailed', `DataSeed ${seedFailure.name} failed: ${seedFailure.message}`);
  else if (seeded) set(C.dataSeeded, 'True', 'Succeeded', `${o.seeds.total}/${o.seeds.total} DataSeeds succeeded`);
  else set(C.dataSeeded, 'False', 'Seeding', `waiting for DataSeeds: ${o.seeds.pending.join(', ')}`);

  const failure = ready ? undefined : (o.failures?.[0] ?? infra.failure);
  const failureReason = o.failures?.[0] !== undefined ? 'WorkloadFailed' : 'InfrastructureFailed';
  const readiness = readyCondition(
    o,
    ready,
    waitingFor,
    seedFailure,
    failure === undefined ? undefined : { reason: failureReason, message: failure },
  );
  set(C.ready, readiness.status, readiness.reason, readiness.message);
  const stall = seedFailure ? 'SeedFailed' : failure ? failureReason : undefined;
  conditions = setStalled(
    conditions,
    stall ? { reason: stall, message: readiness.message, observedGeneration: g } : false,
    o.now,
  );
  conditions = setReconciling(
    conditions,
    ready || stall ? false : { reason: readiness.reason, message: readiness.message, observedGeneration: g },
    o.now,
  );
  conditions = conditions?.filter((c) => c.type !== C.expired);

  const tests = testsCondition(o.tests, ready);
  set(C.testsPassed, tests.status, tests.reason, tests.message);
  if (o.staleRevision)
    set(
      C.baselineStale,
      'True',
      'BaselineChanged',
      `the baseline changed after the copy (copied ${short(o.baselineRevision)}, now ${short(o.staleRevision)}); edit the spec or recreate the environment to copy it again`,
    );
  else set(C.baselineStale, 'False', 'UpToDate', `the copy matches the baseline (${short(o.baselineRevision)})`);

  const bounded = boundedStatusLists(o.services, o.urls);
  const timings = nextTimings(o, ready, seeded);
  const phase = phaseOf({
    ready,
    provisioned: o.provisioned,
    suspended: o.suspended,
    seedFailed: seedFailure !== undefined,
    workloadFailed: failure !== undefined,
    servicesReady: waitingFor.length === 0,
    wasReady: o.previous?.timings?.readySeconds !== undefined,
  });
  return {
    phase,
    namespace: o.targetNamespace,
    baselineRevision: o.baselineRevision,
    readyServices: readyServicesText(o.services),
    services: bounded.services,
    ...(bounded.urls.length > 0 ? { urls: bounded.urls } : {}),
    ...(o.redacted?.length ? { redactedValues: o.redacted.slice(0, MAX_STATUS_REDACTED) } : {}),
    ...(o.expiresAt ? { expiresAt: kubeTime(o.expiresAt) } : {}),
    ...(Object.keys(timings).length > 0 ? { timings } : {}),
    ...(o.tests
      ? {
          tests: {
            total: o.tests.total,
            succeeded: o.tests.succeeded,
            failed: o.tests.failed.length,
            running: o.tests.running,
          },
        }
      : {}),
    conditions: ordered(conditions ?? []),
    observedGeneration: g,
    // status.infrastructure is the infrastructure controller's (issue 13): kept as it is.
    ...(o.previous?.infrastructure ? { infrastructure: o.previous.infrastructure } : {}),
  };
}

function readyCondition(
  o: Observation,
  ready: boolean,
  waitingFor: string[],
  seedFailure: { name: string } | undefined,
  failure: { reason: string; message: string } | undefined,
): { status: Condition['status']; reason: string; message: string } {
  if (ready && o.suspended)
    return {
      status: 'True',
      reason: 'Suspended',
      message: `suspended: every workload in namespace ${o.targetNamespace} is scaled to zero`,
    };
  if (ready)
    return {
      status: 'True',
      reason: 'Ready',
      message: `${o.services.length}/${o.services.length} services ready in namespace ${o.targetNamespace}`,
    };
  if (!o.provisioned)
    return {
      status: 'False',
      reason: 'Provisioning',
      message: o.provisioningMessage ?? `applying objects in namespace ${o.targetNamespace}`,
    };
  if (seedFailure)
    return {
      status: 'False',
      reason: 'SeedFailed',
      message: `DataSeed ${seedFailure.name} failed; the environment cannot become Ready until it succeeds`,
    };
  if (failure) return { status: 'False', ...failure };
  const infrastructure = infrastructureState(o).waiting;
  if (infrastructure !== undefined)
    return { status: 'False', reason: 'WaitingForInfrastructure', message: infrastructure };
  if (waitingFor.length > 0) {
    const shown =
      waitingFor.slice(0, 10).join(', ') + (waitingFor.length > 10 ? `, and ${waitingFor.length - 10} more` : '');
    return {
      status: 'False',
      reason: 'WaitingForServices',
      message: `${o.services.length - waitingFor.length}/${o.services.length} services ready; waiting for ${shown}`,
    };
  }
  return { status: 'False', reason: 'Seeding', message: `waiting for DataSeeds: ${o.seeds.pending.join(', ')}` };
}

/**
 * The infrastructure controller's verdict on the environment's stack, as the
 * environment's readiness needs it: a stack that failed is a failure like a
 * workload's, one not up yet is something to wait for.
 */
function infrastructureState(o: Observation): { ready: boolean; failure?: string; waiting?: string } {
  if (!o.infrastructure) return { ready: true };
  const conditions = o.previous?.infrastructure?.conditions;
  const stalled = getCondition(conditions, 'Stalled');
  if (stalled?.status === 'True') return { ready: false, failure: `infrastructure: ${stalled.message}` };
  const ready = getCondition(conditions, 'Ready');
  if (ready?.status === 'True') return { ready: true };
  return {
    ready: false,
    waiting: `waiting for the environment's infrastructure: ${ready?.message ?? 'its stack is not up yet'}`,
  };
}

function testsCondition(
  tests: TestProgress | undefined,
  ready: boolean,
): { status: Condition['status']; reason: string; message: string } {
  if (!tests || tests.total === 0) return { status: 'True', reason: 'NoTests', message: 'no tests declared' };
  const refused = tests.refused?.[0];
  if (refused)
    return { status: 'False', reason: 'Refused', message: `test ${refused.name} cannot run: ${refused.message}` };
  if (tests.failed.length > 0)
    return {
      status: 'False',
      reason: 'Failed',
      message: `${tests.failed.length}/${tests.total} tests failed: ${tests.failed.join(', ')}`,
    };
  if (tests.succeeded === tests.total)
    return { status: 'True', reason: 'Succeeded', message: `${tests.total}/${tests.total} tests passed` };
  if (!ready && tests.running === 0)
    return { status: 'Unknown', reason: 'WaitingForReady', message: 'tests run once the environment is Ready' };
  return {
    status: 'Unknown',
    reason: 'Running',
    message: `${tests.succeeded}/${tests.total} tests passed, ${tests.running} running`,
  };
}

type Timings = NonNullable<StagingEnvironmentStatus['timings']>;

/** Each phase's time is taken once, the first time it is reached, in seconds from creation. */
function nextTimings(o: Observation, ready: boolean, seeded: boolean): Timings {
  const previous = o.previous?.timings ?? {};
  const elapsed = Math.max(0, Math.round((o.now.getTime() - o.createdAt.getTime()) / 100) / 10);
  return {
    ...previous,
    ...(previous.provisionedSeconds === undefined && o.provisioned ? { provisionedSeconds: elapsed } : {}),
    ...(previous.seededSeconds === undefined && o.provisioned && seeded ? { seededSeconds: elapsed } : {}),
    ...(previous.readySeconds === undefined && ready ? { readySeconds: elapsed } : {}),
  };
}

/**
 * Once Ready, an environment that is not is either being updated (a new
 * image, a resume, any spec change: Progressing, as Argo CD and kstatus call
 * a rollout) or broken (a workload its controller gave up on: Degraded).
 * Telling the two apart is what keeps a GitOps preview green on every push.
 */
export function phaseOf(s: {
  ready: boolean;
  provisioned: boolean;
  suspended: boolean;
  seedFailed: boolean;
  workloadFailed?: boolean;
  servicesReady: boolean;
  wasReady: boolean;
}): StagingEnvironmentPhase {
  if (s.seedFailed) return 'Failed';
  if (s.suspended && s.provisioned) return 'Suspended';
  if (s.ready) return 'Ready';
  if (s.wasReady) return s.workloadFailed ? 'Degraded' : 'Progressing';
  if (s.workloadFailed) return 'Failed';
  if (s.provisioned && s.servicesReady) return 'Seeding';
  return 'Provisioning';
}

/** The environment cannot make progress until someone changes something: Stalled, and Ready False for the same reason. */
export function stalledStatus(
  previous: StagingEnvironmentStatus | undefined,
  stall: Stall,
  extra: Partial<StagingEnvironmentStatus> = {},
): StagingEnvironmentStatus {
  let conditions = setStalled(
    previous?.conditions,
    { reason: stall.reason, message: stall.message, observedGeneration: stall.generation },
    stall.now,
  );
  conditions = setReconciling(conditions, false, stall.now);
  conditions = setCondition(
    conditions,
    {
      type: C.ready,
      status: 'False',
      reason: stall.reason,
      message: stall.message,
      observedGeneration: stall.generation,
    },
    stall.now,
  );
  return {
    ...previous,
    ...extra,
    phase: 'Failed',
    conditions: ordered(conditions.filter((c) => c.type !== C.expired)),
    observedGeneration: stall.generation,
  };
}

export interface Expiry {
  generation: number;
  now: Date;
  expiresAt: Date;
  /** Why Retain applies (the field, or the GitOps tracking marker). */
  because: string;
  /** Namespaces still being deleted; empty once the environment is gone. */
  deleting: readonly string[];
  /** The namespaces wait for the environment's infrastructure to be destroyed first. */
  heldByInfrastructure?: boolean;
  /** An earlier resource of this name expired, and this one counts its lifetime from the first's creation. */
  earlier?: { uid: string; firstCreatedAt: Date };
}

/**
 * Expired under the Retain policy: the environment is torn down, the resource
 * stays. Ready False and Expired True, neither Reconciling nor Stalled once
 * the namespace is gone (kstatus Current: nothing is left to do), so that
 * Argo CD shows the Application settled rather than failing or progressing.
 */
export function expiredStatus(previous: StagingEnvironmentStatus | undefined, e: Expiry): StagingEnvironmentStatus {
  const anchor = e.earlier
    ? ` (its lifetime counts from ${kubeTime(e.earlier.firstCreatedAt)}, when an earlier StagingEnvironment of this name was created)`
    : '';
  const message = `expired at ${kubeTime(e.expiresAt)}${anchor}; the environment is torn down and this resource is kept (expiryPolicy Retain, from ${e.because}) until it is deleted; extend ttl or expiresAt to start it again`;
  const deleting =
    e.deleting.length === 0
      ? undefined
      : e.heldByInfrastructure
        ? `destroying the infrastructure before deleting namespace ${e.deleting.join(', ')}`
        : `deleting namespace ${e.deleting.join(', ')}`;
  let conditions = setStalled(previous?.conditions, false, e.now);
  conditions = setReconciling(
    conditions,
    deleting
      ? { reason: 'Expiring', message: `${deleting}; waiting until it is gone`, observedGeneration: e.generation }
      : false,
    e.now,
  );
  conditions = setCondition(
    conditions,
    { type: C.ready, status: 'False', reason: 'Expired', message, observedGeneration: e.generation },
    e.now,
  );
  conditions = setCondition(
    conditions,
    {
      type: C.expired,
      status: 'True',
      reason: e.earlier ? 'ExpiredBefore' : 'TTLExpired',
      message,
      observedGeneration: e.generation,
    },
    e.now,
  );
  conditions = setCondition(
    conditions,
    {
      type: C.provisioned,
      status: 'False',
      reason: 'Expired',
      message: deleting ?? 'the namespace was deleted at expiry',
      observedGeneration: e.generation,
    },
    e.now,
  );
  const { urls: _urls, services: _services, readyServices: _ready, ...kept } = previous ?? {};
  return {
    ...kept,
    phase: 'Expired',
    expiresAt: kubeTime(e.expiresAt),
    conditions: ordered(conditions),
    observedGeneration: e.generation,
  };
}

/** Waiting on something that resolves by itself (a namespace finishing its deletion): Reconciling, not Stalled. */
export function waitingStatus(
  previous: StagingEnvironmentStatus | undefined,
  wait: Stall,
  phase: StagingEnvironmentPhase,
): StagingEnvironmentStatus {
  let conditions = setStalled(previous?.conditions, false, wait.now);
  conditions = setReconciling(
    conditions,
    { reason: wait.reason, message: wait.message, observedGeneration: wait.generation },
    wait.now,
  );
  conditions = setCondition(
    conditions,
    { type: C.ready, status: 'False', reason: wait.reason, message: wait.message, observedGeneration: wait.generation },
    wait.now,
  );
  return {
    ...previous,
    phase,
    conditions: ordered(conditions.filter((c) => phase === 'Expired' || c.type !== C.expired)),
    observedGeneration: wait.generation,
  };
}

const ORDER: readonly string[] = [
  C.ready,
  C.reconciling,
  C.stalled,
  C.expired,
  C.provisioned,
  C.dataSeeded,
  C.testsPassed,
  C.baselineStale,
];

/** A fixed order, so the same conditions always serialise the same way. */
function ordered(conditions: readonly Condition[]): Condition[] {
  const rank = (type: string): number => (ORDER.includes(type) ? ORDER.indexOf(type) : ORDER.length);
  return [...conditions].sort((a, b) => rank(a.type) - rank(b.type) || a.type.localeCompare(b.type));
}

const WARNINGS = /; \d+ warning\(s\): /;

/** Plan warnings belong where users look, in Provisioned's message; they are deterministic, so they never cause a write. */
function warningsText(warnings: readonly string[] = []): string {
  if (warnings.length === 0) return '';
  return `; ${warnings.length} warning(s): ${warnings.slice(0, 3).join('; ')}${warnings.length > 3 ? '; ...' : ''}`;
}

function short(revision: string): string {
  return revision.replace(/^sha256:/, '').slice(0, 12);
}

export interface Transition {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/**
 * Events worth emitting: only conditions that changed status (or appeared)
 * between two statuses. Ready turning False is a Warning only when the phase
 * says Degraded; an update after Ready is a Normal Progressing.
 */
export function transitions(
  before: StagingEnvironmentStatus | undefined,
  after: StagingEnvironmentStatus,
): Transition[] {
  const previous = before?.conditions;
  const next = after.conditions;
  const changed = (type: string): Condition | undefined => {
    const now = getCondition(next, type);
    const before = getCondition(previous, type);
    return now && (!before || before.status !== now.status || (type === C.stalled && before.reason !== now.reason))
      ? now
      : undefined;
  };
  const out: Transition[] = [];
  const stalled = changed(C.stalled);
  if (stalled) out.push({ type: 'Warning', reason: stalled.reason, message: stalled.message });
  const provisioned = changed(C.provisioned);
  if (provisioned?.status === 'True') {
    out.push({ type: 'Normal', reason: 'Provisioned', message: provisioned.message });
    // What could not be copied as is (an Ingress without a host template, an
    // omitted Secret) is a Warning of its own, where `kubectl get events
    // --field-selector type=Warning` finds it.
    const warnings = WARNINGS.exec(provisioned.message);
    if (warnings)
      out.push({ type: 'Warning', reason: 'CopyWarnings', message: provisioned.message.slice(warnings.index + 2) });
  }
  const seeded = changed(C.dataSeeded);
  if (seeded?.status === 'True' && seeded.reason !== 'NoSeeds')
    out.push({ type: 'Normal', reason: 'DataSeeded', message: seeded.message });
  const ready = changed(C.ready);
  if (ready?.status === 'True') out.push({ type: 'Normal', reason: ready.reason, message: ready.message });
  else if (ready && getCondition(previous, C.ready)?.status === 'True' && !stalled && after.phase === 'Degraded')
    out.push({ type: 'Warning', reason: 'Degraded', message: ready.message });
  else if (ready && getCondition(previous, C.ready)?.status === 'True' && !stalled && after.phase === 'Progressing')
    out.push({ type: 'Normal', reason: 'Progressing', message: ready.message });
  const expired = changed(C.expired);
  if (expired?.status === 'True') out.push({ type: 'Normal', reason: 'Expired', message: expired.message });
  const tests = changed(C.testsPassed);
  if (tests?.status === 'True' && tests.reason !== 'NoTests')
    out.push({ type: 'Normal', reason: 'TestsPassed', message: tests.message });
  if (tests?.status === 'False') out.push({ type: 'Warning', reason: 'TestsFailed', message: tests.message });
  const stale = changed(C.baselineStale);
  if (stale?.status === 'True') out.push({ type: 'Normal', reason: 'BaselineChanged', message: stale.message });
  return out;
}
