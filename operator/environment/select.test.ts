import { copiedKinds, DEFAULT_KINDS } from './kinds';
import type { KubeObject } from './objects';
import { selectBaseline } from './select';
import { labelSelectorString, matchesLabelSelector, matchesServiceSelector } from './selectors';

const object = (kind: string, name: string, extra: Partial<KubeObject> = {}, apiVersion = 'v1'): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, namespace: 'shop', labels: { part: 'shop' } },
  ...extra,
});

describe('copiedKinds', () => {
  it('reads the defaults, adds Secrets only when the policy needs them, and resolves overrides', () => {
    expect(copiedKinds(undefined, 'Omit')).toEqual(DEFAULT_KINDS);
    expect(copiedKinds(undefined, 'Generate').map((k) => k.kind)).toContain('Secret');
    expect(copiedKinds(['Deployment', 'Secret', 'DaemonSet', 'Certificate.cert-manager.io'], 'Omit')).toEqual([
      { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments' },
      { group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets' },
      { group: 'cert-manager.io', version: '', kind: 'Certificate' },
    ]);
  });
});

describe('selectBaseline', () => {
  it('keeps copied kinds matching the selector, and leaves out what Kubernetes or a copied controller creates', () => {
    const statefulSet = object(
      'StatefulSet',
      'db',
      { spec: { volumeClaimTemplates: [{ metadata: { name: 'data' } }] } },
      'apps/v1',
    );
    statefulSet.metadata.uid = 'sts-uid';
    const baseline = [
      statefulSet,
      object('ConfigMap', 'kube-root-ca.crt'),
      object('ConfigMap', 'app'),
      object('ConfigMap', 'unlabelled', { metadata: { name: 'unlabelled', namespace: 'shop' } }),
      object('ServiceAccount', 'default'),
      object('Secret', 'app-token', { type: 'kubernetes.io/service-account-token' }),
      object('PersistentVolumeClaim', 'data-db-0'),
      object('PersistentVolumeClaim', 'data-db-extra'),
      object('ConfigMap', 'generated', {
        metadata: {
          name: 'generated',
          namespace: 'shop',
          labels: { part: 'shop' },
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'sts-uid', controller: true },
          ],
        },
      }),
      object('ConfigMap', 'elsewhere', {
        metadata: { name: 'elsewhere', namespace: 'other', labels: { part: 'shop' } },
      }),
      object('Pod', 'db-0'),
    ];
    const selection = selectBaseline(baseline, {
      kinds: copiedKinds(undefined, 'Generate'),
      selector: { matchLabels: { part: 'shop' } },
      baselineNamespace: 'shop',
    });
    expect(selection.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'StatefulSet/db',
      'ConfigMap/app',
      'PersistentVolumeClaim/data-db-extra',
    ]);
    expect(Object.fromEntries(selection.skipped.map((s) => [s.object.metadata.name, s.reason]))).toEqual({
      'kube-root-ca.crt': 'created by Kubernetes in every namespace',
      default: 'created by Kubernetes in every namespace',
      'app-token': 'a service account token, issued per namespace',
      'data-db-0': 'created by a copied StatefulSet from its volumeClaimTemplates',
      generated: 'recreated by its controller StatefulSet/db',
      elsewhere: "in namespace other, not the baseline's shop",
    });
  });
});

describe('label selectors', () => {
  it("follow the API server's semantics", () => {
    const labels = { app: 'web', tier: 'front' };
    expect(matchesLabelSelector(labels, undefined)).toBe(true);
    expect(matchesLabelSelector(labels, {})).toBe(true);
    expect(
      matchesLabelSelector(labels, {
        matchLabels: { app: 'web' },
        matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }],
      }),
    ).toBe(true);
    expect(
      matchesLabelSelector(labels, { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }),
    ).toBe(false);
    expect(
      matchesLabelSelector(labels, {
        matchExpressions: [
          { key: 'canary', operator: 'DoesNotExist' },
          { key: 'app', operator: 'Exists' },
        ],
      }),
    ).toBe(true);
    expect(
      matchesLabelSelector(labels, { matchExpressions: [{ key: 'canary', operator: 'In', values: ['true'] }] }),
    ).toBe(false);
    expect(matchesServiceSelector(labels, {})).toBe(false);
    expect(matchesServiceSelector(labels, { app: 'web' })).toBe(true);
  });

  it('render as list-call strings', () => {
    expect(
      labelSelectorString({
        matchLabels: { a: 'b' },
        matchExpressions: [
          { key: 'c', operator: 'In', values: ['d', 'e'] },
          { key: 'f', operator: 'DoesNotExist' },
          { key: 'g', operator: 'Exists' },
        ],
      }),
    ).toBe('a=b,c in (d,e),!f,g');
  });
});
