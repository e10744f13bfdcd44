import { SECRET_POLICY_ORDER, type BaselineSpec, type PodSecurityLevel } from '../api/baseline';
import type { LabelSelector } from '../api/common';
import type { StagingEnvironmentSpec } from '../api/stagingenvironment';
import { parseDuration } from '../api/values/duration';
import { hostTemplateAllowed } from './host-policy';
import type { EnvironmentRef } from './labels';
import { targetNamespaceName } from './namespace';
import { DEFAULT_KINDS } from './kinds';
import { parseQuantity } from '../api/values/quantity';
import { compare } from '../api/values/rational';
import { ratioOf } from '../api/values/ratio';
import { tlsSecretProblem } from './tls-secret-references';
import { testPlacementProblem } from './test-placement';

// An environment's spec chooses within its Baseline. resolveCopySpec is the
// one place where the two meet: it refuses every choice the Baseline does
// not allow, naming the environment's field, and otherwise yields the
// CopySpec the planner works from: what is copied (from the Baseline),
// how (from the environment), and the guards (from the Baseline, never
// loosened by the environment).

export const POD_SECURITY_LABEL = 'pod-security.kubernetes.io/enforce';

type EgressRule = NonNullable<BaselineSpec['isolation']['egress']>[number];
type Quota = NonNullable<NonNullable<StagingEnvironmentSpec['isolation']>['resourceQuota']>;

export interface CopySpec extends Omit<StagingEnvironmentSpec, 'ingress' | 'isolation'> {
  source: {
    /** The production namespace (with manifests, the one they were rendered for). */
    namespace: string;
    selector?: LabelSelector;
    /** Production lives in another cluster: nothing there is shared, nothing is rewritten to it. */
    remote: boolean;
  };
  /** Kind names the Baseline copies; undefined means the default list. */
  kinds?: readonly string[];
  targetNamespace: string;
  ingress?: {
    hostTemplate: string;
    domain: string;
    tlsSecretRef?: { namespace: string; name: string };
    className?: string;
  };
  isolation: {
    networkPolicy: boolean;
    allowIngressFromNamespaces: string[];
    egress: EgressRule[];
    resourceQuota?: Quota;
    limitRange?: NonNullable<StagingEnvironmentSpec['isolation']>['limitRange'];
  };
  podSecurity: PodSecurityLevel;
  rbac: { copyRoles: boolean; bindableClusterRoles: string[] };
}

export interface ResolveInput {
  environment: EnvironmentRef;
  spec: StagingEnvironmentSpec;
  baseline: { name: string; spec: BaselineSpec };
  /** Labels of the production namespace, when it is in this cluster: its PodSecurity level is the default. */
  productionNamespaceLabels?: Readonly<Record<string, string>>;
  createdAt: Date;
}

export type Resolution = { ok: true; copy: CopySpec } | { ok: false; field: string; message: string };

