import { Kinds } from '../../kinds';
import type { KubernetesObject } from '../../runtime/client-node';
import { staticCaches } from '../../runtime/testing/static-caches';
import {
  BASELINE_BY_PRODUCTION_NAMESPACE,
  baselineByProductionNamespace,
  ENVIRONMENT_BY_TARGET_NAMESPACE,
  environmentByTargetNamespace,
} from '../shared-indexes';
import { checkIndexers, checksOfBaseline, checksOfEnvironment, checksOfNamespace } from './watches';

// What wakes a ParityCheck is answered from the caches' indexes alone: these
// caches are built from objects as an operator finds them when it starts, and
// no check has been reconciled.

const check = (namespace: string, name: string, baseline: string, environment?: string): KubernetesObject =>
  ({
    apiVersion: Kinds.ParityCheck.apiVersion,
    kind: 'ParityCheck',
    metadata: { namespace, name },
    spec: { baselineRef: { name: baseline }, staging: environment ? { environmentRef: { name: environment } } : {} },
  }) as KubernetesObject;
const environment = (namespace: string, name: string, target?: string): KubernetesObject =>
  ({
    apiVersion: Kinds.StagingEnvironment.apiVersion,
    kind: 'StagingEnvironment',
    metadata: { namespace, name },
    spec: {},
    status: target ? { namespace: target } : {},
  }) as KubernetesObject;
const baseline = (name: string, source: Record<string, unknown>): KubernetesObject =>
  ({
    apiVersion: Kinds.Baseline.apiVersion,
    kind: 'Baseline',
    metadata: { name },
    spec: { source },
  }) as KubernetesObject;
const namespace = (name: string, owner?: string): KubernetesObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: {
    name,
    ...(owner
      ? { labels: { 'app.kubernetes.io/managed-by': 'understudy' }, annotations: { 'understudy.dev/owner': owner } }
      : {}),
  },
});

const world = [
  baseline('shop', { namespace: 'shop' }),
  baseline('remote', { namespace: 'shop', cluster: { kubeconfigSecretRef: { name: 'k', key: 'k' } } }),
  environment('team-a', 'pr-1', 'preview-1'),
  environment('team-a', 'pr-2'),
  check('team-a', 'one', 'shop', 'pr-1'),
  check('team-a', 'plain', 'shop'),
  check('team-b', 'other', 'remote'),
  // Made by pr-1 in its target namespace, naming it.
  check('preview-1', 'made', 'shop', 'pr-1'),
  check('team-a', 'waiting', 'shop', 'pr-2'),
];

const caches = () =>
  staticCaches(world, [
    { kind: Kinds.ParityCheck, indexers: checkIndexers },
    { kind: Kinds.StagingEnvironment, indexers: { [ENVIRONMENT_BY_TARGET_NAMESPACE]: environmentByTargetNamespace } },
    { kind: Kinds.Baseline, indexers: { [BASELINE_BY_PRODUCTION_NAMESPACE]: baselineByProductionNamespace } },
  ]);
const names = (requests: Array<{ namespace: string; name: string }>) =>
  requests.map((r) => `${r.namespace}/${r.name}`).sort();
const of = <T extends KubernetesObject>(object: KubernetesObject) => object as T;

describe('which ParityChecks a change wakes, from caches no reconcile has seen', () => {
  it('a Baseline wakes the checks naming it', () => {
    expect(names(checksOfBaseline(of(baseline('shop', {})), caches()))).toEqual([
      'preview-1/made',
      'team-a/one',
      'team-a/plain',
      'team-a/waiting',
    ]);
    expect(names(checksOfBaseline(of(baseline('remote', {})), caches()))).toEqual(['team-b/other']);
    expect(checksOfBaseline(of(baseline('unused', {})), caches())).toEqual([]);
  });

  it('an environment wakes the checks naming it, beside it and in its target namespace', () => {
    expect(names(checksOfEnvironment(of(environment('team-a', 'pr-1', 'preview-1')), caches()))).toEqual([
      'preview-1/made',
      'team-a/one',
    ]);
    expect(names(checksOfEnvironment(of(environment('team-a', 'pr-2')), caches()))).toEqual(['team-a/waiting']);
  });

  it('a namespace wakes the checks in it, those it is staging or requester for, and those whose production it is', () => {
    // Staging of team-a/one (through pr-1), home of preview-1/made.
    expect(names(checksOfNamespace(namespace('preview-1'), caches()))).toEqual(['preview-1/made', 'team-a/one']);
    // Home of three, and requester for the check pr-1 made in preview-1.
    expect(names(checksOfNamespace(namespace('team-a'), caches()))).toEqual([
      'preview-1/made',
      'team-a/one',
      'team-a/plain',
      'team-a/waiting',
    ]);
    // Production of Baseline shop (not of remote, whose production is in another cluster).
    expect(names(checksOfNamespace(namespace('shop'), caches()))).toEqual([
      'preview-1/made',
      'team-a/one',
      'team-a/plain',
      'team-a/waiting',
    ]);
    expect(checksOfNamespace(namespace('unrelated'), caches())).toEqual([]);
  });

  it('a target namespace that appears before its environment says so still wakes the checks waiting on it', () => {
    expect(names(checksOfNamespace(namespace('preview-2', 'team-a/pr-2'), caches()))).toEqual(['team-a/waiting']);
  });

  it('follows a check whose spec changes', () => {
    const c = caches();
    c.upsert(check('team-a', 'one', 'other-baseline', 'pr-2'));
    expect(names(checksOfBaseline(of(baseline('other-baseline', {})), c))).toEqual(['team-a/one']);
    expect(names(checksOfEnvironment(of(environment('team-a', 'pr-1', 'preview-1')), c))).toEqual(['preview-1/made']);
  });
});
