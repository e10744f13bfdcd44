import { randomBytes } from 'node:crypto';
import { API_VERSION } from '../../operator/api/common';
import { baselineController } from '../../operator/controllers/baseline';
import { createLogger } from '../../operator/runtime/logger';
import { Manager } from '../../operator/runtime/manager';
import { grantSecretRead } from '../setup/operator-identity';
import { createNamespace, deleteNamespace, eventually, operatorKubeConfig } from '../support/kube';
import { admin, applyBaseline, deleteBaseline, type Obj } from './stagingenvironment-fixtures';

jest.setTimeout(120_000);

// A Baseline's status says whether the operator may read what it names, as
// the API server answers for the operator's own identity: an admin sees a
// missing grant before any tenant stalls on it.

const id = randomBytes(3).toString('hex');
const OPERATOR_NS = process.env.UNDERSTUDY_OPERATOR_NAMESPACE ?? 'understudy-system';
let production: string;
let credentials: string;
let manager: Manager;
const name = `readable-${id}`;

type Condition = { type: string; status: string; reason: string; message: string };

async function conditions(): Promise<Condition[]> {
  const baseline = await admin().get<Obj & { status?: { conditions?: Condition[]; observedGeneration?: number } }>({
    apiVersion: API_VERSION,
    kind: 'Baseline',
    name,
  });
  return baseline?.status?.conditions ?? [];
}

const condition = (all: Condition[], type: string) => all.find((c) => c.type === type);

beforeAll(async () => {
  production = createNamespace('production');
  credentials = createNamespace('db-admin');
  manager = new Manager({
    kubeConfig: operatorKubeConfig(),
    logger: createLogger({ level: (process.env.UNDERSTUDY_TEST_LOG_LEVEL as 'info' | undefined) ?? 'warn' }),
    metricsAddr: '127.0.0.1:0',
    healthAddr: '127.0.0.1:0',
  });
  manager.addController(baselineController({ operatorNamespace: OPERATOR_NS }));
  await manager.start();
});

afterAll(async () => {
  await manager?.stop();
  deleteBaseline(name);
  for (const ns of [production, credentials]) if (ns) deleteNamespace(ns);
});

describe('Baseline status', () => {
  it('says which Secret the operator may not read, and turns Ready once an admin grants it', async () => {
    applyBaseline(name, ['team-a'], {
      source: { namespace: production },
      data: {
        databases: [{ name: 'orders', connectionSecretRef: { namespace: credentials, name: 'orders-ro', key: 'url' } }],
      },
    });
    const denied = await eventually(
      async () => {
        const all = await conditions();
        return condition(all, 'Ready')?.status === 'False' ? all : undefined;
      },
      { timeoutMs: 60_000, what: 'Ready False' },
    );
    expect(condition(denied, 'SourceReadable')?.status).toBe('True');
    expect(condition(denied, 'SecretsReadable')).toMatchObject({ status: 'False', reason: 'AccessDenied' });
    expect(condition(denied, 'SecretsReadable')?.message).toContain(
      `get secret ${credentials}/orders-ro (database orders's connection)`,
    );
    expect(condition(denied, 'Stalled')).toMatchObject({ status: 'True', reason: 'SecretsUnreadable' });

    await grantSecretRead(credentials);
    // Grants raise no event the operator sees; an edit of the Baseline makes it look again now.
    applyBaseline(name, ['team-a', 'team-b'], {
      source: { namespace: production },
      data: {
        databases: [{ name: 'orders', connectionSecretRef: { namespace: credentials, name: 'orders-ro', key: 'url' } }],
      },
    });
    const granted = await eventually(
      async () => {
        const all = await conditions();
        return condition(all, 'Ready')?.status === 'True' ? all : undefined;
      },
      { timeoutMs: 60_000, what: 'Ready True' },
    );
    expect(condition(granted, 'SecretsReadable')?.status).toBe('True');
    expect(condition(granted, 'Stalled')).toBeUndefined();
  });
});