export function resolveCopySpec(input: ResolveInput): Resolution {
  const { spec, baseline } = input;
  const b = baseline.spec;
  const problem =
    scaleProblem(spec, b) ??
    secretsProblem(spec, b) ??
    lifetimeProblem(spec, b, input.createdAt) ??
    sharedProblem(spec, b) ??
    ingressProblem(spec, b) ??
    tlsSecretReferenceProblem(spec, b) ??
    testPlacementProblem(spec, b) ??
    quotaProblem(spec, b);
  if (problem) return { ok: false, ...problem };
  const targetNamespace = targetNamespaceName(b.targetNamespace.prefix, input.environment);
  const sourceNamespace = b.source.namespace!;
  if (targetNamespace === sourceNamespace && !b.source.cluster)
    return {
      ok: false,
      field: 'spec.baselineRef.name',
      message: `the derived target namespace ${targetNamespace} is Baseline ${baseline.name}'s production namespace`,
    };
  const { ingress: _ingress, isolation: _isolation, ...rest } = spec;
  const copy: CopySpec = {
    ...rest,
    ...(spec.ttl === undefined && spec.expiresAt === undefined ? { ttl: b.limits.maxTtl } : {}),
    source: {
      namespace: sourceNamespace,
      ...(b.source.selector ? { selector: b.source.selector } : {}),
      remote: b.source.cluster !== undefined,
    },
    ...kindsOf(b),
    targetNamespace,
    ...(spec.ingress && b.ingress
      ? {
          ingress: {
            hostTemplate: spec.ingress.hostTemplate,
            domain: b.ingress.domain,
            ...(b.ingress.tlsSecretRef ? { tlsSecretRef: b.ingress.tlsSecretRef } : {}),
            ...(b.ingress.className ? { className: b.ingress.className } : {}),
          },
        }
      : {}),
    isolation: {
      networkPolicy: b.isolation.networkPolicy,
      allowIngressFromNamespaces: b.isolation.allowIngressFromNamespaces ?? [],
      egress: b.isolation.egress ?? [],
      ...quotaOf(spec, b),
      ...(spec.isolation?.limitRange ? { limitRange: spec.isolation.limitRange } : {}),
    },
    podSecurity: podSecurityOf(b, input.productionNamespaceLabels),
    rbac: { copyRoles: b.rbac.copyRoles, bindableClusterRoles: b.rbac.bindableClusterRoles ?? [] },
  };
  return { ok: true, copy };
}

function kindsOf(b: BaselineSpec): { kinds?: readonly string[] } {
  if (b.source.kinds)
    return {
      kinds: b.rbac.copyRoles ? b.source.kinds : b.source.kinds.filter((k) => k !== 'Role' && k !== 'RoleBinding'),
    };
  if (b.rbac.copyRoles) return {};
  return { kinds: DEFAULT_KINDS.map((k) => k.kind).filter((k) => k !== 'Role' && k !== 'RoleBinding') };
}

type Problem = { field: string; message: string } | undefined;

function scaleProblem(spec: StagingEnvironmentSpec, b: BaselineSpec): Problem {
  const limits: Array<['replicas' | 'resources', string]> = [
    ['replicas', b.limits.maxReplicas],
    ['resources', b.limits.maxResources],
  ];
  for (const [key, max] of limits) {
    if (compare(ratioOf(spec.scale[key]), ratioOf(max)) > 0)
      return { field: `spec.scale.${key}`, message: `${spec.scale[key]} is above the Baseline's limit of ${max}` };
  }
  return undefined;
}

function secretsProblem({ secrets }: StagingEnvironmentSpec, b: BaselineSpec): Problem {
  if (SECRET_POLICY_ORDER.indexOf(secrets.policy) > SECRET_POLICY_ORDER.indexOf(b.secrets.maxPolicy)) {
    return {
      field: 'spec.secrets.policy',
      message: `${secrets.policy} is looser than the Baseline allows (at most ${b.secrets.maxPolicy})`,
    };
  }
  const copyable = new Set(b.secrets.copyable ?? []);
  const refused = (secrets.names ?? []).filter((name) => !copyable.has(name));
  if (secrets.policy === 'CopyListed' && refused.length > 0) {
    return {
      field: 'spec.secrets.names',
      message: `${refused.join(', ')} ${refused.length === 1 ? 'is' : 'are'} not in the Baseline's copyable Secrets (${[...copyable].join(', ') || 'none'})`,
    };
  }
  return undefined;
}

function lifetimeProblem(spec: StagingEnvironmentSpec, b: BaselineSpec, createdAt: Date): Problem {
  const max = parseDuration(b.limits.maxTtl);
  if (!max.ok)
    return { field: 'spec.baselineRef.name', message: `the Baseline's limits.maxTtl is invalid: ${max.message}` };
  if (spec.ttl !== undefined) {
    const ttl = parseDuration(spec.ttl);
    if (ttl.ok && ttl.milliseconds > max.milliseconds)
      return { field: 'spec.ttl', message: `${spec.ttl} is longer than the Baseline's limit of ${b.limits.maxTtl}` };
  }
  if (spec.expiresAt !== undefined && Date.parse(spec.expiresAt) - createdAt.getTime() > max.milliseconds) {
    return {
      field: 'spec.expiresAt',
      message: `is more than the Baseline's limit of ${b.limits.maxTtl} after the environment's creation`,
    };
  }
  return undefined;
}

