import { API_VERSION } from '../api/common';
import type { StagingEnvironmentSpec } from '../api/stagingenvironment';
import { clone, type KubeObject } from './objects';

// Children an environment creates from its templates: DataSeeds and
// ParityChecks as soon as the namespace exists, test Jobs once it is Ready.

export const TEST_LABEL = 'understudy.dev/test';

/**
 * `workloadRevision` is a digest of the copy's workloads: written into each
 * LoadTest's spec, so a new copy (a new image, a new scale) is a new
 * generation of the test and runs it again, while a TTL change does not.
 */
export function childObjects(spec: StagingEnvironmentSpec, workloadRevision?: string): KubeObject[] {
  const seeds = (spec.dataSeeds ?? []).map((t) => child('DataSeed', t.name, childSpec(spec, t.spec)));
  const checks = (spec.parityChecks ?? []).map((t) => child('ParityCheck', t.name, childSpec(spec, t.spec)));
  // LoadTests (issue 14): created with the other children; the LoadTest controller waits for the environment to be Ready before it sends.
  const loadTests = (spec.loadTests ?? []).map((t) =>
    child('LoadTest', t.name, {
      ...childSpec(spec, t.spec),
      ...(workloadRevision ? { environmentRevision: workloadRevision } : {}),
    }),
  );
  return [...seeds, ...checks, ...loadTests];
}

/**
 * A child template's spec as it is created: without a baselineRef of its own
 * it names the environment's Baseline. Either way the child is judged by the
 * Baseline on behalf of the environment's namespace, so this adds no reach.
 */
export function childSpec(
  spec: Pick<StagingEnvironmentSpec, 'baselineRef'>,
  template: Record<string, unknown>,
): Record<string, unknown> {
  return { baselineRef: { ...spec.baselineRef }, ...clone(template) };
}

function child(kind: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: API_VERSION, kind, metadata: { name }, spec };
}

/**
 * The Jobs of spec.tests, named `test-<name>` and labelled with the test's
 * name. A Job's spec is immutable: when a template changes, the controller
 * deletes the old Job before applying the new one.
 */
export function testJobs(spec: StagingEnvironmentSpec): KubeObject[] {
  return (spec.tests ?? []).map((test) => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: `test-${test.name}`.slice(0, 63).replace(/[^a-z0-9]+$/, ''),
      labels: { [TEST_LABEL]: test.name },
    },
    spec: clone(test.template),
  }));
}
