import type { KubeObject } from './objects';
import { freshClaim, isolateVolumes } from './volumes';

describe('fresh volumes', () => {
  it('turns a bound or cloned claim into a new empty one of the same class and size', () => {
    const claim: KubeObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '20Gi' } },
        storageClassName: 'fast-ssd',
        volumeMode: 'Filesystem',
        volumeName: 'pvc-0b1c',
        dataSource: { kind: 'VolumeSnapshot', name: 'prod-snapshot', apiGroup: 'snapshot.storage.k8s.io' },
        dataSourceRef: { kind: 'VolumeSnapshot', name: 'prod-snapshot', apiGroup: 'snapshot.storage.k8s.io' },
        selector: { matchLabels: { volume: 'prod-data' } },
      },
    };
    expect(freshClaim(claim).spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '20Gi' } },
      storageClassName: 'fast-ssd',
      volumeMode: 'Filesystem',
    });
  });

  it('gives StatefulSets and ephemeral volumes fresh templates, and never mounts production storage', () => {
    const statefulSet: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db' },
      spec: {
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: {
              accessModes: ['ReadWriteOnce'],
              resources: { requests: { storage: '1Gi' } },
              dataSource: { kind: 'PersistentVolumeClaim', name: 'prod-data' },
            },
          },
        ],
        template: {
          spec: {
            containers: [{ name: 'db' }],
            volumes: [
              { name: 'backups', nfs: { server: 'nfs.prod.example.com', path: '/backups' } },
              { name: 'disk', awsElasticBlockStore: { volumeID: 'vol-123' } },
              { name: 'vault', csi: { driver: 'secrets-store.csi.k8s.io' } },
              { name: 'host', hostPath: { path: '/var/lib/prod' } },
              { name: 'shared', persistentVolumeClaim: { claimName: 'shared-data' } },
              { name: 'copied', persistentVolumeClaim: { claimName: 'cache' } },
              {
                name: 'scratch',
                ephemeral: {
                  volumeClaimTemplate: {
                    spec: {
                      accessModes: ['ReadWriteOnce'],
                      resources: { requests: { storage: '1Gi' } },
                      dataSourceRef: { kind: 'VolumeSnapshot', name: 'prod' },
                    },
                  },
                },
              },
              { name: 'config', configMap: { name: 'db-config' } },
            ],
          },
        },
      },
    };
    const { object, warnings } = isolateVolumes(statefulSet, new Set(['cache']));
    const spec = object.spec as any; // any: reading the result
    expect(spec.volumeClaimTemplates).toEqual([
      {
        metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      },
    ]);
    expect(spec.template.spec.volumes).toEqual([
      { name: 'backups', emptyDir: {} },
      { name: 'disk', emptyDir: {} },
      { name: 'vault', emptyDir: {} },
      { name: 'host', emptyDir: {} },
      { name: 'shared', emptyDir: {} },
      { name: 'copied', persistentVolumeClaim: { claimName: 'cache' } },
      {
        name: 'scratch',
        ephemeral: {
          volumeClaimTemplate: {
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        },
      },
      { name: 'config', configMap: { name: 'db-config' } },
    ]);
    expect(warnings).toHaveLength(5);
    expect(warnings.join('\n')).toMatch(/shared-data, which is not copied/);
  });
});