function sharedProblem({ services = [] }: StagingEnvironmentSpec, b: BaselineSpec): Problem {
  const i = services.findIndex((s) => s.mode === 'shared');
  if (i >= 0 && (b.source.cluster || b.source.manifests))
    return {
      field: `spec.services[${i}].mode`,
      message: 'shared services need a Baseline whose production namespace is live in this cluster',
    };
  return undefined;
}

function ingressProblem({ ingress }: StagingEnvironmentSpec, b: BaselineSpec): Problem {
  if (!ingress) return undefined;
  if (!b.ingress)
    return { field: 'spec.ingress', message: 'the Baseline exposes no ingress domain, so previews cannot have hosts' };
  const problem = hostTemplateAllowed(ingress.hostTemplate, b.ingress.domain);
  return problem ? { field: 'spec.ingress.hostTemplate', message: problem } : undefined;
}

/** The TLS Secret is copied only for an environment with hosts; then no pod of the tenant's may read it. */
function tlsSecretReferenceProblem(spec: StagingEnvironmentSpec, b: BaselineSpec): Problem {
  const name = b.ingress?.tlsSecretRef?.name;
  return spec.ingress && name ? tlsSecretProblem(spec, name) : undefined;
}

const QUOTA_CAPS = [
  ['cpu', 'cpu'],
  ['memory', 'memory'],
] as const;

function quotaProblem({ isolation }: StagingEnvironmentSpec, b: BaselineSpec): Problem {
  const caps = b.limits.quota;
  const quota = isolation?.resourceQuota;
  if (!caps || !quota) return undefined;
  for (const [key, capKey] of QUOTA_CAPS) {
    const value = quota[key];
    const cap = caps[capKey];
    if (value === undefined || cap === undefined) continue;
    const v = parseQuantity(value);
    const c = parseQuantity(cap);
    if (v.ok && c.ok && compare(v.quantity.value, c.quantity.value) > 0)
      return {
        field: `spec.isolation.resourceQuota.${key}`,
        message: `${value} is above the Baseline's cap of ${cap}`,
      };
  }
  if (quota.pods !== undefined && caps.pods !== undefined && quota.pods > caps.pods)
    return {
      field: 'spec.isolation.resourceQuota.pods',
      message: `${quota.pods} is above the Baseline's cap of ${caps.pods}`,
    };
  return undefined;
}

/** The environment's quota, with every capped resource the environment left out set to its cap: caps always apply. */
function quotaOf({ isolation }: StagingEnvironmentSpec, b: BaselineSpec): { resourceQuota?: Quota } {
  const caps = b.limits.quota;
  const quota: Quota = { ...(isolation?.resourceQuota ?? {}) };
  if (caps?.cpu !== undefined && quota.cpu === undefined) quota.cpu = caps.cpu;
  if (caps?.memory !== undefined && quota.memory === undefined) quota.memory = caps.memory;
  if (caps?.pods !== undefined && quota.pods === undefined) quota.pods = caps.pods;
  return Object.keys(quota).length > 0 ? { resourceQuota: quota } : {};
}

/**
 * The Baseline's level when it sets one; else production's, but never looser
 * than `baseline`. Inheriting `privileged` from a production namespace
 * labelled so would let a tenant's test Job (a pod spec the tenant writes)
 * or an image override in a privileged workload run privileged, hostPath or
 * hostPID on a node: a right no tenant holds, which only an admin may grant,
 * by writing `podSecurity: privileged` in the Baseline.
 */
function podSecurityOf(
  b: BaselineSpec,
  productionLabels: Readonly<Record<string, string>> | undefined,
): PodSecurityLevel {
  if (b.podSecurity) return b.podSecurity;
  const production = productionLabels?.[POD_SECURITY_LABEL];
  return production === 'restricted' ? 'restricted' : 'baseline';
}
