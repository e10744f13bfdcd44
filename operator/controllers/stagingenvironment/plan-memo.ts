import { createHash } from 'node:crypto';
import type { CopySpec } from '../../environment/copy-spec';
import type { CopiedKind } from '../../environment/kinds';
import { isManagedBy, type EnvironmentRef } from '../../environment/labels';
import { confineNetworkPolicies } from '../../environment/network-policies';
import { isRecord, type KubeObject } from '../../environment/objects';
import { planEnvironment, type EnvironmentPlan } from '../../environment/plan';
import { SECRET_POLICY_ANNOTATION } from '../../environment/secrets';
import { withAppliedHash } from './drift';

// The plan, memoised: an environment coming up is reconciled on every
// readiness change of its workloads, while what it should contain changes
// only with its spec, its baseline or its generated Secrets. Planning is
// pure, so the same inputs give the same plan and it need not be redone.

export interface PlanMemoInput {
  environment: EnvironmentRef;
  generation: number;
  spec: CopySpec;
  baseline: readonly KubeObject[];
  /** What identifies the baseline read (objects and their resourceVersions). */
  baselineFingerprint: string;
  targetNamespace: string;
  tlsSecret?: KubeObject;
  /** The environment's own Secrets in its namespace, for the values Generate already chose. */
  secrets: readonly KubeObject[];
  /** The copied kinds the baseline was read with. */
  kinds?: readonly CopiedKind[];
}

export interface Planned {
  plan: EnvironmentPlan;
  /** The plan's objects as they are applied: copied NetworkPolicies confined while isolation is on, each with its applied digest. */
  desired: KubeObject[];
  warnings: string[];
}

export class PlanMemo {
  private readonly plans = new Map<string, { fingerprint: string; planned: Planned }>();

  /** Plans (or reuses the last plan for the same inputs); throws what planEnvironment throws. */
  plan(key: string, input: PlanMemoInput): Planned {
    const currentSecrets = generatedSecrets(input);
    const fingerprint = createHash('sha256')
      .update(
        JSON.stringify([
          input.environment,
          input.generation,
          input.spec,
          input.targetNamespace,
          input.baselineFingerprint,
          input.tlsSecret?.metadata.resourceVersion ?? '',
          currentSecrets.versions,
        ]),
      )
      .digest('hex');
    const cached = this.plans.get(key);
    if (cached?.fingerprint === fingerprint) return cached.planned;
    const plan = planEnvironment({
      environment: input.environment,
      spec: input.spec,
      baseline: input.baseline,
      targetNamespace: input.targetNamespace,
      ...(input.tlsSecret ? { tlsSecret: input.tlsSecret } : {}),
      currentSecrets: currentSecrets.data,
      ...(input.kinds ? { kinds: input.kinds } : {}),
    });
    const isolation = input.spec.isolation;
    const confined = isolation.networkPolicy
      ? confineNetworkPolicies(plan.objects, {
          targetNamespace: plan.targetNamespace,
          allowedNamespaces: isolation.allowIngressFromNamespaces,
        })
      : { objects: plan.objects, warnings: [] };
    const decision = {
      plan,
      desired: confined.objects.map(withAppliedHash),
      warnings: [...plan.warnings, ...confined.warnings],
    };
    this.plans.set(key, { fingerprint, planned: decision });
    return decision;
  }

  forget(key: string): void {
    this.plans.delete(key);
  }
}

/** The Generate policy's Secrets now in the target namespace: their data, and their versions for the fingerprint. */
function generatedSecrets(input: PlanMemoInput): { data: Record<string, Record<string, string>>; versions: string[] } {
  const data: Record<string, Record<string, string>> = {};
  const versions: string[] = [];
  for (const secret of input.secrets) {
    if (
      !isManagedBy(secret, input.environment) ||
      secret.metadata.annotations?.[SECRET_POLICY_ANNOTATION] !== 'Generate'
    )
      continue;
    data[secret.metadata.name] = isRecord(secret.data)
      ? Object.fromEntries(Object.entries(secret.data).map(([k, v]) => [k, String(v)]))
      : {};
    versions.push(`${secret.metadata.name}@${String(secret.metadata.resourceVersion)}`);
  }
  return { data, versions: versions.sort() };
}
