import { parseStagingEnvironmentSpec, type StagingEnvironmentSpec } from '../../api/stagingenvironment';
import type { KubeObject } from '../../environment/objects';
import { seedProgress, withWrittenSeedsPending } from './children';

function specWith(extra: Record<string, unknown>): StagingEnvironmentSpec {
  const parsed = parseStagingEnvironmentSpec({ baselineRef: { name: 'shop' }, ...extra });
  if (!parsed.ok) throw new Error(`${parsed.field}: ${parsed.message}`);
  return parsed.spec;
}

const seed = {
  source: { fixtures: { configMapRef: { name: 'rows', key: 'rows.yaml' } } },
  target: { host: 'db', database: 'app', user: 'app' },
};

// Child templates are judged with the spec itself: a bad one is InvalidSpec naming the field before anything is planned or written.
describe('child templates, validated by spec parsing', () => {
  const problem = (extra: Record<string, unknown>) => {
    const parsed = parseStagingEnvironmentSpec({ baselineRef: { name: 'shop' }, ...extra });
    return parsed.ok ? undefined : { field: parsed.field, message: parsed.message };
  };
  const job = (pod: Record<string, unknown>) => ({ backoffLimit: 0, template: { spec: pod } });

  it('accepts templates their kinds accept', () => {
    expect(
      problem({
        dataSeeds: [{ name: 'a', spec: seed }],
        parityChecks: [
          { name: 'p', spec: { baselineRef: { name: 'shop' }, staging: { environmentRef: { name: 'pr-1' } } } },
        ],
      }),
    ).toBeUndefined();
    expect(
      problem({
        tests: [
          { name: 'smoke', template: job({ restartPolicy: 'Never', containers: [{ name: 't', image: 'curl' }] }) },
        ],
      }),
    ).toBeUndefined();
  });

  it('names the first bad field of a template', () => {
    expect(
      problem({
        dataSeeds: [
          { name: 'a', spec: seed },
          { name: 'b', spec: { source: seed.source } },
        ],
      }),
    ).toMatchObject({ field: 'spec.dataSeeds[1].spec.target' });
    expect(
      problem({
        parityChecks: [
          { name: 'p', spec: { baselineRef: { name: 'shop' }, staging: { environmentRef: { name: 'S!' } } } },
        ],
      })?.field,
    ).toBe('spec.parityChecks[0].spec.staging.environmentRef.name');
    // A template without its own baselineRef names the environment's, so it is valid as it stands.
    expect(problem({ parityChecks: [{ name: 'p', spec: { staging: {} } }] })).toBeUndefined();
    expect(problem({ parityChecks: [{ name: 'p', spec: { baselineRef: { name: 'B!' } } }] })?.field).toBe(
      'spec.parityChecks[0].spec.baselineRef.name',
    );
  });

  it('refuses a test Job whose pods would restart forever or have no container', () => {
    expect(
      problem({ tests: [{ name: 'smoke', template: job({ containers: [{ name: 't', image: 'curl' }] }) }] }),
    ).toEqual({
      field: 'spec.tests[0].template.template.spec.restartPolicy',
      message: 'must be Never or OnFailure, as a Job requires',
    });
    expect(
      problem({ tests: [{ name: 'smoke', template: job({ restartPolicy: 'Never', containers: [] }) }] })?.field,
    ).toBe('spec.tests[0].template.template.spec.containers');
    expect(problem({ tests: [{ name: 'smoke', template: { backoffLimit: 0 } }] })?.field).toBe(
      'spec.tests[0].template.template.spec',
    );
  });
});

describe('seed progress', () => {
  const spec = specWith({
    dataSeeds: [
      { name: 'done', spec: seed },
      { name: 'broken', spec: seed },
      { name: 'old', spec: seed },
      { name: 'missing', spec: seed },
    ],
  });
  const object = (name: string, generation: number, status: Record<string, unknown>): KubeObject => ({
    apiVersion: 'understudy.dev/v1alpha1',
    kind: 'DataSeed',
    metadata: { name, namespace: 't', generation },
    status,
  });
  const live = new Map<string, KubeObject>([
    ['done', object('done', 1, { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True' }] })],
    [
      'broken',
      object('broken', 2, {
        observedGeneration: 2,
        phase: 'Failed',
        conditions: [{ type: 'Ready', status: 'False', message: 'no rule for users.email' }],
      }),
    ],
    // Ready for a previous generation: not done with the current spec.
    ['old', object('old', 3, { observedGeneration: 2, conditions: [{ type: 'Ready', status: 'True' }] })],
  ]);
  const cache = {
    get: (_ns: string, name: string) => live.get(name),
    list: () => [...live.values()],
    hasSynced: () => true,
  };

  it('counts a seed done only when Ready for its current generation', () => {
    expect(seedProgress(spec, 't', cache)).toEqual({
      total: 4,
      succeeded: ['done'],
      failed: [{ name: 'broken', message: 'no rule for users.email' }],
      pending: ['old', 'missing'],
    });
  });

  it('counts a failed seed its controller will retry as pending, not failed', () => {
    const retrying = object('retrying', 1, {
      observedGeneration: 1,
      phase: 'Failed',
      nextAttemptAt: '2026-01-01T00:00:10Z',
      conditions: [
        { type: 'Ready', status: 'False', message: 'Secret t/db not found' },
        { type: 'Stalled', status: 'True', message: 'Secret t/db not found (attempt 1; retrying in 5s)' },
      ],
    });
    const one = specWith({ dataSeeds: [{ name: 'retrying', spec: seed }] });
    const reader = { get: () => retrying, list: () => [retrying], hasSynced: () => true };
    expect(seedProgress(one, 't', reader)).toEqual({ total: 1, succeeded: [], failed: [], pending: ['retrying'] });
  });
});

describe('withWrittenSeedsPending', () => {
  const progress = {
    total: 3,
    succeeded: ['a'],
    failed: [{ name: 'b', message: 'boom' }],
    pending: ['c'],
  };

  it('counts a DataSeed written by this reconcile as pending, whatever the cache showed of the one it replaced', () => {
    expect(withWrittenSeedsPending(progress, new Set(['DataSeed/a', 'DataSeed/b', 'Deployment/c']))).toEqual({
      total: 3,
      succeeded: [],
      failed: [],
      pending: ['c', 'a', 'b'],
    });
  });

  it('leaves the progress as it is when no DataSeed was written (other kinds of the same name aside)', () => {
    expect(withWrittenSeedsPending(progress, new Set(['Deployment/a', 'ParityCheck/b']))).toBe(progress);
  });
});
