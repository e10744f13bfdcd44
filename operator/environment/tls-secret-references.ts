import type { StagingEnvironmentSpec } from '../api/stagingenvironment';
import { isRecord } from './objects';

// The Baseline's TLS Secret (the admin's certificate for the preview domain,
// usually a wildcard) is copied into every target namespace for the ingress
// controller to serve. Its key must not reach the tenant: with it, one
// preview could serve any other preview's hosts. The copied workloads never
// name it (it is not theirs), so the ways to it are what the tenant writes
// into the target namespace: an env override's valueFrom, a test Job's
// template, and the children's templates (a DataSeed's passwordSecretRef
// would have the operator send the key to a host of the tenant's choosing).
// None of them may name it, in any of the places a Secret is named.

/**
 * Whether `key: {…}` names a Secret by the field `field`: `secretKeyRef.name`,
 * `secretRef.name` (envFrom, volume plugins), any `…SecretRef.name` (CSI's
 * nodePublishSecretRef, the children's urlSecretRef, passwordSecretRef,
 * connectionSecretRef), `secret.secretName` (volume), `secret.name` (projected).
 */
function namesSecretBy(key: string): readonly string[] {
  if (key === 'secretKeyRef' || key === 'secretRef' || key.endsWith('SecretRef')) return ['name'];
  if (key === 'secret') return ['secretName', 'name'];
  return [];
}

/** The path (under `path`) of the first place `value` names Secret `secret`; undefined when none does. */
export function secretReferencePath(value: unknown, secret: string, path: string): string | undefined {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = secretReferencePath(item, secret, `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  for (const [key, child] of Object.entries(value)) {
    for (const field of namesSecretBy(key))
      if (isRecord(child) && child[field] === secret) return `${path}.${key}.${field}`;
    const found = secretReferencePath(child, secret, `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}

/** The first field of the spec that hands the Baseline's TLS Secret `secret` to the tenant's pods, with why. */
export function tlsSecretProblem(
  spec: Pick<StagingEnvironmentSpec, 'services' | 'tests' | 'dataSeeds' | 'parityChecks' | 'loadTests'>,
  secret: string,
): { field: string; message: string } | undefined {
  const candidates: Array<[unknown, string]> = [
    ...(spec.services ?? []).map((s, i): [unknown, string] => [s.env, `spec.services[${i}].env`]),
    ...(spec.tests ?? []).map((t, i): [unknown, string] => [t.template, `spec.tests[${i}].template`]),
    ...(['dataSeeds', 'parityChecks', 'loadTests'] as const).flatMap((list) =>
      (spec[list] ?? []).map((t, i): [unknown, string] => [t.spec, `spec.${list}[${i}].spec`]),
    ),
  ];
  for (const [value, path] of candidates) {
    const field = secretReferencePath(value, secret, path);
    if (field)
      return {
        field,
        message: `${secret} is the Baseline's TLS Secret, shared by every preview; its key is for the ingress controller, not for the environment's pods or children`,
      };
  }
  return undefined;
}
