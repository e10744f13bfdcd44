import { errorMessage } from '../runtime/error-message';
// Engine events as progress lines, and an engine failure as one message.
// Pure: the types are the Automation API's event shapes, restated here so
// the controller side can use these helpers without loading @pulumi/pulumi.

export interface EngineEventLike {
  resourcePreEvent?: { metadata: { op: string; urn: string; type: string }; planning?: boolean };
  resOutputsEvent?: { metadata: { op: string; urn: string; type: string }; planning?: boolean };
  resOpFailedEvent?: { metadata: { op: string; urn: string; type: string } };
  summaryEvent?: { resourceChanges: Record<string, number>; durationSeconds: number };
}

const PRESENT: Record<string, string> = {
  create: 'creating',
  update: 'updating',
  delete: 'deleting',
  replace: 'replacing',
  refresh: 'refreshing',
  read: 'reading',
  'create-replacement': 'creating a replacement of',
  'delete-replaced': 'deleting the replaced',
};
const PAST: Record<string, string> = {
  create: 'created',
  update: 'updated',
  delete: 'deleted',
  replace: 'replaced',
  refresh: 'refreshed',
  read: 'read',
  'create-replacement': 'created a replacement of',
  'delete-replaced': 'deleted the replaced',
};

function nameOf(urn: string): string {
  return urn.split('::').pop() ?? urn;
}

/** A line for the events worth telling (resource steps, failures, the summary); undefined for the rest. */
export function describeEvent(event: EngineEventLike): string | undefined {
  const pre = event.resourcePreEvent;
  if (pre && !pre.planning && pre.metadata.op !== 'same' && !pre.metadata.type.startsWith('pulumi:pulumi:')) {
    return `${PRESENT[pre.metadata.op] ?? pre.metadata.op} ${nameOf(pre.metadata.urn)}`;
  }
  const out = event.resOutputsEvent;
  if (out && !out.planning && out.metadata.op !== 'same' && !out.metadata.type.startsWith('pulumi:pulumi:')) {
    return `${PAST[out.metadata.op] ?? out.metadata.op} ${nameOf(out.metadata.urn)}`;
  }
  const failed = event.resOpFailedEvent;
  if (failed) return `failed to ${failed.metadata.op} ${nameOf(failed.metadata.urn)}`;
  const summary = event.summaryEvent;
  if (summary) {
    const parts = Object.entries(summary.resourceChanges)
      .filter(([, n]) => n > 0)
      .map(([op, n]) => `${n} ${op}`);
    return `done in ${summary.durationSeconds}s${parts.length ? `: ${parts.join(', ')}` : ''}`;
  }
  return undefined;
}

/** At most this much of an engine message reaches a condition. */
export const MAX_MESSAGE = 2_000;

/**
 * The engine's own words: its error diagnostics (what `pulumi up` prints
 * under "Diagnostics"), else the thrown error's message, with the colour
 * codes removed and the length bounded.
 */
export function engineFailureMessage(diagnostics: readonly string[], error: unknown): string {
  const fromEvents = diagnostics.map((d) => d.trim()).filter((d) => d.length > 0);
  const raw = fromEvents.length > 0 ? fromEvents.join('\n') : errorMessage(error);
  const plain = raw
    // eslint-disable-next-line no-control-regex -- removes the engine's terminal colour codes
    .replace(/\u001b\[[0-9;]*m/g, '')
    .replace(/<\{%[^%]*%\}>/g, '')
    .trim();
  return plain.length > MAX_MESSAGE ? `${plain.slice(0, MAX_MESSAGE - 1)}…` : plain;
}
