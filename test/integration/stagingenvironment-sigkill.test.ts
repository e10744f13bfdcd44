import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { LABELS } from '../../operator/api/common';
import { createNamespace, deleteNamespace, eventually, kubectl, kubectlAsync } from '../support/kube';
import { type OperatorProcess, describeProcess, spawnOperator } from '../support/operator-process';
import { grantSecretRead } from '../setup/operator-identity';
import {
  abandonEnvironments,
  applyBaseline,
  applyObjects,
  condition,
  createVolumes,
  deleteBaseline,
  deleteVolumes,
  environment,
  getEnvironment,
  listObjects,
  shopObjects,
  type Obj,
} from './stagingenvironment-fixtures';

jest.setTimeout(900_000);

// The operator as a real process (the compiled CLI, the chart's RBAC),
// killed with SIGKILL at random moments while it provisions the shop. Each
// time a fresh process must finish the job: Ready, one namespace, one copy
// of everything, one run of the test Job. Deleting the environment is left
// to the next round's process, which is killed as well, so cleanup is
// tested under kills too; at the end no environment and no namespace remain.

const KILLS = 10;
const MAX_ROUNDS = 20;
// Kill moments are drawn from [50 ms, window). How long provisioning takes
// depends on the machine, so the window follows it: a kill that came after
// Ready narrows it to below that moment, a kill that landed widens it again.
const WINDOW_MS = { initial: 2_000, min: 150, max: 4_000 };
const id = randomBytes(3).toString('hex');
const baseline = `shop-${id}`;
const storageClass = `ssd-kill-${id}`;
const seed = Number(process.env.UNDERSTUDY_KILL_SEED ?? Date.now() % 100_000);
let previews: string;
const processes: OperatorProcess[] = [];

