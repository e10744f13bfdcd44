import { parseBaselineSpec, type BaselineSpec } from '../../api/baseline';
import { parseStagingEnvironmentSpec } from '../../api/stagingenvironment';
import { resolveCopySpec, type CopySpec } from '../copy-spec';
import type { EnvironmentRef } from '../labels';

// Tests of the copy build CopySpecs the way the controller does: an
// environment spec resolved within a Baseline. The default Baseline is a
// permissive one (every secrets policy, large limits, roles copied), so a
// test states only what it is about.

export const PERMISSIVE_BASELINE = {
  source: { namespace: 'shop' },
  allowedNamespaces: { names: ['previews'] },
  targetNamespace: { prefix: '' },
  secrets: { maxPolicy: 'CopyListed' },
  ingress: { domain: 'preview.example.com' },
  isolation: { networkPolicy: false },
  limits: { maxReplicas: '100', maxResources: '100', maxTtl: '8760h' },
  rbac: { copyRoles: true },
};

export function baselineSpecOf(raw: Record<string, unknown> = {}): BaselineSpec {
  const parsed = parseBaselineSpec({ ...PERMISSIVE_BASELINE, ...raw });
  if (!parsed.ok) throw new Error(`${parsed.field}: ${parsed.message}`);
  return parsed.spec;
}

export interface CopySpecOptions {
  baseline?: Record<string, unknown>;
  environment?: EnvironmentRef;
  /** Overrides the derived target namespace, for fixtures written for a fixed one. */
  targetNamespace?: string;
}

/** Parses `env` (baselineRef added), resolves it within the Baseline, and throws on any refusal. */
export function copySpecOf(env: Record<string, unknown> = {}, options: CopySpecOptions = {}): CopySpec {
  const parsed = parseStagingEnvironmentSpec({ baselineRef: { name: 'shop' }, ...env });
  if (!parsed.ok) throw new Error(`${parsed.field}: ${parsed.message}`);
  const baseline = baselineSpecOf(options.baseline);
  const secrets = parsed.spec.secrets.names;
  // Tests name the Secrets they list; the permissive Baseline allows exactly those.
  if (secrets && baseline.secrets.copyable === undefined) baseline.secrets.copyable = secrets;
  const resolved = resolveCopySpec({
    environment: options.environment ?? { name: 'pr-1234', namespace: 'previews' },
    spec: parsed.spec,
    baseline: { name: 'shop', spec: baseline },
    createdAt: new Date(),
  });
  if (!resolved.ok) throw new Error(`${resolved.field}: ${resolved.message}`);
  return options.targetNamespace ? { ...resolved.copy, targetNamespace: options.targetNamespace } : resolved.copy;
}
