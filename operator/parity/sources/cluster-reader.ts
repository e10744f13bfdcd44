import { KubeClient } from '../../runtime/kube-client';
import type { ParitySources } from '../check';
import type { ClusterReader } from './build';

/** Reads Secrets and StagingEnvironments with one GET each, through the runtime's client. */
export class KubeClusterReader implements ClusterReader {
  constructor(private readonly client: KubeClient) {}

  async secret(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    const secret = await this.client.get<{ apiVersion: string; kind: string; data?: Record<string, string> }>({ apiVersion: 'v1', kind: 'Secret', namespace, name });
    if (!secret) return undefined;
    return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  }

  async stagingEnvironment(namespace: string, name: string): Promise<ParitySources['environment'] | undefined> {
    return (await this.client.get({ apiVersion: 'understudy.dev/v1alpha1', kind: 'StagingEnvironment', namespace, name })) as ParitySources['environment'] | undefined;
  }
}
