import { Registry } from 'prom-client';
import { createLogger } from '../../runtime/logger';
import { CONTROLLERS } from '..';
import { DATA_SEED_CONTROLLER, dataSeedOwnerOf } from '.';
import { IMAGE_ENV, operatorImage } from './image';

const build = () =>
  CONTROLLERS.flatMap((f) =>
    f({
      logger: createLogger({ level: 'silent' }),
      namespaces: undefined,
      identity: 't',
      registry: new Registry(),
      operatorNamespace: 'understudy-system',
    }),
  ).find((c) => c.name === DATA_SEED_CONTROLLER);

describe('DataSeed controller registration', () => {
  it('is among the controllers `understudy operator` runs, watching DataSeeds and the Jobs they own', () => {
    const controller = build();
    expect(controller?.primary).toMatchObject({ apiVersion: 'understudy.dev/v1alpha1', kind: 'DataSeed' });
    // What wakes a DataSeed is looked up in indexes of its cache, not in a table its reconciles fill.
    expect(Object.keys(controller?.primary.indexers ?? {}).sort()).toEqual([
      'configMap',
      'secret',
      'spec.baselineRef.name',
    ]);
    expect(controller?.owns).toEqual([
      expect.objectContaining({
        apiVersion: 'batch/v1',
        kind: 'Job',
        labelSelector: 'app.kubernetes.io/managed-by=understudy',
        scope: 'all',
      }),
    ]);
    // Every ConfigMap (the StagingEnvironment controller's cache), Baselines and Namespaces; never Secrets cluster-wide.
    expect(controller?.watches?.map(({ map: _map, indexers: _indexers, ...kind }) => kind)).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', scope: 'all' },
      { apiVersion: 'understudy.dev/v1alpha1', kind: 'Baseline', scope: 'all' },
      { apiVersion: 'v1', kind: 'Namespace', scope: 'all' },
    ]);
  });

  it('is woken by spec and metadata changes, not by status writes', () => {
    const controller = build();
    const object = (generation: number, status: unknown, labels: Record<string, string> = {}) => ({
      apiVersion: 'understudy.dev/v1alpha1',
      kind: 'DataSeed',
      metadata: { name: 's', generation, labels },
      status,
    });
    expect(controller?.primaryUpdatePredicate?.(object(1, {}), object(1, { phase: 'Running' }))).toBe(false);
    expect(controller?.primaryUpdatePredicate?.(object(1, {}), object(2, {}))).toBe(true);
  });

  it('maps a Job to its DataSeed owner only, not to an environment whose labels it carries', () => {
    const job = (ownerReferences: Array<{ apiVersion: string; kind: string; name: string; uid: string }>) => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: 'j',
        namespace: 'ns',
        ownerReferences,
        labels: { 'understudy.dev/environment': 'pr-1', 'understudy.dev/environment-namespace': 'previews' },
      },
    });
    expect(
      dataSeedOwnerOf(job([{ apiVersion: 'understudy.dev/v1alpha1', kind: 'DataSeed', name: 'shop', uid: 'u' }])),
    ).toEqual([{ namespace: 'ns', name: 'shop' }]);
    expect(dataSeedOwnerOf(job([]))).toEqual([]);
  });

  it("runs seed Jobs with the image the chart passes, else the chart's default at this version", () => {
    expect(operatorImage({ [IMAGE_ENV]: 'registry.example.com/understudy:1.2.3' })).toBe(
      'registry.example.com/understudy:1.2.3',
    );
    expect(operatorImage({})).toMatch(/^ghcr\.io\/understudy-dev\/understudy:\d+\.\d+\.\d+/);
  });
});
