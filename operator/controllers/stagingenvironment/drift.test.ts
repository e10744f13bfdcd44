import type { KubeObject } from '../../environment/objects';
import { APPLIED_HASH_ANNOTATION, appliedHash, holds, isUpToDate, withAppliedHash } from './drift';

const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'cart', namespace: 'shop-pr-1', labels: { app: 'cart' } },
  spec: {
    replicas: 1,
    template: {
      spec: {
        containers: [
          {
            name: 'cart',
            image: 'cart:1',
            args: [],
            env: [{ name: 'A', value: '' }],
            resources: { requests: { cpu: '1000m', memory: '0.5Gi' } },
          },
        ],
      },
    },
  },
};

/** What the API server answers for it: defaults added, quantities canonical, zero values dropped. */
function served(object: KubeObject): KubeObject {
  const live = structuredClone(object);
  live.metadata.uid = 'u-1';
  live.metadata.resourceVersion = '42';
  const spec = live.spec as {
    template: { spec: { containers: Array<Record<string, unknown>> } };
    [k: string]: unknown;
  };
  spec.strategy = { type: 'RollingUpdate' };
  const container = spec.template.spec.containers[0]!;
  delete container.args;
  container.env = [{ name: 'A' }];
  container.resources = { requests: { cpu: '1', memory: '512Mi' } };
  container.terminationMessagePath = '/dev/termination-log';
  live.status = { replicas: 1 };
  return live;
}

describe('desired against live', () => {
  it('an applied object read back from the server is up to date', () => {
    const desired = withAppliedHash(deployment);
    expect(isUpToDate(desired, served(desired))).toBe(true);
  });

  it('a changed desired object is not, even when every field it still has holds (a removed field)', () => {
    const desired = withAppliedHash(deployment);
    const live = served(desired);
    const fewerLabels = withAppliedHash({ ...deployment, metadata: { ...deployment.metadata, labels: {} } });
    expect(isUpToDate(fewerLabels, live)).toBe(false);
  });

  it('an owned field edited by someone else is not up to date', () => {
    const desired = withAppliedHash(deployment);
    const live = served(desired);
    (live.spec as { replicas: number }).replicas = 5;
    expect(isUpToDate(desired, live)).toBe(false);
  });

  it('a quantity of another value is a change; the same value spelt otherwise is not', () => {
    expect(holds({ requests: { cpu: '500m' } }, { requests: { cpu: '0.5' } }, ['resources'])).toBe(true);
    expect(holds({ requests: { cpu: '500m' } }, { requests: { cpu: '1' } }, ['resources'])).toBe(false);
    // Outside resource lists, strings compare as strings.
    expect(holds({ value: '1000m' }, { value: '1' }, ['env'])).toBe(false);
  });

  it('a missing object, one being deleted, or one without our digest is not up to date', () => {
    const desired = withAppliedHash(deployment);
    expect(isUpToDate(desired, undefined)).toBe(false);
    const deleting = served(desired);
    deleting.metadata.deletionTimestamp = '2030-01-01T00:00:00Z';
    expect(isUpToDate(desired, deleting)).toBe(false);
    expect(isUpToDate(desired, served(deployment))).toBe(false);
  });

  it('the digest ignores itself and key order', () => {
    const reordered: KubeObject = {
      spec: deployment.spec,
      metadata: deployment.metadata,
      kind: 'Deployment',
      apiVersion: 'apps/v1',
    };
    expect(appliedHash(reordered)).toBe(appliedHash(deployment));
    const marked = withAppliedHash(deployment);
    expect(appliedHash(marked)).toBe(marked.metadata.annotations?.[APPLIED_HASH_ANNOTATION]);
  });

  it('arrays must keep their length', () => {
    expect(holds([1, 2], [1, 2, 3], [])).toBe(false);
    expect(holds([{ a: 1 }], [{ a: 1, b: 2 }], [])).toBe(true);
    expect(holds(8080, '8080', ['port'])).toBe(true);
  });
});
