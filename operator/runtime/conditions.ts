/**
 * A condition as the Kubernetes API conventions define it (metav1.Condition).
 * The runtime owns the shape; each kind's schema in api/ renders the same one.
 */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

export type ConditionStatus = Condition['status'];

export interface ConditionInput {
  type: string;
  status: ConditionStatus;
  reason: string;
  message?: string;
  /** The metadata.generation this condition describes. */
  observedGeneration?: number;
}

/** metav1.Time precision: seconds, RFC 3339, UTC. */
export function kubeTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function getCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return getCondition(conditions, type)?.status === 'True';
}

/**
 * Returns the conditions with `input` set, keeping the others in place.
 * lastTransitionTime changes only when the status does, as the Kubernetes API
 * conventions require; reason, message and observedGeneration always follow.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  input: ConditionInput,
  now: Date = new Date(),
): Condition[] {
  const existing = getCondition(conditions, input.type);
  const next: Condition = {
    type: input.type,
    status: input.status,
    reason: input.reason,
    message: input.message ?? '',
    ...(input.observedGeneration !== undefined ? { observedGeneration: input.observedGeneration } : {}),
    lastTransitionTime: existing && existing.status === input.status ? existing.lastTransitionTime : kubeTime(now),
  };
  if (!existing) return [...(conditions ?? []), next];
  return (conditions ?? []).map((c) => (c.type === input.type ? next : c));
}

export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

/** kstatus abnormal-true conditions (Reconciling, Stalled) exist only while true. */
function setAbnormalTrue(
  type: 'Reconciling' | 'Stalled',
  conditions: readonly Condition[] | undefined,
  state: false | { reason: string; message?: string; observedGeneration?: number },
  now: Date,
): Condition[] {
  if (state === false) return removeCondition(conditions, type);
  return setCondition(conditions, { type, status: 'True', ...state }, now);
}

export function setReconciling(
  conditions: readonly Condition[] | undefined,
  state: false | { reason: string; message?: string; observedGeneration?: number },
  now: Date = new Date(),
): Condition[] {
  return setAbnormalTrue('Reconciling', conditions, state, now);
}

export function setStalled(
  conditions: readonly Condition[] | undefined,
  state: false | { reason: string; message?: string; observedGeneration?: number },
  now: Date = new Date(),
): Condition[] {
  return setAbnormalTrue('Stalled', conditions, state, now);
}
