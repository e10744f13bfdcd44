/** Why a LoadTest cannot run now: the Stalled reason and a message naming the field. */
export interface PlanProblem {
  reason: string;
  message: string;
}