/** A small deterministic generator, so a failing run can be replayed with UNDERSTUDY_KILL_SEED. */
function random(state = { s: seed }): () => number {
  return () => {
    state.s = (state.s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state.s / 2_147_483_648;
  };
}

function startOperator(name: string): OperatorProcess {
  const p = spawnOperator(name, [
    `--kubeconfig=${process.env.UNDERSTUDY_OPERATOR_KUBECONFIG}`,
    `--namespace=${previews}`,
    '--metrics-bind-address=127.0.0.1:0',
    '--health-probe-bind-address=127.0.0.1:0',
    '--graceful-shutdown-timeout=5',
  ]);
  processes.push(p);
  return p;
}

async function kill(p: OperatorProcess): Promise<void> {
  p.kill('SIGKILL');
  await p.exited;
}

const spec = {
  baselineRef: { name: baseline },
  scale: { replicas: '0.25', resources: '0.5' },
  secrets: { policy: 'Generate' },
  services: [{ name: 'checkout', image: 'registry.example.com/shop/checkout:pr-9' }],
  tests: [
    {
      name: 'smoke',
      template: {
        backoffLimit: 0,
        template: {
          spec: { restartPolicy: 'Never', containers: [{ name: 'smoke', image: 'registry.example.com/shop/smoke:1' }] },
        },
      },
    },
  ],
};

beforeAll(async () => {
  if (!existsSync(resolve(__dirname, '../../dist/operator/cli.js')))
    throw new Error('dist/ is missing: run `npm run build` (npm test does) before the integration tests');
  createVolumes(storageClass, ['20Gi', '200Gi'], MAX_ROUNDS + 1);
  applyObjects(shopObjects(baseline, storageClass));
  previews = createNamespace('previews');
  // The admin's half: the shop by its label, Generate allowed (so the operator may read the shop's Secrets' names and keys).
  applyBaseline(baseline, [previews], {
    source: { namespace: baseline, selector: { matchLabels: { 'app.kubernetes.io/part-of': 'shop' } } },
    secrets: { maxPolicy: 'Generate' },
  });
  await grantSecretRead(baseline);
});

afterAll(async () => {
  await Promise.all(processes.map(kill));
  if (previews) {
    // Leftovers only if the test failed: no environment, no namespace stays behind.
    await abandonEnvironments(previews);
    deleteNamespace(previews);
  }
  deleteNamespace(baseline);
  deleteBaseline(baseline);
  deleteVolumes(storageClass);
});

/** Managed namespaces made for an environment, as the API server lists them. */
async function namespacesOf(name: string): Promise<Obj[]> {
  const all = JSON.parse(
    kubectl([
      'get',
      'namespaces',
      '-l',
      `${LABELS.environment}=${name},${LABELS.environmentNamespace}=${previews}`,
      '-o',
      'json',
    ]),
  ) as { items: Obj[] };
  return all.items;
}

describe('the operator killed with SIGKILL during provisioning', () => {
  it(`converges to Ready every time (${KILLS} kills), with no duplicate and no orphan`, async () => {
    const next = random();
    const landed: string[] = [];
    let survivor: OperatorProcess | undefined;
    let windowMs = WINDOW_MS.initial;
    let round = 0;
    for (; landed.length < KILLS; round++) {
      if (round >= MAX_ROUNDS)
        throw new Error(
          `only ${landed.length} of ${KILLS} kills landed during provisioning in ${MAX_ROUNDS} rounds (seed ${seed}): ${landed.join('; ')}`,
        );
      const name = `kill-${round}`;
      const victim = startOperator(`victim-${round}`);
      if (survivor) {
        // The previous round's process deletes its environment, and is killed while at it.
        kubectl(['delete', '-n', previews, `stagingenvironment/kill-${round - 1}`, '--wait=false']);
        await kill(survivor);
      }
      await eventually(
        () => victim.lines().some((l) => l.msg === 'operator running') || victim.child.exitCode !== null,
        { timeoutMs: 30_000, what: 'operator running' },
      );
      if (victim.child.exitCode !== null) throw new Error(describeProcess(victim));
      kubectl(['apply', '-f', '-'], JSON.stringify(environment(name, previews, spec)));
      const delayMs = Math.round(50 + next() * (windowMs - 50));
      await new Promise((r) => setTimeout(r, delayMs));
      await kill(victim);
      const atKill = await getEnvironment(name, previews);
      const duringProvisioning = condition(atKill, 'Ready')?.status !== 'True';
      if (duringProvisioning)
        landed.push(
          `${name} at ${delayMs} ms (phase ${atKill?.status?.phase ?? 'none'}, ${(await namespacesOf(name)).length} namespace)`,
        );
      windowMs = duringProvisioning ? Math.min(WINDOW_MS.max, windowMs * 1.1) : Math.max(WINDOW_MS.min, delayMs * 0.8);

      survivor = startOperator(`survivor-${round}`);
      const wait = await kubectlAsync([
        'wait',
        '-n',
        previews,
        '--for=condition=Ready',
        `stagingenvironment/${name}`,
        '--timeout=120s',
      ]);
      if (wait.code !== 0)
        throw new Error(
          `round ${round} (seed ${seed}, kill at ${delayMs} ms): ${wait.stderr}\n${describeProcess(survivor)}`,
        );
      const env = await getEnvironment(name, previews);
      const target = env?.status?.namespace ?? '';
      expect((await namespacesOf(name)).map((n) => n.metadata.name)).toEqual([target]);
      const deployments = await listObjects('apps/v1', 'Deployment', target);
      expect(deployments.map((d) => d.metadata.name).sort()).toEqual([
        'cart',
        'catalog',
        'checkout',
        'gateway',
        'notifications',
        'orders',
        'payments',
        'redis',
        'users',
      ]);
      // One ReplicaSet per Deployment: no second rollout from a plan that changed between processes.
      const replicaSets = await listObjects('apps/v1', 'ReplicaSet', target);
      expect(replicaSets.length).toBe(deployments.length);
      expect((await listObjects('v1', 'PersistentVolumeClaim', target)).map((c) => c.metadata.name).sort()).toEqual([
        'data-postgres-0',
        'redis-data',
      ]);
      // Generated Secrets were generated once: the templates that read them did not change.
      expect((await listObjects('v1', 'Secret', target)).map((s) => s.metadata.name).sort()).toEqual([
        'payments-api',
        'shop-db',
      ]);
      const tests = await eventually(
        async () => {
          const jobs = await listObjects('batch/v1', 'Job', target);
          return jobs.length > 0 ? jobs : undefined;
        },
        { what: 'test Job' },
      );
      expect(tests.map((j) => j.metadata.name)).toEqual(['test-smoke']);
    }
    kubectl(['delete', '-n', previews, `stagingenvironment/kill-${round - 1}`, '--wait=false']);
    await eventually(
      async () => (await listObjects('understudy.dev/v1alpha1', 'StagingEnvironment', previews)).length === 0,
      { timeoutMs: 180_000, what: 'every environment deleted' },
    );
    const left = JSON.parse(
      kubectl(['get', 'namespaces', '-l', `${LABELS.environmentNamespace}=${previews}`, '-o', 'json']),
    ) as { items: Obj[] };
    expect(left.items.map((n) => n.metadata.name)).toEqual([]);
    process.stderr.write(`SIGKILL test (seed ${seed}): ${landed.join('; ')}\n`);
    await kill(survivor!);
  });
});
