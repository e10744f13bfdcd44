import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { KubernetesObject } from './client-node';

/** A coordination.k8s.io/v1 Lease as JSON: times are RFC 3339 strings with microseconds (MicroTime). */
export type LeaseObject = KubernetesObject & {
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
};

/** The runtime's own kind: operator/kinds.ts is for the kinds controllers read. */
const LEASE = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' } as const;
import { microTime } from './events';
import type { KubeClient } from './kube-client';
import { isConflict } from './kube-errors';
import type { Logger } from './logger';
import { sleep } from './clock';
import { errorMessage } from './error-message';

export interface LeaderElectionConfig {
  namespace: string;
  name: string;
  /** Defaults to hostname_uuid, unique per process as controller-runtime's. */
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface LeaderElectorOptions extends LeaderElectionConfig {
  client: KubeClient;
  logger: Logger;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  now?: () => number;
}

/** The Pod's name (POD_NAME, from the downward API) or the host name, plus a UUID so restarts are told apart. */
export function defaultIdentity(env: NodeJS.ProcessEnv = process.env): string {
  return `${env.POD_NAME || hostname()}_${randomUUID()}`;
}

export interface LeaseRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions: number;
}

export function recordOf(lease: LeaseObject | undefined): LeaseRecord | undefined {
  if (!lease) return undefined;
  const spec = lease.spec ?? {};
  const time = (t: unknown): string | undefined => (typeof t === 'string' ? t : undefined);
  return {
    holderIdentity: spec.holderIdentity ?? '',
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTime: time(spec.acquireTime),
    renewTime: time(spec.renewTime),
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}

/**
 * client-go's rule: a lease held by someone else is valid until its record has
 * stayed unchanged for leaseDuration as measured by OUR clock since we first
 * saw that record, so clock skew between replicas does not matter.
 */
export function canAcquire(
  record: LeaseRecord,
  identity: string,
  observedAtMs: number,
  nowMs: number,
  leaseDurationMs: number,
): boolean {
  if (record.holderIdentity === '' || record.holderIdentity === identity) return true;
  return observedAtMs + leaseDurationMs <= nowMs;
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease: 15 s lease, 10 s renew
 * deadline, 2 s retry by default. Writes use the lease's resourceVersion, so two
 * candidates racing for an expired lease cannot both win. On stop() the leader
 * clears holderIdentity so a standby takes over at its next retry.
 */
export class LeaderElector {
  readonly identity: string;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly controller = new AbortController();
  private observed: { record: LeaseRecord; resourceVersion: string; atMs: number } | undefined;
  private leading = false;
  private lastContactMs = 0;
  private running: Promise<void> | undefined;

  constructor(private readonly options: LeaderElectorOptions) {
    this.identity = options.identity ?? defaultIdentity();
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (!(this.leaseDurationMs > this.renewDeadlineMs && this.renewDeadlineMs > this.retryPeriodMs)) {
      throw new Error('leader election needs leaseDuration > renewDeadline > retryPeriod');
    }
    this.now = options.now ?? Date.now;
    this.log = options.logger.child({ lease: `${options.namespace}/${options.name}`, identity: this.identity });
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** True while the elector has reached the API server recently: a leader, or a standby that can take over. */
  healthy(): boolean {
    return this.now() - this.lastContactMs < this.leaseDurationMs + this.retryPeriodMs;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Stops campaigning; a leader releases the lease first. */
  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
    if (this.leading) {
      this.leading = false;
      await this.release();
    }
  }

  private async run(): Promise<void> {
    const signal = this.controller.signal;
    this.log.info('waiting to acquire the lease');
    while (!signal.aborted && !(await this.tryAcquireOrRenew(signal))) await sleep(this.jittered(), signal);
    if (signal.aborted) return;
    this.leading = true;
    this.log.info('acquired the lease, leading');
    this.options.onStartedLeading();
    while (!signal.aborted) {
      await sleep(this.retryPeriodMs, signal);
      if (signal.aborted) return;
      if (!(await this.renewWithinDeadline(signal))) {
        if (signal.aborted) return;
        this.leading = false;
        this.log.error({ renewDeadlineMs: this.renewDeadlineMs }, 'could not renew the lease in time, leadership lost');
        this.options.onStoppedLeading();
        return;
      }
    }
  }

  private async renewWithinDeadline(signal: AbortSignal): Promise<boolean> {
    const deadline = this.now() + this.renewDeadlineMs;
    while (!signal.aborted && this.now() < deadline) {
      // An attempt past the deadline, or after stop(), is abandoned rather than left to land later:
      // a renew that reaches the server after leadership was given up would claim a lease we no longer act on.
      const attempt = AbortSignal.any([signal, AbortSignal.timeout(Math.max(1, deadline - this.now()))]);
      const renewed = await this.tryAcquireOrRenew(attempt);
      if (renewed) return true;
      if (
        this.observed &&
        this.observed.record.holderIdentity !== this.identity &&
        this.observed.record.holderIdentity !== ''
      )
        return false;
      await sleep(Math.min(this.retryPeriodMs, Math.max(0, deadline - this.now())), signal);
    }
    return false;
  }

  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const { client, namespace, name } = this.options;
    const ref = { ...LEASE, namespace, name };
    const nowMs = this.now();
    const desired = (previous: LeaseRecord | undefined): LeaseObject['spec'] => {
      const takingOver = !previous || previous.holderIdentity !== this.identity;
      return {
        holderIdentity: this.identity,
        leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
        acquireTime: takingOver ? microTime(new Date(nowMs)) : previous?.acquireTime,
        renewTime: microTime(new Date(nowMs)),
        leaseTransitions: previous
          ? previous.leaseTransitions + (takingOver && previous.holderIdentity !== '' ? 1 : 0)
          : 0,
      };
    };
    try {
      const lease = await client.get<LeaseObject>(ref, { signal });
      this.lastContactMs = this.now();
      if (!lease) {
        const created = await client.create<LeaseObject>(
          { ...LEASE, metadata: { name, namespace }, spec: desired(undefined) },
          { signal },
        );
        this.observe(created);
        return true;
      }
      const record = recordOf(lease)!;
      this.observe(lease);
      // The holder's lease lasts what its record says (client-go reads the record too), not what our own flag says.
      const heldForMs = record.leaseDurationSeconds > 0 ? record.leaseDurationSeconds * 1000 : this.leaseDurationMs;
      if (!canAcquire(record, this.identity, this.observed!.atMs, nowMs, heldForMs)) return false;
      const updated = await client.replace<LeaseObject>({ ...lease, ...LEASE, spec: desired(record) }, { signal });
      this.observe(updated);
      this.lastContactMs = this.now();
      return true;
    } catch (err) {
      if (signal.aborted) return false;
      if (!isConflict(err)) this.log.warn({ err: errorMessage(err) }, 'lease request failed');
      return false;
    }
  }

  /** Remembers when the record last changed, by our clock. */
  private observe(lease: LeaseObject): void {
    const record = recordOf(lease)!;
    const resourceVersion = lease.metadata?.resourceVersion ?? '';
    if (!this.observed || this.observed.resourceVersion !== resourceVersion)
      this.observed = { record, resourceVersion, atMs: this.now() };
  }

  private async release(): Promise<void> {
    const { client, namespace, name } = this.options;
    try {
      const lease = await client.get<LeaseObject>({ ...LEASE, namespace, name });
      if (!lease || lease.spec?.holderIdentity !== this.identity) return;
      const now = microTime(new Date(this.now()));
      await client.replace<LeaseObject>({
        ...lease,
        ...LEASE,
        spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now },
      });
      this.log.info('released the lease');
    } catch (err) {
      this.log.warn({ err: errorMessage(err) }, 'could not release the lease; a standby takes over when it expires');
    }
  }

  private jittered(): number {
    return this.retryPeriodMs * (1 + Math.random() * 0.2);
  }
}
