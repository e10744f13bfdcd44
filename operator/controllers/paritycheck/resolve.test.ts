import { parseParityCheckSpec } from '../../api/paritycheck';
import type { KubernetesObject } from '../../runtime/client-node';
import { staticCaches } from '../../runtime/testing/static-caches';
import { resolveCheck } from './resolve';

type Objects = Record<string, KubernetesObject[]>;

/** Caches as the controller's informers would hold them. */
const caches = (objects: Objects) => staticCaches(Object.values(objects).flat());

const namespace = (
  name: string,
  extra: { labels?: Record<string, string>; annotations?: Record<string, string> } = {},
): KubernetesObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...extra } });
const baseline = (name: string, spec: Record<string, unknown>): KubernetesObject =>
  ({
    apiVersion: 'understudy.dev/v1alpha1',
    kind: 'Baseline',
    metadata: { name, uid: `uid-${name}`, generation: 1 },
    spec,
  }) as KubernetesObject;
const environment = (ns: string, name: string, target: string | undefined, uid = 'env-uid'): KubernetesObject =>
  ({
    apiVersion: 'understudy.dev/v1alpha1',
    kind: 'StagingEnvironment',
    metadata: { namespace: ns, name, uid },
    spec: {},
    status: target ? { namespace: target } : {},
  }) as KubernetesObject;
const targetNamespace = (name: string, owner: string, uid = 'env-uid') =>
  namespace(name, {
    labels: { 'app.kubernetes.io/managed-by': 'understudy' },
    annotations: { 'understudy.dev/owner': owner, 'understudy.dev/owner-uid': uid },
  });

const world = (extra: Objects = {}): Objects => ({
  Baseline: [
    baseline('shop', { source: { namespace: 'shop' }, allowedNamespaces: { names: ['team-a'] } }),
    ...(extra.Baseline ?? []),
  ],
  Namespace: [namespace('shop'), namespace('team-a'), namespace('team-b'), ...(extra.Namespace ?? [])],
  StagingEnvironment: extra.StagingEnvironment ?? [],
});
const spec = (extra: Record<string, unknown> = {}) => parseParityCheckSpec({ baselineRef: { name: 'shop' }, ...extra });

describe('resolving a ParityCheck before anything is read', () => {
  it("compares the check's own namespace with the Baseline's production namespace when the Baseline allows it", () => {
    expect(resolveCheck(caches(world()), spec(), 'team-a')).toMatchObject({
      ok: true,
      requester: 'team-a',
      staging: { namespace: 'team-a' },
      localProduction: 'shop',
    });
  });

  it('refuses a Baseline that does not allow the namespace, or does not exist, naming the field', () => {
    expect(resolveCheck(caches(world()), spec(), 'team-b')).toEqual({
      ok: false,
      reason: 'BaselineNotAllowed',
      message: expect.stringMatching(/^spec\.baselineRef\.name: Baseline shop does not allow namespace team-b/),
    });
    expect(resolveCheck(caches(world()), spec({ baselineRef: { name: 'nope' } }), 'team-a')).toMatchObject({
      ok: false,
      reason: 'BaselineNotFound',
    });
  });

  it('never compares with a production or staging namespace that does not exist, nor production with itself', () => {
    const typo = world({
      Baseline: [baseline('typo', { source: { namespace: 'clinic-prdo' }, allowedNamespaces: { names: ['team-a'] } })],
    });
    expect(resolveCheck(caches(typo), spec({ baselineRef: { name: 'typo' } }), 'team-a')).toMatchObject({
      ok: false,
      reason: 'ProductionNotFound',
      message: expect.stringContaining('clinic-prdo'),
      awaits: 'clinic-prdo',
    });
    const itself = world({
      Baseline: [baseline('self', { source: { namespace: 'team-a' }, allowedNamespaces: { names: ['team-a'] } })],
    });
    expect(resolveCheck(caches(itself), spec({ baselineRef: { name: 'self' } }), 'team-a')).toMatchObject({
      ok: false,
      reason: 'StagingIsProduction',
    });
  });

  it("takes staging from an environment of the check's namespace, once its target namespace exists and is its own", () => {
    const env = environment('team-a', 'pr-1', 'preview-team-a-pr-1');
    const made = world({
      StagingEnvironment: [env],
      Namespace: [targetNamespace('preview-team-a-pr-1', 'team-a/pr-1')],
    });
    expect(resolveCheck(caches(made), spec({ staging: { environmentRef: { name: 'pr-1' } } }), 'team-a')).toMatchObject(
      { ok: true, staging: { namespace: 'preview-team-a-pr-1', environment: env } },
    );
    const noTarget = world({ StagingEnvironment: [env] });
    expect(
      resolveCheck(caches(noTarget), spec({ staging: { environmentRef: { name: 'pr-1' } } }), 'team-a'),
    ).toMatchObject({ ok: false, reason: 'StagingNotFound' });
    expect(
      resolveCheck(caches(world()), spec({ staging: { environmentRef: { name: 'pr-1' } } }), 'team-a'),
    ).toMatchObject({
      ok: false,
      reason: 'StagingNotFound',
      message: expect.stringContaining('team-a/pr-1 does not exist'),
    });
    // An environment claiming a namespace made for another (or not made by it) gets nothing.
    const claimed = world({ StagingEnvironment: [environment('team-a', 'pr-1', 'team-b')] });
    expect(
      resolveCheck(caches(claimed), spec({ staging: { environmentRef: { name: 'pr-1' } } }), 'team-a'),
    ).toMatchObject({ ok: false, reason: 'StagingNotFound' });
  });

  it("lets a check in a target namespace act for the environment's namespace, and its environmentRef name that environment", () => {
    const env = environment('team-a', 'pr-1', 'preview-team-a-pr-1');
    const made = world({
      StagingEnvironment: [env],
      Namespace: [targetNamespace('preview-team-a-pr-1', 'team-a/pr-1')],
    });
    const resolved = resolveCheck(
      caches(made),
      spec({ staging: { environmentRef: { name: 'pr-1' } } }),
      'preview-team-a-pr-1',
    );
    expect(resolved).toMatchObject({
      ok: true,
      requester: 'team-a',
      staging: { namespace: 'preview-team-a-pr-1', environment: env },
    });
  });

  it('does not trust a namespace that only looks like a target namespace', () => {
    // Annotated as team-a's, but no environment of team-a says it made it (or another uid did).
    const forged = world({
      StagingEnvironment: [environment('team-a', 'pr-1', 'preview-team-a-pr-1')],
      Namespace: [
        targetNamespace('forged', 'team-a/pr-1'),
        targetNamespace('preview-team-a-pr-1', 'team-a/pr-1', 'other-uid'),
      ],
    });
    expect(resolveCheck(caches(forged), spec(), 'forged')).toMatchObject({ ok: false, reason: 'BaselineNotAllowed' });
    expect(resolveCheck(caches(forged), spec(), 'preview-team-a-pr-1')).toMatchObject({
      ok: false,
      reason: 'BaselineNotAllowed',
    });
  });
});
