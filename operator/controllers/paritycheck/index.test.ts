import { Registry } from 'prom-client';
import { PARITY_FINDINGS_METRIC } from '../../parity/metrics';
import { createLogger } from '../../runtime/logger';
import { CONTROLLERS } from '..';
import { PARITY_CHECK_CONTROLLER } from '.';

const env = (registry = new Registry()) => ({
  logger: createLogger({ level: 'silent' }),
  namespaces: undefined,
  identity: 'test',
  registry,
  operatorNamespace: 'understudy-system',
});

describe('ParityCheck controller registration', () => {
  it('is among the controllers `understudy operator` runs, watching ParityChecks, with its gauge on the manager registry', () => {
    const registry = new Registry();
    const built = CONTROLLERS.flatMap((factory) => factory(env(registry)));
    const controller = built.find((c) => c.name === PARITY_CHECK_CONTROLLER);
    expect(controller?.primary).toMatchObject({ apiVersion: 'understudy.dev/v1alpha1', kind: 'ParityCheck' });
    expect(Object.keys(controller?.primary.indexers ?? {}).sort()).toEqual([
      'spec.baselineRef.name',
      'spec.staging.environmentRef',
    ]);
    expect(registry.getSingleMetric(PARITY_FINDINGS_METRIC)).toBeDefined();
  });

  it('watches Baselines and Namespaces across the cluster, and StagingEnvironments, so access and existence are re-judged when they change', () => {
    const controller = CONTROLLERS.flatMap((f) => f(env())).find((c) => c.name === PARITY_CHECK_CONTROLLER);
    const watched = controller?.watches?.map((w) => [w.kind, w.scope ?? 'manager']);
    expect(watched).toEqual(
      expect.arrayContaining([
        ['Baseline', 'all'],
        ['Namespace', 'all'],
        ['StagingEnvironment', 'manager'],
      ]),
    );
  });

  it('is woken by spec and metadata changes, not by its own status writes', () => {
    const controller = CONTROLLERS.flatMap((f) => f(env())).find((c) => c.name === PARITY_CHECK_CONTROLLER);
    const object = (generation: number, status: unknown) => ({
      apiVersion: 'understudy.dev/v1alpha1',
      kind: 'ParityCheck',
      metadata: { name: 'c', generation },
      status,
    });
    expect(controller?.primaryUpdatePredicate?.(object(1, {}), object(1, { lastCheckedAt: 'x' }))).toBe(false);
    expect(controller?.primaryUpdatePredicate?.(object(1, {}), object(2, {}))).toBe(true);
  });
});
