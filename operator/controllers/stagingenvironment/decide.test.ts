import { environmentStatus } from './status';
import type { Acted } from './act';
import { decide, type Decision, type Provision } from './decide';
import { CREATED, at, observed, type Fixture } from './decide.fixtures';
import { statusOf } from './report';
import { withWrittenSeedsPending } from './children';
import { servicesOf } from './services';

// The decide step as a table: a snapshot in, a decision out, no client.

const readyStatus = (generation: number) =>
  environmentStatus({
    generation,
    createdAt: CREATED,
    now: at(30),
    previous: undefined,
    targetNamespace: 'previews-pr-1',
    suspended: false,
    provisioned: true,
    appliedObjects: 3,
    baselineRevision: 'sha256:old',
    services: [{ name: 'checkout', kind: 'Deployment', mode: 'copy', replicas: 2, readyReplicas: 2, ready: true }],
    urls: [],
    seeds: { total: 0, succeeded: [], failed: [], pending: [] },
  });

const tracked = {
  annotations: { 'argocd.argoproj.io/tracking-id': 'previews:understudy.dev/StagingEnvironment:previews/pr-1' },
};

type Case = [name: string, fixture: Fixture, expected: Partial<Decision> & Record<string, unknown>];

const table: Case[] = [
  [
    'a new environment creates its namespace and applies its copy',
    { namespace: 'absent' },
    { action: 'provision', createNamespace: true, stale: false, targetNamespace: 'previews-pr-1' },
  ],
  [
    'a Ready environment with a new image applies in place',
    {
      generation: 2,
      status: readyStatus(1),
      spec: { services: [{ name: 'checkout', image: 'registry.example.com/shop/checkout:pr-1' }] },
    },
    { action: 'provision', createNamespace: false, stale: false },
  ],
  [
    'expired without GitOps is deleted',
    { spec: { ttl: '30s' } },
    { action: 'delete', because: 'the default without a GitOps tracking label or annotation' },
  ],
  [
    'expired under Argo CD is torn down and kept',
    { spec: { ttl: '30s' }, metadata: tracked },
    { action: 'teardown', because: 'annotation argocd.argoproj.io/tracking-id' },
  ],
  [
    'expired with expiryPolicy Retain is torn down and kept',
    { spec: { ttl: '30s', expiryPolicy: 'Retain' } },
    { action: 'teardown', because: 'spec.expiryPolicy' },
  ],
  [
    'expired with expiryPolicy Delete is deleted even under Argo CD',
    { spec: { ttl: '30s', expiryPolicy: 'Delete' }, metadata: tracked },
    { action: 'delete' },
  ],
  ['suspended applies a copy scaled to zero', { spec: { suspend: true } }, { action: 'provision' }],
  [
    'a Baseline that denies the namespace stalls',
    {
      denied: {
        ok: false,
        reason: 'BaselineNotAllowed',
        field: 'spec.baselineRef.name',
        message: 'Baseline shop does not allow namespace previews',
      },
    },
    {
      action: 'stall',
      reason: 'BaselineNotAllowed',
      message: 'spec.baselineRef.name: Baseline shop does not allow namespace previews',
    },
  ],
  [
    'a choice beyond the Baseline stalls, naming the field',
    {
      spec: { scale: { replicas: '2' } },
      baseline: { limits: { maxReplicas: '0.5', maxResources: '1', maxTtl: '24h' } },
    },
    {
      action: 'stall',
      reason: 'ExceedsBaseline',
      message: "spec.scale.replicas: 2 is above the Baseline's limit of 0.5",
    },
  ],
  [
    'an invalid spec stalls before anything is read',
    { spec: { scale: { replicas: '0' } } },
    { action: 'stall', reason: 'InvalidSpec' },
  ],
  // Breaking the spec (or losing the Baseline) after the copy was made must not keep it past its time.
  [
    'an invalid spec still expires at the expiry last resolved',
    { spec: { scale: { replicas: '0' } }, status: { ...readyStatus(1), expiresAt: at(30).toISOString() } },
    { action: 'delete', expiresAt: at(30) },
  ],
  [
    'a choice beyond the Baseline still expires at the expiry last resolved, torn down under Retain',
    {
      spec: { scale: { replicas: '2' }, expiryPolicy: 'Retain' },
      baseline: { limits: { maxReplicas: '0.5', maxResources: '1', maxTtl: '24h' } },
      status: { ...readyStatus(1), expiresAt: at(30).toISOString() },
    },
    { action: 'teardown', expiresAt: at(30) },
  ],
  [
    'a Baseline that no longer allows the namespace still expires',
    {
      denied: { ok: false, reason: 'BaselineNotAllowed', field: 'spec.baselineRef.name', message: 'no' },
      status: { ...readyStatus(1), expiresAt: at(59).toISOString() },
    },
    { action: 'delete' },
  ],
  [
    'a stalled environment not yet expired looks again when it expires',
    { spec: { scale: { replicas: '0' } }, status: { ...readyStatus(1), expiresAt: at(90).toISOString() } },
    { action: 'stall', reason: 'InvalidSpec', result: { requeueAfterMs: 30_000 } },
  ],
  [
    'a deleted environment is finalized',
    { metadata: { deletionTimestamp: at(50).toISOString() }, namespace: 'ours', status: readyStatus(1) },
    { action: 'finalize' },
  ],
  [
    "an own namespace without the operator's Secret access gets it first",
    { namespace: 'ours', accessGranted: false },
    { action: 'grantAccess', namespace: 'previews-pr-1' },
  ],
];

