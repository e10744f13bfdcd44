import { accessBaseline } from '../baseline-access';
import { baseline, fakeContext, namespace } from './testing/access-fakes';
import { baselineGate, requesterNamespace } from './gate';

const allowsTeamB = baseline('shop', { allowedNamespaces: { names: ['team-b'] } });
const managed = (name: string, envNamespace: string, envName: string, uid: string) =>
  namespace(
    name,
    { 'app.kubernetes.io/managed-by': 'understudy', 'understudy.dev/environment-namespace': envNamespace },
    { 'understudy.dev/owner': `${envNamespace}/${envName}`, 'understudy.dev/owner-uid': uid },
  );
const environment = (ns: string, name: string, uid: string, target?: string) => ({
  apiVersion: 'understudy.dev/v1alpha1',
  kind: 'StagingEnvironment',
  metadata: { name, namespace: ns, uid },
  ...(target ? { status: { namespace: target } } : {}),
});

describe('the Baseline gate of a DataSeed', () => {
  it('lets a DataSeed without baselineRef through without reading anything', async () => {
    const ctx = fakeContext([]);
    expect(await baselineGate(ctx, {}, 'team-a')).toEqual({ ok: true, baseline: undefined });
    expect(ctx.reads).toEqual([]);
  });

  it('refuses a namespace the Baseline does not allow, naming the field and what it allows', async () => {
    const ctx = fakeContext([allowsTeamB, namespace('team-a'), namespace('team-b')]);
    const gate = await baselineGate(ctx, { baselineRef: { name: 'shop' } }, 'team-a');
    expect(gate).toEqual({
      ok: false,
      reason: 'BaselineNotAllowed',
      message: 'spec.baselineRef.name: Baseline shop does not allow namespace team-a; it allows namespaces team-b',
    });
    expect(await baselineGate(ctx, { baselineRef: { name: 'nope' } }, 'team-a')).toMatchObject({
      ok: false,
      reason: 'BaselineNotFound',
    });
    const allowed = await baselineGate(ctx, { baselineRef: { name: 'shop' } }, 'team-b');
    expect(allowed.ok && allowed.baseline?.name).toBe('shop');
  });

  it('judges a preview namespace as the environment that made it, when that environment exists with the same uid and target', async () => {
    const ctx = fakeContext([
      allowsTeamB,
      managed('preview-team-b-pr1', 'team-b', 'pr1', 'u1'),
      environment('team-b', 'pr1', 'u1', 'preview-team-b-pr1'),
    ]);
    expect(await requesterNamespace(ctx, 'preview-team-b-pr1')).toBe('team-b');
    const gate = await baselineGate(ctx, { baselineRef: { name: 'shop' } }, 'preview-team-b-pr1');
    expect(gate.ok).toBe(true);
  });

  it("does not take a namespace's word for it: labels without a matching environment ask as themselves", async () => {
    const forged = managed('fake', 'team-b', 'pr1', 'u1');
    // No such environment.
    expect(await requesterNamespace(fakeContext([forged]), 'fake')).toBe('fake');
    // An environment of that name, but another uid (recreated) or another target namespace.
    expect(await requesterNamespace(fakeContext([forged, environment('team-b', 'pr1', 'u2')]), 'fake')).toBe('fake');
    expect(
      await requesterNamespace(fakeContext([forged, environment('team-b', 'pr1', 'u1', 'preview-team-b-pr1')]), 'fake'),
    ).toBe('fake');
    // Not labelled as managed, or the owner annotation names another namespace than the label.
    expect(
      await requesterNamespace(
        fakeContext([
          namespace(
            'plain',
            { 'understudy.dev/environment-namespace': 'team-b' },
            { 'understudy.dev/owner': 'team-b/pr1', 'understudy.dev/owner-uid': 'u1' },
          ),
          environment('team-b', 'pr1', 'u1'),
        ]),
        'plain',
      ),
    ).toBe('plain');
    expect(
      await requesterNamespace(
        fakeContext([managed('mixed', 'team-b', 'pr1', 'u1'), environment('team-c', 'pr1', 'u1')]),
        'mixed',
      ),
    ).toBe('mixed');
    const gate = await baselineGate(
      fakeContext([allowsTeamB, forged, environment('team-b', 'pr1', 'u2')]),
      { baselineRef: { name: 'shop' } },
      'fake',
    );
    expect(gate).toMatchObject({ ok: false, reason: 'BaselineNotAllowed' });
  });

  it('says on whose behalf a preview namespace was judged', async () => {
    const ctx = fakeContext([
      baseline('shop', { allowedNamespaces: { names: ['team-c'] } }),
      managed('preview-team-b-pr1', 'team-b', 'pr1', 'u1'),
      environment('team-b', 'pr1', 'u1'),
    ]);
    const gate = await baselineGate(ctx, { baselineRef: { name: 'shop' } }, 'preview-team-b-pr1');
    expect(gate).toMatchObject({
      ok: false,
      reason: 'BaselineNotAllowed',
      message: expect.stringContaining('(namespace preview-team-b-pr1 is a preview of namespace team-b)'),
    });
    // The same Baseline read directly agrees.
    expect(accessBaseline(ctx, 'shop', 'team-b').ok).toBe(false);
  });
});
