import fc from 'fast-check';
import { parseBaselineSpec } from '../api/baseline';
import { allowsNamespace } from '../controllers/baseline-access';
import { parseStagingEnvironmentSpec } from '../api/stagingenvironment';
import { resolveCopySpec, type Resolution } from './copy-spec';
import { targetNamespaceName } from './namespace';
import { baselineSpecOf } from './testing/copy-spec';

// An environment chooses within its Baseline: every choice past a limit is
// refused with the environment's field named, and the guards the Baseline
// sets are always in the result.

const environment = { name: 'pr-1', namespace: 'team-a' };
const createdAt = new Date('2030-01-01T00:00:00Z');

function resolve(env: Record<string, unknown>, baseline: Record<string, unknown> = {}): Resolution {
  const parsed = parseStagingEnvironmentSpec({ baselineRef: { name: 'shop' }, ...env });
  if (!parsed.ok) throw new Error(`${parsed.field}: ${parsed.message}`);
  return resolveCopySpec({
    environment,
    spec: parsed.spec,
    baseline: { name: 'shop', spec: baselineSpecOf(baseline) },
    createdAt,
  });
}

function refusal(result: Resolution): string {
  return result.ok ? 'accepted' : `${result.field}: ${result.message}`;
}

describe('an environment within its Baseline', () => {
  it("may not scale past the Baseline's ratios", () => {
    const limits = { limits: { maxReplicas: '0.5', maxResources: '1', maxTtl: '72h' } };
    expect(refusal(resolve({ scale: { replicas: '2' } }, limits))).toBe(
      "spec.scale.replicas: 2 is above the Baseline's limit of 0.5",
    );
    expect(resolve({ scale: { replicas: '0.5' } }, limits).ok).toBe(true);
  });

  // The TLS Secret is copied into every preview for the ingress controller; its key would let one preview serve another's hosts.
  it("gives no pod of the tenant's the Baseline's TLS Secret", () => {
    const tls = {
      ingress: { domain: 'preview.example.com', tlsSecretRef: { namespace: 'previews', name: 'wildcard' } },
    };
    const ingress = { hostTemplate: '{{service}}.{{environment}}.preview.example.com' };
    const readsKey = [{ name: 'K', valueFrom: { secretKeyRef: { name: 'wildcard', key: 'tls.key' } } }];
    expect(refusal(resolve({ ingress, services: [{ name: 'web', env: readsKey }] }, tls))).toMatch(
      /^spec\.services\[0\]\.env\[0\]\.valueFrom\.secretKeyRef\.name: wildcard is the Baseline's TLS Secret/,
    );
    const mounts = {
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 't', image: 'curl' }],
          volumes: [{ name: 'k', secret: { secretName: 'wildcard' } }],
        },
      },
    };
    expect(refusal(resolve({ ingress, tests: [{ name: 'smoke', template: mounts }] }, tls))).toMatch(
      /^spec\.tests\[0\]\.template\.template\.spec\.volumes\[0\]\.secret\.secretName: /,
    );
    // Without hosts the Secret is not copied, so the name means nothing in the preview.
    expect(resolve({ services: [{ name: 'web', env: readsKey }] }, tls).ok).toBe(true);
  });

  it('may not loosen the secrets policy or copy a Secret the Baseline does not list', () => {
    expect(refusal(resolve({ secrets: { policy: 'Generate' } }, { secrets: { maxPolicy: 'Omit' } }))).toMatch(
      /^spec\.secrets\.policy: Generate is looser/,
    );
    expect(
      refusal(
        resolve(
          { secrets: { policy: 'CopyListed', names: ['db-credentials'] } },
          { secrets: { maxPolicy: 'CopyListed', copyable: ['public-config'] } },
        ),
      ),
    ).toMatch(/^spec\.secrets\.names: db-credentials is not in the Baseline's copyable Secrets \(public-config\)/);
    expect(
      resolve(
        { secrets: { policy: 'CopyListed', names: ['public-config'] } },
        { secrets: { maxPolicy: 'CopyListed', copyable: ['public-config'] } },
      ).ok,
    ).toBe(true);
  });

  it('lives no longer than the Baseline allows, and gets its maximum by default', () => {
    const limits = { limits: { maxTtl: '72h' } };
    expect(refusal(resolve({ ttl: '73h' }, limits))).toBe("spec.ttl: 73h is longer than the Baseline's limit of 72h");
    expect(refusal(resolve({ expiresAt: '2030-01-05T00:00:00Z' }, limits))).toMatch(/^spec\.expiresAt: is more than/);
    const defaulted = resolve({}, limits);
    expect(defaulted.ok && defaulted.copy.ttl).toBe('72h');
  });

  it("claims hosts only under the Baseline's domain, with a part of its own", () => {
    const ingress = { ingress: { domain: 'preview.example.com' } };
    expect(refusal(resolve({ ingress: { hostTemplate: 'shop.example.com' } }, ingress))).toMatch(
      /^spec\.ingress\.hostTemplate: /,
    );
    expect(refusal(resolve({ ingress: { hostTemplate: '{{service}}.preview.example.com' } }, ingress))).toMatch(
      /^spec\.ingress\.hostTemplate: /,
    );
    expect(
      refusal(
        resolve(
          { ingress: { hostTemplate: '{{service}}.{{environment}}.preview.example.com' } },
          { ingress: undefined },
        ),
      ),
    ).toMatch(/^spec\.ingress: the Baseline exposes no ingress/);
    expect(resolve({ ingress: { hostTemplate: '{{service}}.{{environment}}.preview.example.com' } }, ingress).ok).toBe(
      true,
    );
  });

  it("keeps the Baseline's quota caps, filling what the environment left out", () => {
    const caps = { limits: { quota: { cpu: '4', memory: '8Gi', pods: 20 } } };
    expect(refusal(resolve({ isolation: { resourceQuota: { cpu: '8' } } }, caps))).toBe(
      "spec.isolation.resourceQuota.cpu: 8 is above the Baseline's cap of 4",
    );
    const filled = resolve({ isolation: { resourceQuota: { cpu: '2' } } }, caps);
    expect(filled.ok && filled.copy.isolation.resourceQuota).toEqual({ cpu: '2', memory: '8Gi', pods: 20 });
  });

  it('takes isolation, PodSecurity and the namespace name from the Baseline only', () => {
    const resolved = resolve(
      {},
      {
        targetNamespace: { prefix: 'preview-' },
        isolation: { networkPolicy: true, egress: [{ namespace: 'payments-sandbox', ports: [443] }] },
      },
    );
    if (!resolved.ok) throw new Error(refusal(resolved));
    expect(resolved.copy.targetNamespace).toBe('preview-team-a-pr-1');
    expect(resolved.copy.isolation.networkPolicy).toBe(true);
    expect(resolved.copy.podSecurity).toBe('baseline');
    const restricted = resolveCopySpec({
      environment,
      spec: parseOk({}),
      baseline: { name: 'shop', spec: baselineSpecOf() },
      createdAt,
      productionNamespaceLabels: { 'pod-security.kubernetes.io/enforce': 'restricted' },
    });
    expect(restricted.ok && restricted.copy.podSecurity).toBe('restricted');
  });

  // A tenant's test Job is a pod spec the tenant writes: privileged only if an admin says so in the Baseline.
  it("never inherits a PodSecurity level looser than baseline from production's namespace", () => {
    const withProduction = (level: string, baseline: Record<string, unknown> = {}) => {
      const resolved = resolveCopySpec({
        environment,
        spec: parseOk({}),
        baseline: { name: 'shop', spec: baselineSpecOf(baseline) },
        createdAt,
        productionNamespaceLabels: { 'pod-security.kubernetes.io/enforce': level },
      });
      return resolved.ok ? resolved.copy.podSecurity : refusal(resolved);
    };
    expect(withProduction('privileged')).toBe('baseline');
    expect(withProduction('not-a-level')).toBe('baseline');
    expect(withProduction('privileged', { podSecurity: 'privileged' })).toBe('privileged');
    expect(withProduction('restricted', { podSecurity: 'baseline' })).toBe('baseline');
  });

  it('copies no Role or RoleBinding unless the Baseline says so', () => {
    const off = resolve({}, { rbac: { copyRoles: false } });
    expect(off.ok && off.copy.kinds).not.toContain('Role');
    expect(off.ok && off.copy.kinds).not.toContain('RoleBinding');
    const on = resolve({}, { rbac: { copyRoles: true } });
    expect(on.ok && on.copy.kinds).toBeUndefined();
  });

  it("derives target namespace names that always start with the requester's namespace", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z][a-z0-9-]{0,40}[a-z0-9]$/),
        fc.stringMatching(/^[a-z][a-z0-9-]{0,60}[a-z0-9]$/),
        (namespace, name) => {
          const target = targetNamespaceName('preview-', { namespace, name });
          expect(target.length).toBeLessThanOrEqual(63);
          expect(target).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
          expect(target.startsWith(`preview-${namespace}`.slice(0, 54).replace(/-+$/, ''))).toBe(true);
        },
      ),
    );
  });
});

