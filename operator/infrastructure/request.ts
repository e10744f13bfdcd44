import { z } from 'zod';
import { BUILT_IN_PROGRAMS } from '../api/infrastructure';

// What a runner (a child process of the operator, or a Job's pod) is asked to
// do, and what it answers. Crosses a process boundary as JSON: parsed with zod
// on both sides. Secrets travel on stdin and stdout, never in argv.

/** Where an image program lives in its image (built FROM the operator's image). */
export const IMAGE_PROGRAM_MODULE = '/program';

export const STACK_ACTIONS = ['up', 'destroy', 'drift'] as const;
export type StackAction = (typeof STACK_ACTIONS)[number];

export const StackRequestSchema = z.object({
  action: z.enum(STACK_ACTIONS),
  project: z.string().regex(/^[a-zA-Z0-9_.-]{1,100}$/),
  stack: z.string().regex(/^[a-zA-Z0-9_.-]{1,100}$/),
  /** A built-in program, or `image`: the program module of the image the Job runs (`programModule`). */
  program: z.union([z.enum(BUILT_IN_PROGRAMS), z.literal('image')]),
  /** For `image`: where the program module is (in the image, /program). */
  programModule: z.string().min(1).max(4096).optional(),
  /** For `image`: the image the Job runs (the Baseline's program.image); part of what `up` depends on. */
  programImage: z.string().min(1).max(512).optional(),
  backendUrl: z.string().min(1),
  passphrase: z.string(),
  config: z.record(z.string(), z.string()).default({}),
  secretConfig: z.record(z.string(), z.string()).default({}),
  env: z.record(z.string(), z.string()).default({}),
  /** After destroy, remove the stack from the backend too. */
  removeStack: z.boolean().default(true),
});
export type StackRequest = z.infer<typeof StackRequestSchema>;

export const OutputSchema = z.object({ value: z.unknown(), secret: z.boolean() });

export const StackResultSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    action: z.enum(STACK_ACTIONS),
    durationMs: z.number(),
    outputs: z.record(z.string(), OutputSchema).default({}),
    /** Resource operations by kind (create, update, delete, same, ...). */
    changes: z.record(z.string(), z.number()).default({}),
    /** drift: whether a refresh would change the state. */
    drifted: z.boolean().optional(),
    /** What recovery cleared before the operation: stale locks, pending operations. */
    recovered: z.array(z.string()).default([]),
    /** Milliseconds spent before the operation (engine version, stack select, recovery, configuration) and in it. */
    timings: z.object({ prepareMs: z.number(), operationMs: z.number() }).optional(),
  }),
  z.object({
    ok: z.literal(false),
    action: z.enum(STACK_ACTIONS),
    durationMs: z.number(),
    message: z.string(),
    recovered: z.array(z.string()).default([]),
    /** The runner died before reporting (killed, crashed): not the program's failure; the next run recovers the stack. */
    interrupted: z.boolean().optional(),
    /** Another engine on this host still holds the stack's lock: nothing was tried; the controller runs again shortly. */
    busy: z.boolean().optional(),
  }),
]);
export type StackResult = z.infer<typeof StackResultSchema>;

/** One line a runner writes on stdout: progress while it works, then exactly one result. */
export const RunnerLineSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), message: z.string() }),
  z.object({ type: z.literal('result'), result: StackResultSchema }),
]);
export type RunnerLine = z.infer<typeof RunnerLineSchema>;

/** A stack name per environment: its namespace, name and uid, so a new environment of the same name gets a new stack. */
export function stackNameOf(environment: { namespace: string; name: string; uid: string }): string {
  const base = `${environment.namespace}.${environment.name}`.slice(0, 80);
  return `${base}.${environment.uid.replace(/-/g, '').slice(0, 12)}`;
}
