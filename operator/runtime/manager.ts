import type { Registry } from 'prom-client';
import type { KubeConfig } from './client-node';
import { Controller, type ControllerOptions, type WatchedKind } from './controller';
import { type EventRecorder, KubeEventRecorder } from './events';
import { parseBindAddress, type RunningServer, serve } from './http-server';
import { MetricsAuthorizer } from './metrics-auth';
import { servingCertificate } from './serving-certificate';
import { Informer, stripManagedFields } from './informer';
import { KubeClient } from './kube-client';
import { LeaderElector, type LeaderElectionConfig, defaultIdentity } from './leader-election';
import { type Logger, createLogger } from './logger';
import { type RuntimeMetrics, createMetricsRegistry, runtimeMetrics } from './metrics';
import { type Runnable, Runnables } from './runnable';

export type { Runnable, RunnableContext } from './runnable';

export interface ManagerOptions {
  kubeConfig: KubeConfig;
  logger?: Logger;
  /** "127.0.0.1:8080" by default; "0" disables. */
  metricsAddr?: string;
  /**
   * Serve /metrics over HTTPS, only to bearer tokens the API server says may
   * `get` the path (TokenReview, then SubjectAccessReview), as
   * controller-runtime's WithAuthenticationAndAuthorization. The certificate
   * is tls.crt/tls.key from `certDir`, or self-signed at start.
   */
  metricsSecure?: { certDir?: string };
  /** "127.0.0.1:8081" by default; "0" disables. */
  healthAddr?: string;
  leaderElection?: LeaderElectionConfig;
  /** Watch primary (and 'manager'-scoped) kinds only in these namespaces; all namespaces when absent. */
  namespaces?: string[];
  /** How long stop() waits for reconciles in flight. */
  gracefulShutdownTimeoutMs?: number;
  /** Called when leadership is lost; by default the process exits, as controller-runtime's does. */
  onLeadershipLost?: () => void;
  registry?: Registry;
  fieldManager?: string;
  /** events.k8s.io reportingController. */
  eventSource?: string;
}

/**
 * Owns the shared pieces (client, informers, metrics, probes, leader election)
 * and runs controllers only while leading. Informers start at once, so a
 * standby keeps a warm cache and takes over without a cold list.
 */
export class Manager {
  readonly client: KubeClient;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly metrics: RuntimeMetrics;
  readonly recorder: EventRecorder;
  readonly identity: string;
  readonly namespaces: string[] | undefined;
  private readonly controllers: Controller[] = [];
  private readonly runnables: Runnables;
  private readonly informers = new Map<string, Informer>();
  private readonly elector: LeaderElector | undefined;
  private readonly servers: RunningServer[] = [];
  private readonly shutdownTimeoutMs: number;
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  private controllersRunning = false;
  private stopped: Promise<void> | undefined;
  metricsUrl: string | undefined;
  healthUrl: string | undefined;

  constructor(private readonly options: ManagerOptions) {
    this.logger = options.logger ?? createLogger();
    this.registry = options.registry ?? createMetricsRegistry();
    this.metrics = runtimeMetrics(this.registry);
    this.client = new KubeClient(options.kubeConfig, {
      fieldManager: options.fieldManager,
      observe: (o) => this.metrics.observeRequest(o),
    });
    this.identity = options.leaderElection?.identity ?? defaultIdentity();
    this.namespaces = options.namespaces && options.namespaces.length > 0 ? [...options.namespaces] : undefined;
    this.shutdownTimeoutMs = options.gracefulShutdownTimeoutMs ?? 30_000;
    this.runnables = new Runnables({
      client: this.client,
      logger: this.logger,
      informerFor: (kind) => this.informerFor(kind),
    });
    this.recorder = new KubeEventRecorder({
      client: this.client,
      logger: this.logger,
      controller: options.eventSource ?? 'understudy.dev/operator',
      instance: this.identity,
    });
    if (options.leaderElection) {
      this.elector = new LeaderElector({
        ...options.leaderElection,
        identity: this.identity,
        // Its own client with a short timeout, so one hung request cannot outlive the renew deadline.
        client: new KubeClient(options.kubeConfig, { requestTimeoutMs: 5_000 }),
        logger: this.logger,
        onStartedLeading: () => {
          this.metrics.leaderStatus.set({ name: options.leaderElection!.name }, 1);
          this.startControllers();
        },
        onStoppedLeading: () => {
          this.metrics.leaderStatus.set({ name: options.leaderElection!.name }, 0);
          this.leadershipLost();
        },
      });
      this.metrics.leaderStatus.set({ name: options.leaderElection.name }, 0);
    }
  }

  /**
   * Adds a controller, and the runnables it brings (`runnables`, e.g. a
   * periodic sweep that belongs to the controller but not to any reconcile).
   */
  addController(options: ControllerOptions & { runnables?: readonly Runnable[] }): Controller {
    if (this.state !== 'new') throw new Error('controllers must be added before start()');
    if (this.controllers.some((c) => c.name === options.name))
      throw new Error(`a controller named ${options.name} is already registered`);
    const controller = new Controller(options, {
      client: this.client,
      logger: this.logger,
      recorder: this.recorder,
      metrics: this.metrics,
      informerFor: (kind) => this.informerFor(kind),
    });
    this.controllers.push(controller);
    for (const runnable of options.runnables ?? []) this.add(runnable);
    return controller;
  }

  /** Adds a runnable (controller-runtime's mgr.Add): leader-only ones run while controllers do, others from start(). */
  add(runnable: Runnable): void {
    if (this.state !== 'new') throw new Error('runnables must be added before start()');
    this.runnables.add(runnable);
  }