describe('which namespaces a Baseline allows', () => {
  const spec = (allowed: Record<string, unknown>) => {
    const parsed = parseBaselineSpec({ source: { namespace: 'shop' }, allowedNamespaces: allowed });
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.spec;
  };

  it('allows listed names and matching labels, and nothing when empty', () => {
    expect(allowsNamespace(spec({ names: ['team-a'] }), 'team-a', {})).toBe(true);
    expect(allowsNamespace(spec({ names: ['team-a'] }), 'team-b', {})).toBe(false);
    expect(
      allowsNamespace(spec({ selector: { matchLabels: { 'understudy.dev/previews': 'true' } } }), 'team-b', {
        'understudy.dev/previews': 'true',
      }),
    ).toBe(true);
    expect(
      allowsNamespace(spec({ selector: { matchLabels: { 'understudy.dev/previews': 'true' } } }), 'team-b', {}),
    ).toBe(false);
    expect(allowsNamespace(spec({}), 'team-a', {})).toBe(false);
  });

  it('does not read an empty selector as "every namespace"', () => {
    expect(
      allowsNamespace(spec({ selector: {} }), 'kube-system', { 'kubernetes.io/metadata.name': 'kube-system' }),
    ).toBe(false);
  });
});

function parseOk(env: Record<string, unknown>) {
  const parsed = parseStagingEnvironmentSpec({ baselineRef: { name: 'shop' }, ...env });
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.spec;
}