describe('decide', () => {
  it.each(table)('%s', (_name, fixture, expected) => {
    expect(decide(observed(fixture))).toMatchObject(expected);
  });

  it('plans a suspended copy with every workload at zero', () => {
    const decision = decide(observed({ spec: { suspend: true } })) as Provision;
    const checkout = decision.planned.desired.find((o) => o.kind === 'Deployment');
    expect((checkout?.spec as { replicas: number }).replicas).toBe(0);
  });

  it('finalizes by deleting the namespaces made for the environment', () => {
    const decision = decide(
      observed({ metadata: { deletionTimestamp: at(50).toISOString() }, namespace: 'ours', status: readyStatus(1) }),
    );
    expect(decision.action === 'finalize' && decision.namespaces.map((n) => n.metadata.name)).toEqual([
      'previews-pr-1',
    ]);
  });

  it("never deletes a namespace while deciding: an earlier environment's namespace of this name is a wait whose act deletes it", () => {
    const earlier = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'previews-pr-1',
        uid: 'ns-old',
        labels: {
          'app.kubernetes.io/managed-by': 'understudy',
          'understudy.dev/environment': 'pr-1',
          'understudy.dev/environment-namespace': 'previews',
        },
        annotations: { 'understudy.dev/owner': 'previews/pr-1', 'understudy.dev/owner-uid': 'uid-0' },
      },
    };
    const decision = decide(observed({ namespace: earlier }));
    expect(decision).toMatchObject({ action: 'wait', reason: 'NamespaceTerminating' });
    expect(decision.action === 'wait' && decision.deleteNamespace?.metadata.uid).toBe('ns-old');
    const foreign = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'previews-pr-1', labels: { team: 'payments' } },
    };
    expect(decide(observed({ namespace: foreign }))).toMatchObject({ action: 'stall', reason: 'NamespaceNotOwned' });
  });

  it('a resource re-created by a GitOps tool after its name expired is torn down at once, counting from the first creation', () => {
    // Argo CD re-creates what Git declares: same spec, a new uid, a new creationTimestamp.
    const recreatedAt = at(3600);
    const tombstone = { namespace: 'previews', name: 'pr-1', uid: 'uid-1', firstCreatedAt: CREATED, expiredAt: at(30) };
    const fixture: Fixture = {
      spec: { ttl: '30s' },
      metadata: { ...tracked, uid: 'uid-2', creationTimestamp: recreatedAt.toISOString() },
      now: at(3601),
      namespace: 'absent',
      tombstone,
    };
    const decision = decide(observed(fixture));
    expect(decision).toMatchObject({ action: 'teardown', expiresAt: at(30), earlier: { uid: 'uid-1' } });
    // The tombstone it writes still names the first resource, so its next reconcile (reading that tombstone) keeps
    // saying "expired before" rather than flipping to a TTL of its own.
    const written = decision.action === 'teardown' ? decision.tombstone : undefined;
    expect(written).toMatchObject({ uid: 'uid-1', firstCreatedAt: CREATED });
    expect(decide(observed({ ...fixture, now: at(3620), tombstone: written }))).toMatchObject({
      action: 'teardown',
      earlier: { uid: 'uid-1' },
    });
    // Without the tombstone it would be a fresh environment: the loop Retain prevents.
    expect(decide(observed({ ...fixture, tombstone: undefined }))).toMatchObject({
      action: 'provision',
      createNamespace: true,
    });
  });

  it('under Retain, leaves the namespace to the infrastructure controller until the stack is destroyed (external infrastructure first)', () => {
    const held = observed({ spec: { ttl: '30s', expiryPolicy: 'Retain' }, namespace: 'ours', status: readyStatus(1) });
    held.env.metadata.finalizers = ['understudy.dev/environment-cleanup', 'understudy.dev/infrastructure-destroy'];
    const decision = decide(held);
    expect(decision).toMatchObject({ action: 'teardown', heldByInfrastructure: true });
    const status = statusOf(decision, held, { action: 'teardown', deleting: ['previews-pr-1'], result: {} })!;
    expect(status.conditions?.find((c) => c.type === 'Reconciling')?.message).toMatch(
      /^destroying the infrastructure before deleting namespace previews-pr-1/,
    );
    expect(
      decide(observed({ spec: { ttl: '30s', expiryPolicy: 'Retain' }, namespace: 'ours', status: readyStatus(1) })),
    ).toMatchObject({ action: 'teardown', heldByInfrastructure: false });
  });

  it('stays Expired under Retain without reading its Baseline, and starts again when the lifetime is extended', () => {
    const expiredOnce = statusOf(
      decide(observed({ spec: { ttl: '30s', expiryPolicy: 'Retain' } })),
      observed({ spec: { ttl: '30s', expiryPolicy: 'Retain' } }),
      { action: 'teardown', deleting: [], result: {} },
    )!;
    expect(expiredOnce.phase).toBe('Expired');
    const steady = observed({ spec: { ttl: '30s', expiryPolicy: 'Retain' }, status: expiredOnce, now: at(600) });
    expect(decide({ ...steady, access: undefined, resolved: undefined, world: undefined })).toMatchObject({
      action: 'teardown',
    });
    const extended = decide(
      observed({
        generation: 2,
        spec: { ttl: '2h', expiryPolicy: 'Retain' },
        status: expiredOnce,
        now: at(600),
        namespace: 'absent',
      }),
    );
    expect(extended).toMatchObject({ action: 'provision', createNamespace: true });
  });
});

