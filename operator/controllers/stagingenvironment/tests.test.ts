import { parseStagingEnvironmentSpec } from '../../api/stagingenvironment';
import type { KubeObject } from '../../environment/objects';
import { planTests, TEST_REVISION_ANNOTATION, type TestsInput } from './tests';

// Test Jobs planned without a client: what is created, replaced, counted.

const environment = { name: 'pr-1', namespace: 'previews', uid: 'u-1' };
const job = (restartPolicy = 'Never') => ({
  backoffLimit: 0,
  template: { spec: { restartPolicy, containers: [{ name: 't', image: 'curl' }] } },
});

function input(
  tests: Array<{ name: string; template: Record<string, unknown> }>,
  overrides: Partial<TestsInput> = {},
): TestsInput {
  const parsed = parseStagingEnvironmentSpec({ baselineRef: { name: 'shop' }, tests });
  if (!parsed.ok) throw new Error(`${parsed.field}: ${parsed.message}`);
  return { spec: parsed.spec, environment, generation: 1, targetNamespace: 'previews-pr-1', ready: true, ...overrides };
}

const live = (planned: KubeObject, status: Record<string, unknown>, revision?: string): KubeObject => ({
  ...planned,
  metadata: {
    ...planned.metadata,
    annotations: { ...planned.metadata.annotations, ...(revision ? { [TEST_REVISION_ANNOTATION]: revision } : {}) },
  },
  status,
});

describe('planTests', () => {
  it('creates nothing before Ready, and every test once Ready', () => {
    expect(planTests(input([{ name: 'smoke', template: job() }], { ready: false }), [])).toMatchObject({
      creates: [],
      progress: { total: 1, waiting: 1 },
    });
    const ready = planTests(input([{ name: 'smoke', template: job() }]), [])!;
    expect(ready.creates.map((j) => j.metadata.name)).toEqual(['test-smoke']);
    expect(ready.creates[0]?.metadata.labels?.['understudy.dev/test']).toBe('smoke');
  });

  it("counts outcomes from the Jobs' conditions, and replaces a Job of an older revision", () => {
    const [planned] = planTests(input([{ name: 'smoke', template: job() }]), [])!.creates;
    const passed = live(planned!, { conditions: [{ type: 'Complete', status: 'True' }] });
    expect(planTests(input([{ name: 'smoke', template: job() }]), [passed])).toMatchObject({
      deletes: [],
      creates: [],
      progress: { succeeded: 1 },
    });
    const failed = live(planned!, { conditions: [{ type: 'Failed', status: 'True' }] });
    expect(planTests(input([{ name: 'smoke', template: job() }]), [failed])?.progress.failed).toEqual(['smoke']);
    // The environment changed (generation 2): the Job is tested again, the old one deleted first.
    const next = planTests(input([{ name: 'smoke', template: job() }], { generation: 2 }), [passed])!;
    expect(next.deletes.map((j) => j.metadata.name)).toEqual(['test-smoke']);
    expect(next.progress).toMatchObject({ waiting: 1, succeeded: 0 });
  });

  it('deletes the Jobs of tests no longer declared', () => {
    const [planned] = planTests(input([{ name: 'smoke', template: job() }]), [])!.creates;
    expect(planTests(input([]), [live(planned!, {})])?.deletes.map((j) => j.metadata.name)).toEqual(['test-smoke']);
    expect(planTests(input([]), [])).toBeUndefined();
  });
});
