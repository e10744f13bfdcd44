import { API_VERSION, type Condition } from '../../api/common';
import type { ParityCheckSpec } from '../../api/paritycheck';
import type { KubernetesObject } from '../../runtime/client-node';
import type { CacheReader } from '../../runtime/informer';
import type { Request } from '../../runtime/reconciler';

// A ParityCheck that names its StagingEnvironment (spec.staging.environmentRef)
// runs again when that environment becomes Ready again — copied anew, seeded
// anew — because a result taken while the copy was still being seeded
// describes a staging that no longer exists.

export const STAGING_ENVIRONMENT_REF = { apiVersion: API_VERSION, kind: 'StagingEnvironment' } as const;

type EnvironmentObject = KubernetesObject & { status?: { conditions?: Condition[] } };

/** The environment a check names, as `namespace/name`; its namespace defaults to the check's. */
export function environmentKeyOf(spec: ParityCheckSpec, checkNamespace: string): string | undefined {
  const ref = spec.staging.environmentRef;
  return ref ? `${ref.namespace ?? checkNamespace}/${ref.name}` : undefined;
}

/**
 * When the environment last became Ready, as its condition says (compared as
 * written, never as a clock), or undefined while it is not Ready or unknown.
 */
export function readySince(environment: EnvironmentObject | undefined): string | undefined {
  const ready = environment?.status?.conditions?.find((c) => c.type === 'Ready');
  return ready?.status === 'True' ? ready.lastTransitionTime : undefined;
}

export function environmentReadySince(environments: CacheReader<KubernetesObject>, checkNamespace: string): (spec: ParityCheckSpec) => string | undefined {
  return (spec) => {
    const key = environmentKeyOf(spec, checkNamespace);
    if (!key) return undefined;
    const [namespace, name] = key.split('/') as [string, string];
    return readySince(environments.get(namespace, name) as EnvironmentObject | undefined);
  };
}

/**
 * Which checks name which environment, learnt as checks are reconciled
 * (every check is, when the operator starts), so an environment's change
 * wakes exactly its checks.
 */
export class EnvironmentIndex {
  private readonly checksByEnvironment = new Map<string, Set<string>>();
  private readonly environmentByCheck = new Map<string, string>();

  record(check: Request, environmentKey: string | undefined): void {
    const checkKey = `${check.namespace}/${check.name}`;
    this.forget(check);
    if (!environmentKey) return;
    this.environmentByCheck.set(checkKey, environmentKey);
    const checks = this.checksByEnvironment.get(environmentKey) ?? new Set<string>();
    checks.add(checkKey);
    this.checksByEnvironment.set(environmentKey, checks);
  }

  forget(check: Request): void {
    const checkKey = `${check.namespace}/${check.name}`;
    const previous = this.environmentByCheck.get(checkKey);
    if (previous === undefined) return;
    this.environmentByCheck.delete(checkKey);
    const checks = this.checksByEnvironment.get(previous);
    checks?.delete(checkKey);
    if (checks?.size === 0) this.checksByEnvironment.delete(previous);
  }

  checksOf(environment: KubernetesObject): Request[] {
    const key = `${environment.metadata?.namespace ?? ''}/${environment.metadata?.name ?? ''}`;
    return [...(this.checksByEnvironment.get(key) ?? [])].map((k) => {
      const [namespace, name] = k.split('/') as [string, string];
      return { namespace, name };
    });
  }
}
