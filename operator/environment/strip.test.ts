import fc from 'fast-check';
import type { KubeObject } from './objects';
import { confineService } from './service-exposure';
import { stripServerFields } from './strip';

const liveDeployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'catalog',
    namespace: 'shop',
    uid: '5d1c',
    resourceVersion: '123',
    generation: 7,
    creationTimestamp: '2024-01-01T00:00:00Z',
    managedFields: [{ manager: 'kubectl' }],
    ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'App', name: 'shop', uid: 'a1', controller: true }],
    finalizers: ['example.com/cleanup'],
    labels: { app: 'catalog' },
    annotations: {
      'kubectl.kubernetes.io/last-applied-configuration': '{"secret":"value"}',
      'deployment.kubernetes.io/revision': '4',
      'meta.helm.sh/release-name': 'shop',
      'team.example.com/owner': 'catalog-team',
    },
  },
  spec: {
    replicas: 3,
    template: {
      metadata: {
        creationTimestamp: null,
        labels: { app: 'catalog' },
        annotations: { 'kubectl.kubernetes.io/restartedAt': '2024-01-02T00:00:00Z' },
      },
      spec: { containers: [{ name: 'catalog', image: 'catalog:1' }] },
    },
  },
  status: { replicas: 3, readyReplicas: 3 },
};

describe('stripServerFields', () => {
  it('removes what the server, controllers and tools set, and keeps the rest', () => {
    const stripped = stripServerFields(liveDeployment);
    expect(stripped.metadata).toEqual({
      name: 'catalog',
      namespace: 'shop',
      labels: { app: 'catalog' },
      annotations: { 'team.example.com/owner': 'catalog-team' },
    });
    expect(stripped.status).toBeUndefined();
    expect(stripped.spec).toEqual({
      replicas: 3,
      template: {
        metadata: { labels: { app: 'catalog' } },
        spec: { containers: [{ name: 'catalog', image: 'catalog:1' }] },
      },
    });
    expect(liveDeployment.metadata.uid).toBe('5d1c');
  });

  it('frees a Service of its allocated addresses but keeps a headless one headless', () => {
    const service: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'db' },
      spec: {
        clusterIP: '10.0.0.7',
        clusterIPs: ['10.0.0.7'],
        ipFamilyPolicy: 'SingleStack',
        ipFamilies: ['IPv4'],
        ports: [{ port: 5432, nodePort: 30432 }],
      },
    };
    expect(stripServerFields(service).spec).toEqual({ ports: [{ port: 5432 }] });
    const headless = { ...service, spec: { clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 5432 }] } };
    expect(stripServerFields(headless).spec).toEqual({
      clusterIP: 'None',
      clusterIPs: ['None'],
      ports: [{ port: 5432 }],
    });
  });

  it('unbinds claims and drops ServiceAccount token references', () => {
    const claim: KubeObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', annotations: { 'pv.kubernetes.io/bind-completed': 'yes' } },
      spec: { volumeName: 'pvc-123', resources: { requests: { storage: '1Gi' } } },
    };
    expect(stripServerFields(claim)).toEqual({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      spec: { resources: { requests: { storage: '1Gi' } } },
    });
    const account: KubeObject = {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'app' },
      secrets: [{ name: 'app-token-x1' }],
      imagePullSecrets: [{ name: 'registry' }],
    };
    expect(stripServerFields(account)).toEqual({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'app' },
      imagePullSecrets: [{ name: 'registry' }],
    });
  });

  it("drops a Job's generated selector and labels", () => {
    const job: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate' },
      spec: {
        selector: { matchLabels: { 'controller-uid': 'u1' } },
        template: {
          metadata: { labels: { 'controller-uid': 'u1', 'job-name': 'migrate', app: 'x' } },
          spec: { containers: [] },
        },
      },
    };
    expect(stripServerFields(job).spec).toEqual({
      template: { metadata: { labels: { app: 'x' } }, spec: { containers: [] } },
    });
  });

  it('is idempotent', () => {
    const metadataField = fc.constantFrom(
      'uid',
      'resourceVersion',
      'generation',
      'creationTimestamp',
      'labels',
      'annotations',
      'name',
    );
    fc.assert(
      fc.property(
        fc.dictionary(metadataField, fc.jsonValue()),
        fc.constantFrom('Deployment', 'Service', 'PersistentVolumeClaim', 'StatefulSet', 'CronJob', 'ConfigMap'),
        fc.jsonValue(),
        (metadata, kind, spec) => {
          const object = {
            apiVersion: kind === 'CronJob' ? 'batch/v1' : 'v1',
            kind,
            metadata: { ...metadata, name: 'x' },
            spec,
          } as KubeObject;
          const once = stripServerFields(object);
          expect(stripServerFields(once)).toEqual(once);
        },
      ),
    );
  });
});

describe('confineService', () => {
  it('turns LoadBalancer and NodePort Services into ClusterIP without production addresses', () => {
    const service: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'edge' },
      spec: {
        type: 'LoadBalancer',
        loadBalancerIP: '203.0.113.7',
        externalIPs: ['203.0.113.8'],
        externalTrafficPolicy: 'Local',
        ports: [{ port: 443, nodePort: 31443 }],
      },
    };
    const { service: confined, warning } = confineService(service);
    expect(confined.spec).toEqual({ type: 'ClusterIP', ports: [{ port: 443 }] });
    expect(warning).toMatch(/LoadBalancer/);
    expect(confineService({ ...service, spec: { ports: [{ port: 80 }] } }).warning).toBeUndefined();
  });
});
