import type { Condition } from '../api/common';

export interface ConditionInput {
  type: string;
  status: Condition['status'];
  reason: string;
  message: string;
}

/**
 * Builds the next conditions list: lastTransitionTime moves only when the
 * status changes, and types not in `next` are dropped (kstatus wants Stalled
 * and Reconciling present only while true).
 */
export function nextConditions(
  previous: Condition[] | undefined,
  next: ConditionInput[],
  generation: number | undefined,
  now: Date,
): Condition[] {
  const before = new Map((previous ?? []).map((c) => [c.type, c]));
  return next.map((c) => {
    const old = before.get(c.type);
    const condition: Condition = {
      ...c,
      message: c.message.slice(0, 32768),
      lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : now.toISOString(),
    };
    if (generation !== undefined) condition.observedGeneration = generation;
    return condition;
  });
}

/** Types whose status changed (including appearing or disappearing), for events on transitions only. */
export function transitions(
  previous: Condition[] | undefined,
  next: Condition[],
): Array<{ type: string; from?: Condition['status']; to?: Condition['status'] }> {
  const before = new Map((previous ?? []).map((c) => [c.type, c.status]));
  const after = new Map(next.map((c) => [c.type, c.status]));
  const types = new Set([...before.keys(), ...after.keys()]);
  const changes: Array<{ type: string; from?: Condition['status']; to?: Condition['status'] }> = [];
  for (const type of types) {
    const from = before.get(type);
    const to = after.get(type);
    if (from === to) continue;
    const change: { type: string; from?: Condition['status']; to?: Condition['status'] } = { type };
    if (from !== undefined) change.from = from;
    if (to !== undefined) change.to = to;
    changes.push(change);
  }
  return changes;
}
