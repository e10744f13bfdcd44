import { z } from 'zod';

// Shared building blocks of the three kinds. Every schema here is rendered
// into the CRDs by crd.ts, so descriptions are what `kubectl explain` shows.

export const GROUP = 'understudy.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** Labels and annotations the operator puts on everything it manages. */
export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  environment: 'understudy.dev/environment',
  environmentNamespace: 'understudy.dev/environment-namespace',
} as const;
export const MANAGED_BY = 'understudy';
export const FIELD_MANAGER = 'understudy';

export const ConditionSchema = z
  .object({
    type: z.string().min(1).max(316).describe('Type of condition in CamelCase, for example Ready.'),
    status: z.enum(['True', 'False', 'Unknown']).describe('Status of the condition: True, False or Unknown.'),
    reason: z.string().min(1).max(1024).describe('Machine-readable CamelCase reason for the last transition.'),
    message: z.string().max(32768).describe('Human-readable details about the last transition.'),
    observedGeneration: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('The .metadata.generation the condition was set for.'),
    lastTransitionTime: z.string().describe('When the condition last changed status (RFC 3339).'),
  })
  .describe('A condition following the Kubernetes API conventions.');
export type Condition = z.infer<typeof ConditionSchema>;

export const ConditionsSchema = z
  .array(ConditionSchema)
  .max(32)
  .optional()
  .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] })
  .describe(
    'The latest observations of the resource, following kstatus: Ready, and Reconciling or Stalled only while true.',
  );

/** A Go-style duration such as `90s`, `30m`, `72h` or `1h30m`. */
export const DurationSchema = z
  .string()
  .regex(/^([0-9]+(\.[0-9]+)?(ms|s|m|h|d))+$/, 'must be a duration such as 30m, 72h or 1h30m')
  .describe('A duration such as 30m, 72h or 1h30m (units ms, s, m, h, d).');

/** A positive decimal ratio written as a string, as Kubernetes writes quantities. */
export const RatioSchema = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)?$/, 'must be a decimal number such as 0.25')
  .describe('A ratio written as a decimal string, for example "0.25".');

export const SecretKeySelectorSchema = z
  .object({
    name: z.string().min(1).describe("Name of the Secret in the resource's namespace."),
    key: z.string().min(1).describe('Key within the Secret.'),
  })
  .describe('A key of a Secret in the same namespace.');
export type SecretKeySelector = z.infer<typeof SecretKeySelectorSchema>;

export const LocalObjectReferenceSchema = z
  .object({ name: z.string().min(1).describe('Name of the object in the same namespace.') })
  .describe('A reference to an object in the same namespace.');

export const LabelSelectorSchema = z
  .object({
    matchLabels: z.record(z.string(), z.string()).optional().describe('Labels an object must carry, all of them.'),
    matchExpressions: z
      .array(
        z
          .object({
            key: z.string().min(1).describe('The label key the requirement applies to.'),
            operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']).describe('In, NotIn, Exists or DoesNotExist.'),
            values: z
              .array(z.string())
              .optional()
              .describe('Values for In and NotIn; empty for Exists and DoesNotExist.'),
          })
          .describe('A set-based label requirement.'),
      )
      .optional()
      .describe('Set-based requirements, all of which must hold.'),
  })
  .describe('A Kubernetes label selector.');
export type LabelSelector = z.infer<typeof LabelSelectorSchema>;

/** A zod issue path as users write it: `spec.services[2].image`. */
export function specFieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>(
    (out, part) => (typeof part === 'number' ? `${out}[${part}]` : `${out}.${String(part)}`),
    'spec',
  );
}
