import { z } from 'zod';
import { API_VERSION, DurationSchema } from '../api/common';
import {
  BaselineRefSchema,
  NamespaceNameSchema,
  parseStagingEnvironmentSpec,
  SECRET_POLICIES,
} from '../api/stagingenvironment';
import { parseDuration } from '../api/values/duration';

// `understudy dev up` input: the flags, checked with zod so that a bad one is
// named, then turned into a StagingEnvironment manifest that is validated the
// way the operator validates it, all before anything is written.

export class DevInputError extends Error {}

const SERVICE_IMAGE = /^([^=\s]+)=(\S+)$/;
const SERVICE_ENV = /^([^:=\s]+):([^=\s]+)=(.*)$/s;

export const DevUpInputSchema = z.object({
  name: NamespaceNameSchema.describe('the environment'),
  namespace: NamespaceNameSchema.optional(),
  baseline: BaselineRefSchema.shape.name.optional(),
  image: z
    .array(
      z
        .string()
        .regex(SERVICE_IMAGE, 'expected service=image, for example checkout=registry.example.com/checkout:pr-7'),
    )
    .default([]),
  env: z
    .array(z.string().regex(SERVICE_ENV, 'expected service:NAME=value, for example checkout:FEATURE_X=on'))
    .default([]),
  shared: z.array(z.string().min(1)).default([]),
  replicas: z.string().optional(),
  resources: z.string().optional(),
  secrets: z.enum(SECRET_POLICIES).optional(),
  copySecret: z.array(z.string().min(1)).default([]),
  ttl: DurationSchema.optional(),
  hostTemplate: z.string().optional(),
  timeout: DurationSchema.default('10m'),
  wait: z.boolean().default(true),
  waitForTests: z.boolean().default(false),
  force: z.boolean().default(false),
});
export type DevUpInput = z.infer<typeof DevUpInputSchema>;

/** Where each flag lands in the spec, to name the flag when the spec is refused. */
const FLAG_OF_FIELD: Array<[RegExp, string]> = [
  [/^spec\.baselineRef/, '--baseline'],
  [/^spec\.services\[\d+\]\.image/, '--image'],
  [/^spec\.services\[\d+\]\.env/, '--env'],
  [/^spec\.services\[\d+\]\.mode/, '--shared'],
  [/^spec\.services/, '--image, --env or --shared'],
  [/^spec\.scale\.replicas/, '--replicas'],
  [/^spec\.scale\.resources/, '--resources'],
  [/^spec\.secrets/, '--secrets or --copy-secret'],
  [/^spec\.(ttl|expiresAt)/, '--ttl'],
  [/^spec\.ingress/, '--host-template'],
];

const FLAG_OF_INPUT: Record<string, string> = {
  copySecret: '--copy-secret',
  hostTemplate: '--host-template',
  waitForTests: '--wait-for-tests',
};

/** Commander's options (plus the name argument) as a checked input; the error names the flag. */
export function parseDevUpInput(raw: Record<string, unknown>): DevUpInput {
  const parsed = DevUpInputSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const [key, index] = issue?.path ?? [];
  const flag = key === 'name' ? 'the environment name' : (FLAG_OF_INPUT[String(key)] ?? `--${String(key)}`);
  const value = typeof index === 'number' ? (raw[String(key)] as unknown[])[index] : raw[String(key)];
  throw new DevInputError(`${flag} ${JSON.stringify(value)}: ${issue?.message ?? 'invalid'}`);
}

type Json = Record<string, unknown>;

/**
 * Fields a manifest written for the API before Baselines may still carry. The
 * API server would drop them without a word (they are not in the schema), so
 * the environment would silently copy something else than its author meant:
 * they are refused, each with what replaced it.
 */
const REMOVED_FIELDS: Array<[path: readonly string[], instead: string]> = [
  [
    ['baseline'],
    "name a Baseline an admin created in spec.baselineRef.name (kubectl get baselines); the source namespace, selector, manifests and cluster are the Baseline's",
  ],
  [
    ['targetNamespace'],
    "the target namespace is derived, <the Baseline's prefix><namespace>-<name>, and cannot be chosen",
  ],
  [['kinds'], "the kinds copied are the Baseline's spec.source.kinds"],
  [['ingress', 'tlsSecretRef'], "the certificate is the Baseline's spec.ingress.tlsSecretRef"],
  [['ingress', 'className'], "the IngressClass is the Baseline's spec.ingress.className"],
  [['isolation', 'networkPolicy'], "the NetworkPolicy is the Baseline's spec.isolation.networkPolicy"],
  [
    ['isolation', 'allowIngressFromNamespaces'],
    "the namespaces admitted are the Baseline's spec.isolation.allowIngressFromNamespaces",
  ],
];

