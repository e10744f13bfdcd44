import { copySpecOf } from '../../environment/testing/copy-spec';
import type { KubeObject } from '../../environment/objects';
import { PlanMemo, type PlanMemoInput } from './plan-memo';

// The plan is memoised on what it is computed from. The environment's
// spec is resolved within its Baseline, so an admin's edit of the Baseline
// changes the plan's input even when neither the environment's
// generation nor production's objects moved.

const deployment = (name: string, labels: Record<string, string>): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop', labels },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `${name}:1` }] } },
  },
});

const production = [deployment('cart', { tier: 'web' }), deployment('mailer', { tier: 'jobs' })];

function input(baseline: Record<string, unknown>): PlanMemoInput {
  return {
    environment: { name: 'pr-1', namespace: 'previews', uid: 'u-1' },
    generation: 1,
    spec: copySpecOf({}, { baseline, environment: { name: 'pr-1', namespace: 'previews' } }),
    baseline: production,
    baselineFingerprint: 'production@1',
    targetNamespace: 'previews-pr-1',
    secrets: [],
  };
}

describe('PlanMemo', () => {
  it('reuses the plan while nothing it is computed from changed', () => {
    const cache = new PlanMemo();
    const first = cache.plan('previews/pr-1', input({}));
    expect(cache.plan('previews/pr-1', input({}))).toBe(first);
  });

  it('decides again when the Baseline narrows its selection, with the same generation and production', () => {
    const cache = new PlanMemo();
    const names = (baseline: Record<string, unknown>) =>
      cache
        .plan('previews/pr-1', input(baseline))
        .plan.services.map((s) => s.name)
        .sort();
    expect(names({ source: { namespace: 'shop' } })).toEqual(['cart', 'mailer']);
    expect(names({ source: { namespace: 'shop', selector: { matchLabels: { tier: 'web' } } } })).toEqual(['cart']);
  });

  it('decides again when the Baseline turns isolation on', () => {
    const cache = new PlanMemo();
    const policies = (isolation: Record<string, unknown>) =>
      cache
        .plan('previews/pr-1', input({ isolation }))
        .desired.filter((o) => o.kind === 'NetworkPolicy')
        .map((o) => o.metadata.name);
    expect(policies({ networkPolicy: false })).toEqual([]);
    expect(policies({ networkPolicy: true })).toEqual(['understudy-isolation']);
  });
});
