import type { Condition } from '../api/common';
import { transitions } from './conditions';
import type { Summary } from './verdict';

export interface ParityEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

function wasInvalidSpec(previous: Condition[] | undefined): boolean {
  return previous?.some((c) => c.type === 'Stalled' && c.reason === 'InvalidSpec') ?? false;
}

const CATEGORY_TYPES = new Set(['ConfigDrifted', 'SchemaDrifted', 'DataDrifted', 'BehaviourDrifted']);

/** Events for what changed since the last run, and nothing when nothing did: a check on an interval stays quiet. */
export function eventsFor(previous: Condition[] | undefined, next: Condition[], summary: Summary): ParityEvent[] {
  const byType = new Map(next.map((c) => [c.type, c]));
  const events: ParityEvent[] = [];
  for (const change of transitions(previous, next)) {
    const condition = byType.get(change.type);
    if (change.type === 'InParity' && condition) {
      if (condition.status === 'True')
        events.push({
          type: 'Normal',
          reason: 'InParity',
          message: `staging is in parity with production (score ${summary.score})`,
        });
      else if (condition.status === 'False')
        events.push({
          type: 'Warning',
          reason: 'DriftDetected',
          message: `staging drifted from production: ${condition.message} (score ${summary.score})`,
        });
      else events.push({ type: 'Warning', reason: 'Inconclusive', message: condition.message });
    } else if (change.type === 'Stalled') {
      if (change.to === 'True' && condition)
        events.push({ type: 'Warning', reason: 'Stalled', message: condition.message });
      else if (change.to === undefined)
        events.push({
          type: 'Normal',
          reason: 'Recovered',
          message: wasInvalidSpec(previous)
            ? 'the spec is valid again and the check ran'
            : 'every source answered again',
        });
    } else if (CATEGORY_TYPES.has(change.type) && condition?.status === 'True') {
      events.push({ type: 'Warning', reason: change.type, message: condition.message });
    }
  }
  return events;
}