function removedFieldProblem(spec: Json): string | undefined {
  for (const [path, instead] of REMOVED_FIELDS) {
    let value: unknown = spec;
    for (const part of path) value = value !== null && typeof value === 'object' ? (value as Json)[part] : undefined;
    if (value !== undefined)
      return `spec.${path.join('.')} (--file) is no longer part of a StagingEnvironment: ${instead}`;
  }
  return undefined;
}

export interface EnvironmentManifest {
  apiVersion: string;
  kind: string;
  /** generation is the server's, on the object apply returns. */
  metadata: {
    name: string;
    namespace: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: Json;
}

type ServiceEntry = { name: string; mode?: string; image?: string; env?: Array<{ name: string; value: string }> };

/**
 * The StagingEnvironment the flags describe, on top of a manifest read with
 * --file. Only what was declared is sent: under server-side apply the CLI
 * then owns exactly those fields, and dropping a flag on the next run drops
 * the override.
 */
export function environmentManifest(input: DevUpInput, namespace: string, base: Json = {}): EnvironmentManifest {
  const spec: Json = structuredClone((base.spec as Json | undefined) ?? {});
  const removed = removedFieldProblem(spec);
  if (removed) throw new DevInputError(removed);
  if (input.baseline) spec.baselineRef = { name: input.baseline };
  if (!spec.baselineRef)
    throw new DevInputError(
      '--baseline is required (or spec.baselineRef in --file): the name of a Baseline that allows this namespace (kubectl get baselines)',
    );
  const services = mergeServices((spec.services as ServiceEntry[] | undefined) ?? [], input);
  if (services.length > 0) spec.services = services;
  if (input.replicas || input.resources) {
    spec.scale = {
      ...(spec.scale ?? {}),
      ...(input.replicas ? { replicas: input.replicas } : {}),
      ...(input.resources ? { resources: input.resources } : {}),
    };
  }
  if (input.copySecret.length > 0) {
    if (input.secrets && input.secrets !== 'CopyListed')
      throw new DevInputError(`--copy-secret needs --secrets CopyListed (or no --secrets), not ${input.secrets}`);
    spec.secrets = { policy: 'CopyListed', names: input.copySecret };
  } else if (input.secrets) spec.secrets = { policy: input.secrets };
  if (input.ttl) {
    spec.ttl = input.ttl;
    delete spec.expiresAt;
  }
  if (input.hostTemplate) spec.ingress = { ...(spec.ingress ?? {}), hostTemplate: input.hostTemplate };

  const checked = parseStagingEnvironmentSpec(spec);
  if (!checked.ok) {
    const flag = FLAG_OF_FIELD.find(([pattern]) => pattern.test(checked.field))?.[1];
    throw new DevInputError(`${checked.field}${flag ? ` (${flag})` : ''}: ${checked.message}`);
  }
  const metadata = (base.metadata as Json | undefined) ?? {};
  return {
    apiVersion: API_VERSION,
    kind: 'StagingEnvironment',
    metadata: { ...pick(metadata, ['labels', 'annotations']), name: input.name, namespace },
    spec,
  };
}

function mergeServices(declared: readonly ServiceEntry[], input: DevUpInput): ServiceEntry[] {
  const byName = new Map(declared.map((s) => [s.name, structuredClone(s)]));
  const entry = (name: string): ServiceEntry => {
    const existing = byName.get(name) ?? { name };
    byName.set(name, existing);
    return existing;
  };
  for (const flag of input.image) {
    const [, service = '', image = ''] = SERVICE_IMAGE.exec(flag) ?? [];
    entry(service).image = image;
  }
  for (const flag of input.env) {
    const [, service = '', name = '', value = ''] = SERVICE_ENV.exec(flag) ?? [];
    const target = entry(service);
    target.env = [...(target.env ?? []).filter((e) => e.name !== name), { name, value }];
  }
  for (const service of input.shared) entry(service).mode = 'shared';
  return [...byName.values()];
}

function pick(object: Json, keys: readonly string[]): Json {
  return Object.fromEntries(keys.filter((k) => object[k] !== undefined).map((k) => [k, object[k]]));
}

/** --timeout in milliseconds (the schema has already checked its form). */
export function timeoutMs(input: { timeout: string }): number {
  const parsed = parseDuration(input.timeout);
  if (!parsed.ok) throw new DevInputError(`--timeout: ${parsed.message}`);
  return parsed.milliseconds;
}
