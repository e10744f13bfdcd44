import { OPERATOR_WRITABLE } from '../support/kube';
import { type KubernetesObject, loadKubeConfig } from '../../operator/runtime/client-node';
import { Informer } from '../../operator/runtime/informer';
import { KubeClient } from '../../operator/runtime/kube-client';
import { KubeApiError } from '../../operator/runtime/kube-errors';
import { createLogger } from '../../operator/runtime/logger';
import { objectKey } from '../../operator/runtime/object-store';
import { createNamespace, deleteNamespace, eventually } from '../support/kube';

const SOAK_SECONDS = Number(process.env.UNDERSTUDY_SOAK_SECONDS ?? 60);
jest.setTimeout((SOAK_SECONDS + 90) * 1000);

const LABEL_KEY = 'understudy.dev/runtime-test';
const LABEL = `${LABEL_KEY}=soak`;

// Missed events show up only under sustained churn (defenseunicorns/pepr#745).
// Random creates, updates, deletes and label flips run for SOAK_SECONDS while
// the informer's watches are cut every few seconds; afterwards both the cache
// and a consumer fed only by events must equal the server's list.
describe('runtime: informer soak', () => {
  let ns: string;
  let informer: Informer | undefined;

  beforeAll(() => {
    ns = createNamespace('rt-soak', OPERATOR_WRITABLE);
  });

  afterAll(async () => {
    await informer?.stop();
    if (ns) deleteNamespace(ns);
  });

  it(`converges on the server's list after ${SOAK_SECONDS}s of random churn`, async () => {
    const writer = new KubeClient(loadKubeConfig(process.env.KUBECONFIG));
    informer = new Informer({
      client: new KubeClient(loadKubeConfig(process.env.UNDERSTUDY_OPERATOR_KUBECONFIG)),
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespaces: [ns],
      labelSelector: LABEL,
      logger: createLogger({ level: 'error' }),
      // Short server-side timeouts, so the watch is resumed from a resourceVersion many times.
      watchTimeoutSeconds: () => 2 + Math.floor(Math.random() * 4),
      backoff: { initialMs: 100, maxMs: 1000 },
    });
    const model = new Map<string, string>();
    informer.addHandlers({
      onAdd: (o) => model.set(objectKey(o), o.metadata!.resourceVersion!),
      onUpdate: (_old, o) => model.set(objectKey(o), o.metadata!.resourceVersion!),
      onDelete: (o) => model.delete(objectKey(o)),
    });
    informer.start();
    await informer.waitForSync();

    const names = Array.from({ length: 40 }, (_, i) => `soak-${i}`);
    const ref = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name });
    const ops = { create: 0, update: 0, delete: 0, relabel: 0, raced: 0 };
    const deadline = Date.now() + SOAK_SECONDS * 1000;
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
    const worker = async (): Promise<void> => {
      while (Date.now() < deadline) {
        const name = pick(names);
        const op = pick(['create', 'create', 'update', 'update', 'update', 'delete', 'relabel'] as const);
        try {
          if (op === 'create') {
            await writer.create({
              apiVersion: 'v1',
              kind: 'ConfigMap',
              metadata: { name, namespace: ns, labels: { [LABEL_KEY]: 'soak' } },
              data: { v: '0' },
            } as KubernetesObject);
          } else if (op === 'update') {
            await writer.mergePatch(ref(name), { data: { v: String(Math.random()) } });
          } else if (op === 'delete') {
            if (!(await writer.delete(ref(name)))) ops.raced++;
          } else {
            // Moving out of and back into the selector must look like a delete and an add.
            await writer.mergePatch(ref(name), {
              metadata: { labels: { [LABEL_KEY]: Math.random() < 0.5 ? 'soak' : 'parked' } },
            });
          }
          ops[op]++;
        } catch (err) {
          if (!(err instanceof KubeApiError) || (err.statusCode !== 404 && err.statusCode !== 409)) throw err;
          ops.raced++;
        }
        // Bounded load: about 50 writes a second from four workers on a shared 2-core machine.
        await new Promise((r) => setTimeout(r, 60 + Math.random() * 40));
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);

    const server = async () =>
      new Map(
        (await writer.list('v1', 'ConfigMap', { namespace: ns, labelSelector: LABEL })).items.map((o) => [
          objectKey(o),
          o.metadata!.resourceVersion!,
        ]),
      );
    const sorted = (m: Map<string, string>) => JSON.stringify([...m].sort());
    const cache = () => new Map(informer!.list(ns).map((o) => [objectKey(o), o.metadata!.resourceVersion!]));
    await eventually(
      async () => {
        const truth = sorted(await server());
        return truth === sorted(cache()) && truth === sorted(model);
      },
      { what: 'cache and event-fed model equal to the server list', timeoutMs: 30_000, intervalMs: 500 },
    );

    const writes = ops.create + ops.update + ops.delete + ops.relabel;
    if (process.env.UNDERSTUDY_TEST_VERBOSE)
      process.stderr.write(
        `soak: ${JSON.stringify(ops)} watches=${informer.stats.watches} lists=${informer.stats.lists} objects=${model.size}\n`,
      );
    expect(writes).toBeGreaterThan(SOAK_SECONDS * 10);
    expect(ops.delete).toBeGreaterThan(0);
    expect(ops.relabel).toBeGreaterThan(0);
    // The watch really was cut and resumed, many times.
    expect(informer.stats.watches).toBeGreaterThan(SOAK_SECONDS / 6);
  });
});
