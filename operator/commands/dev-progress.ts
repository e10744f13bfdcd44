import type { Condition } from '../api/common';
import type { StagingEnvironmentStatus } from '../api/stagingenvironment';
import { getCondition } from '../runtime/conditions';

// What `understudy dev up` makes of an environment while it waits: still
// going (and what it waits for), done, or stuck until someone changes
// something. Judged only on a status computed for the current generation, so
// an old Ready never ends the wait for a new spec.

export interface EnvironmentView {
  metadata: { name?: string; namespace?: string; generation?: number };
  status?: StagingEnvironmentStatus;
}

export type Outcome = 'waiting' | 'ready' | 'stalled' | 'testsFailed';

export interface Assessment {
  outcome: Outcome;
  /** One line for humans: what the environment is doing or why it stopped. */
  line: string;
}

export interface AssessOptions {
  /** Also wait for the tests Jobs (TestsPassed True); a failed test ends the wait. */
  waitForTests?: boolean;
  /** How long the command has waited; with no status after a while, the line asks whether the operator runs. */
  elapsedMs?: number;
}

/** After this long without any status, the operator is probably not watching the namespace. */
export const NO_OPERATOR_HINT_MS = 15_000;

export function assessEnvironment(env: EnvironmentView, options: AssessOptions = {}): Assessment {
  const generation = env.metadata.generation ?? 0;
  const status = env.status;
  if (!status || (status.observedGeneration ?? -1) < generation) {
    const hint =
      !status && (options.elapsedMs ?? 0) >= NO_OPERATOR_HINT_MS
        ? ` (nothing yet after ${Math.round((options.elapsedMs ?? 0) / 1000)}s: is the operator running and watching namespace ${env.metadata.namespace}?)`
        : '';
    return { outcome: 'waiting', line: `waiting for the operator to observe generation ${generation}${hint}` };
  }
  const stalled = current(status, 'Stalled', generation);
  if (stalled?.status === 'True')
    return { outcome: 'stalled', line: `Stalled (${stalled.reason}): ${stalled.message}` };
  const ready = current(status, 'Ready', generation);
  const phase = status.phase ?? 'Provisioning';
  if (ready?.status !== 'True')
    return { outcome: 'waiting', line: `${phase}: ${ready?.message ?? 'no Ready condition yet'}` };
  if (!options.waitForTests) return { outcome: 'ready', line: `${phase}: ${ready.message}` };
  const tests = current(status, 'TestsPassed', generation);
  if (tests?.status === 'True') return { outcome: 'ready', line: `${phase}: ${ready.message}; ${tests.message}` };
  if (tests?.status === 'False')
    return { outcome: 'testsFailed', line: `TestsPassed False (${tests.reason}): ${tests.message}` };
  return { outcome: 'waiting', line: `${phase}, tests: ${tests?.message ?? 'not started'}` };
}

function current(status: StagingEnvironmentStatus, type: string, generation: number): Condition | undefined {
  const condition = getCondition(status.conditions, type);
  // A condition without observedGeneration is trusted as the status' own.
  return condition && (condition.observedGeneration ?? status.observedGeneration ?? -1) >= generation
    ? condition
    : undefined;
}

/** What a developer wants once it is Ready: where it lives, its URLs, how long each phase took. */
export function readySummary(env: EnvironmentView): string[] {
  const status = env.status ?? { conditions: [] };
  const lines = [
    `environment ${env.metadata.namespace}/${env.metadata.name} is ${status.phase ?? 'Ready'} in namespace ${status.namespace ?? '?'}`,
  ];
  if (status.readyServices) lines.push(`services ready: ${status.readyServices}`);
  const services = status.services ?? [];
  const replicas = services.map((s) => (s.mode === 'shared' ? 'shared' : `${s.readyReplicas ?? 0}/${s.replicas ?? 0}`));
  const nameWidth = Math.max(0, ...services.map((s) => s.name.length));
  const replicasWidth = Math.max(0, ...replicas.map((r) => r.length));
  services.forEach((service, i) => {
    const detail = service.mode === 'shared' ? "the baseline's instance" : (service.image ?? '');
    lines.push(
      `  ${service.name.padEnd(nameWidth)}  ${(replicas[i] ?? '').padEnd(replicasWidth)}  ${detail}`.trimEnd(),
    );
  });
  for (const url of status.urls ?? []) lines.push(`url: ${url}`);
  const t = status.timings;
  if (t) {
    const parts = [t.provisionedSeconds, t.seededSeconds, t.readySeconds]
      .map((s, i) => (s === undefined ? undefined : `${['provisioned', 'seeded', 'ready'][i]} ${s}s`))
      .filter(Boolean);
    if (parts.length > 0) lines.push(`timings: ${parts.join(', ')}`);
  }
  lines.push(`expires: ${status.expiresAt ?? 'never'}`);
  return lines;
}
