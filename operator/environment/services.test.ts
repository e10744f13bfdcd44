import type { KubeObject } from './objects';
import { findServiceUnit, resolveServiceUnits } from './services';

const workload = (kind: string, name: string, labels: Record<string, string>, claims: string[] = []): KubeObject => ({
  apiVersion: kind === 'CronJob' ? 'batch/v1' : 'apps/v1',
  kind,
  metadata: { name },
  spec:
    kind === 'CronJob'
      ? { jobTemplate: { spec: { template: { metadata: { labels }, spec: { containers: [] } } } } }
      : {
          template: {
            metadata: { labels },
            spec: {
              containers: [],
              volumes: claims.map((c) => ({ name: c, persistentVolumeClaim: { claimName: c } })),
            },
          },
        },
});
const service = (name: string, selector?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: selector ? { selector } : {},
});
const hpa = (name: string, kind: string, target: string): KubeObject => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name },
  spec: { scaleTargetRef: { kind, name: target } },
});
const pdb = (name: string, selector?: Record<string, unknown>): KubeObject => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name },
  spec: selector ? { selector } : {},
});
const claim = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name } });

describe('service units', () => {
  const objects = [
    workload('Deployment', 'web', { app: 'web', tier: 'front' }),
    workload('StatefulSet', 'db', { app: 'db' }, ['db-extra']),
    workload('CronJob', 'web', { app: 'web' }),
    service('web', { app: 'web' }),
    service('web-admin', { tier: 'front' }),
    service('db-headless', { app: 'db' }),
    service('external'),
    hpa('web', 'Deployment', 'web'),
    hpa('other', 'Deployment', 'other'),
    pdb('web', { matchLabels: { app: 'web' } }),
    pdb('nothing'),
    claim('db-extra'),
    claim('orphan'),
  ];
  const units = resolveServiceUnits(objects);

  it('groups a workload with the Services, HPAs, PDBs and claims that exist for it', () => {
    const web = units.find((u) => u.workload.kind === 'Deployment');
    expect(web?.services.map((s) => s.metadata.name)).toEqual(['web', 'web-admin']);
    expect(web?.autoscalers.map((h) => h.metadata.name)).toEqual(['web']);
    expect(web?.disruptionBudgets.map((p) => p.metadata.name)).toEqual(['web']);
    const db = units.find((u) => u.name === 'db');
    expect(db?.services.map((s) => s.metadata.name)).toEqual(['db-headless']);
    expect(db?.claims.map((c) => c.metadata.name)).toEqual(['db-extra']);
    const cron = units.find((u) => u.workload.kind === 'CronJob');
    expect(cron?.services).toEqual([]);
  });

  it('finds a unit by workload name, preferring a long-running workload, then by Service name', () => {
    expect(findServiceUnit(units, 'web')?.workload.kind).toBe('Deployment');
    expect(findServiceUnit(units, 'db-headless')?.name).toBe('db');
    expect(findServiceUnit(units, 'external')).toBeUndefined();
    expect(findServiceUnit(units, 'missing')).toBeUndefined();
  });
});
