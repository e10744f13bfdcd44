import { request } from 'node:https';
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { createLogger } from '../../operator/runtime/logger';
import { Manager } from '../../operator/runtime/manager';
import { OPERATOR_NAMESPACE, RELEASE } from '../setup/operator-identity';
import { createNamespace, deleteNamespace, eventually, kubectl, operatorKubeConfig, uniqueName } from '../support/kube';

jest.setTimeout(60_000);

// Secure metrics as controller-runtime serves them, against the real
// kube-apiserver: the operator runs with the chart's identity (its RBAC and
// admission policy must allow TokenReview and SubjectAccessReview), and the
// scrapers are real ServiceAccounts with real tokens.

interface Answer {
  status: number;
  body: string;
  cert: X509Certificate | undefined;
}

/** GET over TLS without verifying the (self-signed) certificate, which is returned to be checked. */
function get(url: string, token?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { rejectUnauthorized: false, headers: token ? { authorization: `Bearer ${token}` } : {} },
      (res) => {
        let body = '';
        const raw = (res.socket as TLSSocket).getPeerX509Certificate?.();
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, cert: raw }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('metrics over HTTPS with TokenReview and SubjectAccessReview', () => {
  let ns: string;
  let manager: Manager;
  let url: string;
  const binding = uniqueName('metrics-reader');
  const lease = uniqueName('metrics-lease');

  beforeAll(async () => {
    ns = createNamespace('metrics-auth');
    kubectl(['create', 'serviceaccount', 'reader', '-n', ns]);
    kubectl(['create', 'serviceaccount', 'stranger', '-n', ns]);
    // What metrics.readerSubjects renders: the chart's metrics-reader ClusterRole bound to a scraper.
    kubectl([
      'create',
      'clusterrolebinding',
      binding,
      `--clusterrole=${RELEASE}-metrics-reader`,
      `--serviceaccount=${ns}:reader`,
    ]);
    manager = new Manager({
      kubeConfig: operatorKubeConfig(),
      logger: createLogger({ level: 'warn' }),
      namespaces: [ns],
      metricsAddr: '127.0.0.1:0',
      healthAddr: '0',
      metricsSecure: {},
      leaderElection: { namespace: OPERATOR_NAMESPACE, name: lease },
    });
    await manager.start();
    url = `${manager.metricsUrl}/metrics`;
  });

  afterAll(async () => {
    await manager?.stop();
    kubectl(['delete', 'clusterrolebinding', binding, '--ignore-not-found']);
    kubectl(['delete', 'lease', lease, '-n', OPERATOR_NAMESPACE, '--ignore-not-found']);
    if (ns) deleteNamespace(ns);
  });

  const token = (sa: string) => kubectl(['create', 'token', sa, '-n', ns, '--duration=10m']).trim();

  it('serves TLS with a self-signed certificate for the loopback address', async () => {
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const answer = await get(url);
    expect(answer.cert?.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(answer.cert?.issuer).toBe(answer.cert?.subject);
  });

  it('answers 401 without a token and with a token the API server does not know', async () => {
    const none = await get(url);
    expect(none.status).toBe(401);
    expect(none.body).not.toContain('workqueue');
    const forged = await get(url, 'not-a-real-token');
    expect(forged.status).toBe(401);
  });

  it('answers 403 to a real token whose ServiceAccount may not get /metrics', async () => {
    const answer = await get(url, token('stranger'));
    expect(answer.status).toBe(403);
    expect(answer.body).toContain(`system:serviceaccount:${ns}:stranger`);
    expect(answer.body).not.toContain('controller_runtime');
  });

  it('answers 200 with the metrics to a ServiceAccount bound to the metrics-reader ClusterRole', async () => {
    const reader = token('reader');
    // RBAC takes a moment to see a binding made just now; refusals are cached 10 s, so the first try waits for it.
    await eventually(async () => (await get(url, reader)).status === 200, {
      what: 'the reader allowed',
      timeoutMs: 30_000,
      intervalMs: 1000,
    });
    const answer = await get(url, reader);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('rest_client_requests_total{code="201",method="POST"');
    expect(answer.body).toMatch(/# TYPE workqueue_depth gauge/);
    // The only replica takes the lease; client-go's gauge says so.
    await eventually(
      async () => (await get(url, reader)).body.includes(`leader_election_master_status{name="${lease}"} 1`),
      { what: 'leader_election_master_status 1', timeoutMs: 20_000, intervalMs: 500 },
    );
  });
});