  controller(name: string): Controller | undefined {
    return this.controllers.find((c) => c.name === name);
  }

  /** One informer per kind, selector and scope, shared by every controller that asks. */
  informerFor(kind: WatchedKind): Informer {
    const namespaces = kind.scope === 'all' ? undefined : this.namespaces;
    const key = JSON.stringify([kind.apiVersion, kind.kind, kind.labelSelector ?? '', namespaces ?? []]);
    let informer = this.informers.get(key);
    if (!informer) {
      informer = new Informer({
        client: this.client,
        apiVersion: kind.apiVersion,
        kind: kind.kind,
        namespaces,
        labelSelector: kind.labelSelector,
        logger: this.logger,
        metrics: this.metrics.informer,
        transform: stripManagedFields,
      });
      this.informers.set(key, informer);
      if (this.state === 'running') informer.start();
    }
    return informer;
  }

  isLeader(): boolean {
    return this.elector ? this.elector.isLeader() : this.state === 'running';
  }

  /** Caches synced and, with leader election, either leading or a standby in touch with the API server. */
  ready(): { ok: boolean; failing: string[] } {
    const failing: string[] = [];
    if (this.state !== 'running') failing.push(`manager is ${this.state}`);
    for (const informer of this.informers.values())
      if (!informer.hasSynced()) failing.push(`cache ${informer.resource} not synced`);
    if (this.elector && !this.elector.isLeader() && !this.elector.healthy())
      failing.push('leader election cannot reach the API server');
    return { ok: failing.length === 0, failing };
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`manager cannot start: it is ${this.state}`);
    this.state = 'running';
    await this.startServers();
    for (const informer of this.informers.values()) informer.start();
    this.runnables.start(false);
    if (this.elector) this.elector.start();
    else this.startControllers();
    this.logger.info(
      { identity: this.identity, namespaces: this.namespaces ?? 'all', leaderElection: Boolean(this.elector) },
      'manager started',
    );
  }

  /** Stops taking work, waits (bounded) for reconciles in flight, releases the lease, closes the servers. */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  /** Stops on SIGTERM/SIGINT; a second signal exits at once. */
  handleSignals(onStopped: () => void = () => process.exit(0)): void {
    let signals = 0;
    const handler = (signal: NodeJS.Signals): void => {
      if (++signals > 1) process.exit(1);
      this.logger.info({ signal }, 'shutting down');
      void this.stop().then(onStopped);
    };
    process.on('SIGTERM', handler);
    process.on('SIGINT', handler);
  }

  private startControllers(): void {
    if (this.controllersRunning || this.state !== 'running') return;
    this.controllersRunning = true;
    this.runnables.start(true);
    for (const controller of this.controllers) {
      controller
        .start()
        .catch((err: unknown) =>
          this.logger.error({ err: String(err), controller: controller.name }, 'controller failed to start'),
        );
    }
  }

  private leadershipLost(): void {
    if (this.state !== 'running') return;
    const handler =
      this.options.onLeadershipLost ??
      (() => {
        this.logger.fatal('leader election lost; exiting so a fresh process can campaign again');
        process.exit(1);
      });
    // Stop reconciling at once: another replica may already be leading.
    for (const controller of this.controllers) void controller.stop(0);
    void this.runnables.stop(true, 0);
    this.controllersRunning = false;
    handler();
  }

  private async shutdown(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopping';
    const started = Date.now();
    const [drained] = await Promise.all([
      Promise.all(this.controllers.map((c) => c.stop(this.shutdownTimeoutMs))),
      this.runnables.stop('all', this.shutdownTimeoutMs),
    ]);
    if (this.elector) {
      await this.elector.stop();
      this.metrics.leaderStatus.set({ name: this.options.leaderElection!.name }, 0);
    }
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
    await Promise.all(this.servers.map((s) => s.close()));
    this.state = 'stopped';
    this.logger.info({ tookMs: Date.now() - started, drained: drained.every(Boolean) }, 'manager stopped');
  }

  private async startServers(): Promise<void> {
    const metricsAddress = parseBindAddress(this.options.metricsAddr ?? '127.0.0.1:8080', 'metricsAddr');
    if (metricsAddress) {
      const secure = this.options.metricsSecure;
      const authorizer = secure ? new MetricsAuthorizer({ client: this.client }) : undefined;
      const server = await serve(
        metricsAddress,
        {
          '/metrics': async (_req, res) => {
            const body = await this.registry.metrics();
            res.writeHead(200, { 'Content-Type': this.registry.contentType }).end(body);
          },
        },
        secure && authorizer
          ? {
              tls: servingCertificate(secure.certDir, metricsAddress.host, this.logger),
              guard: (req, path) => authorizer.check(req, path),
            }
          : {},
      );
      this.servers.push(server);
      this.metricsUrl = server.url;
    }
    const healthAddress = parseBindAddress(this.options.healthAddr ?? '127.0.0.1:8081', 'healthAddr');
    if (healthAddress) {
      const server = await serve(healthAddress, {
        '/healthz': (_req, res) => {
          const ok = this.state === 'running';
          res.writeHead(ok ? 200 : 503).end(ok ? 'ok\n' : `${this.state}\n`);
        },
        '/readyz': (_req, res) => {
          const { ok, failing } = this.ready();
          res.writeHead(ok ? 200 : 503).end(ok ? 'ok\n' : `${failing.join('\n')}\n`);
        },
      });
      this.servers.push(server);
      this.healthUrl = server.url;
    }
  }
}