describe('decide, then report, for a Ready environment whose image changed', () => {
  it('reports Progressing while the new version rolls out, never Degraded', () => {
    const fixture: Fixture = {
      generation: 2,
      status: readyStatus(1),
      spec: { services: [{ name: 'checkout', image: 'registry.example.com/shop/checkout:pr-1' }] },
    };
    const o = observed(fixture);
    const decision = decide(o) as Provision;
    const image = JSON.stringify(decision.planned.desired.find((d) => d.kind === 'Deployment'));
    expect(image).toContain('checkout:pr-1');
    const written = new Set(['Deployment/checkout']);
    const acted: Acted = {
      action: 'provision',
      env: o.env,
      objects: 3,
      written,
      services: servicesOf(decision, o.env.status, o.world!.live, written),
      seeds: o.world!.seeds,
      tests: undefined,
      result: {},
    };
    const status = statusOf(decision, o, acted)!;
    expect(status.phase).toBe('Progressing');
    expect(status.conditions?.find((c) => c.type === 'Reconciling')).toMatchObject({
      status: 'True',
      observedGeneration: 2,
    });
    expect(status.conditions?.find((c) => c.type === 'Stalled')).toBeUndefined();
  });
});

describe('decide, then report, for a Ready environment whose DataSeed template changed', () => {
  it('is not Ready on the strength of the seed the new one replaces', () => {
    const seed = {
      source: { fixtures: { configMapRef: { name: 'rows', key: 'rows.yaml' } } },
      target: { host: 'db', database: 'app', user: 'app' },
    };
    const fixture: Fixture = {
      generation: 2,
      status: readyStatus(1),
      spec: { dataSeeds: [{ name: 'orders', spec: { ...seed, target: { ...seed.target, database: 'v2' } } }] },
    };
    const o = observed(fixture);
    const decision = decide(o) as Provision;
    expect(decision.action).toBe('provision');
    // The cache still shows the old seed, succeeded; this reconcile wrote the new one.
    const cached = { total: 1, succeeded: ['orders'], failed: [], pending: [] };
    const written = new Set(['DataSeed/orders']);
    const acted: Acted = {
      action: 'provision',
      env: o.env,
      objects: 4,
      written,
      services: {
        statuses: [{ name: 'checkout', kind: 'Deployment', mode: 'copy', replicas: 2, readyReplicas: 2, ready: true }],
        failures: [],
      },
      seeds: withWrittenSeedsPending(cached, written),
      tests: undefined,
      result: {},
    };
    const status = statusOf(decision, o, acted)!;
    expect(status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      observedGeneration: 2,
    });
    expect(status.conditions?.find((c) => c.type === 'DataSeeded')).toMatchObject({
      status: 'False',
      reason: 'Seeding',
    });
    expect(status.phase).not.toBe('Ready');
  });
});
