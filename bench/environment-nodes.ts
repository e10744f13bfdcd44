import { randomBytes } from 'node:crypto';
import type { KubernetesObject } from '../operator/runtime/client-node';
import type { KubeClient } from '../operator/runtime/kube-client';
import { kubectl } from '../test/support/kube';

// Simulated nodes for the benchmark's pods. A control plane this run starts
// gets UNDERSTUDY_NODES of them; one already running (shared with tests) gets
// extra kwok nodes for the run, removed afterwards.

const PODS_PER_NODE = 250;

function kwokNode(name: string): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'kwok.x-k8s.io/node': 'fake' },
      labels: {
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/os': 'linux',
        'kubernetes.io/hostname': name,
        type: 'kwok',
        'understudy.dev/bench': 'environment',
      },
    },
    status: {
      allocatable: { cpu: '64', memory: '256Gi', pods: String(PODS_PER_NODE) },
      capacity: { cpu: '64', memory: '256Gi', pods: String(PODS_PER_NODE) },
    },
  };
}

/** Adds kwok nodes until `needed` exist and are Ready; returns the names added. */
export async function ensureNodes(client: KubeClient, needed: number): Promise<string[]> {
  const nodes = (await client.list<KubernetesObject>('v1', 'Node', { labelSelector: 'type=kwok' })).items;
  const missing = Math.max(0, needed - nodes.length);
  if (missing === 0) return [];
  const suffix = randomBytes(2).toString('hex');
  const names = Array.from({ length: missing }, (_, i) => `kwok-bench-${suffix}-${i}`);
  kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: names.map(kwokNode) }));
  kubectl(['wait', '--for=condition=Ready', '--timeout=60s', ...names.map((n) => `node/${n}`)]);
  process.stderr.write(`[bench] added ${missing} kwok nodes (${nodes.length} were there, ${needed} needed)\n`);
  return names;
}

export async function removeNodes(client: KubeClient, names: readonly string[]): Promise<void> {
  for (const name of names) await client.delete({ apiVersion: 'v1', kind: 'Node', name }).catch(() => undefined);
}
