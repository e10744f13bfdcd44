import { LABELS } from '../api/common';
import { isManagedBy, labelValue, managedLabels, managedSelector, markManaged } from './labels';
import { targetNamespaceName, environmentOfNamespace, namespaceObject, namespaceOwnership } from './namespace';
import type { KubeObject } from './objects';

const environment = { name: 'pr-1234', namespace: 'previews', uid: 'uid-1' };

describe('target namespace', () => {
  it('is derived from the baseline and the name, and stays a valid name when long', () => {
    expect(targetNamespaceName('shop-', environment)).toBe('shop-previews-pr-1234');
    expect(targetNamespaceName('', { name: 'feature.x', namespace: 'previews' })).toBe('previews-feature-x');
    const long = targetNamespaceName('shop-', { name: 'x'.repeat(80), namespace: 'previews' });
    expect(long).toHaveLength(63);
    expect(long).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(long).not.toBe(targetNamespaceName('shop-', { name: `${'x'.repeat(79)}y`, namespace: 'previews' }));
  });

  it('is labelled as managed and annotated with its owner', () => {
    const ns = namespaceObject('shop-pr-1234', environment, 'restricted');
    // The PodSecurity level is what makes the API server refuse a privileged pod in the copy.
    expect(ns.metadata.labels).toEqual({
      [LABELS.managedBy]: 'understudy',
      [LABELS.environment]: 'pr-1234',
      [LABELS.environmentNamespace]: 'previews',
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'latest',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
    expect(environmentOfNamespace(ns)).toEqual(environment);
  });

  it('is never adopted when it belongs to someone else', () => {
    const plain: KubeObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'shop-pr-1234', labels: { team: 'x' } },
    };
    expect(namespaceOwnership(undefined, environment)).toEqual({ state: 'absent' });
    expect(namespaceOwnership(namespaceObject('shop-pr-1234', environment), environment)).toEqual({ state: 'managed' });
    expect(namespaceOwnership(plain, environment)).toEqual({
      state: 'foreign',
      reason: expect.stringMatching(/not managed by Understudy/),
    });
    const other = namespaceObject('shop-pr-1234', { name: 'pr-9', namespace: 'previews' });
    expect(namespaceOwnership(other, environment)).toEqual({
      state: 'foreign',
      reason: expect.stringMatching(/belongs to StagingEnvironment previews\/pr-9/),
    });
    const earlier = namespaceObject('shop-pr-1234', { ...environment, uid: 'uid-0' });
    expect(namespaceOwnership(earlier, environment)).toEqual({
      state: 'foreign',
      reason: expect.stringMatching(/earlier StagingEnvironment/),
    });
    const deleting = { ...namespaceObject('shop-pr-1234', environment) };
    deleting.metadata = { ...deleting.metadata, deletionTimestamp: '2030-01-01T00:00:00Z' };
    expect(namespaceOwnership(deleting, environment)).toEqual({ state: 'terminating' });
  });

  it('names no environment for an unmanaged namespace', () => {
    expect(environmentOfNamespace({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } })).toBeUndefined();
  });
});

describe('managed labels', () => {
  it('mark an object, its namespace and its source', () => {
    const source: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'cart', namespace: 'shop', labels: { app: 'cart' } },
    };
    const marked = markManaged(source, environment, 'shop-pr-1234', source);
    expect(marked.metadata).toEqual({
      name: 'cart',
      namespace: 'shop-pr-1234',
      labels: { app: 'cart', ...managedLabels(environment) },
      annotations: { 'understudy.dev/source': 'apps/v1/Deployment/shop/cart' },
    });
    expect(isManagedBy(marked, environment)).toBe(true);
    expect(isManagedBy(marked, { ...environment, namespace: 'other' })).toBe(false);
    expect(managedSelector(environment)).toBe(
      'app.kubernetes.io/managed-by=understudy,understudy.dev/environment=pr-1234,understudy.dev/environment-namespace=previews',
    );
  });

  it('fit long names into label values without collisions', () => {
    const a = labelValue(`${'a'.repeat(70)}-one`);
    const b = labelValue(`${'a'.repeat(70)}-two`);
    expect(a).toHaveLength(63);
    expect(a).not.toBe(b);
    expect(labelValue('short')).toBe('short');
  });
});
