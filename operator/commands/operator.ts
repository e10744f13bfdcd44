import { Command, Option } from 'commander';
import { z } from 'zod';
import { contextNamespace } from '../runtime/client-node';
import { kubeConfigFor } from './conventions';
import type { ControllerEnvironment, ControllerFactory } from '../runtime/controller-environment';
import { parseBindAddress } from '../runtime/http-server';
import { type Logger, createLogger } from '../runtime/logger';
import { Manager } from '../runtime/manager';
import { TENANT_NETWORKS_FLAG, TenantNetwork } from '../runtime/tenant-network';
import { collect } from './options';
import { echoController } from '../runtime/testing/configmap-echo';

export type { ControllerEnvironment, ControllerFactory } from '../runtime/controller-environment';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Loopback and a port few programs use (docs/observability.md); the chart listens on :8081 in the Pod. */
export const DEFAULT_HEALTH_ADDRESS = '127.0.0.1:9440';

function bindAddress(field: string) {
  return z.string().superRefine((value, ctx) => {
    try {
      parseBindAddress(value, field);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  });
}

export const OperatorOptionsSchema = z.object({
  kubeconfig: z.string().min(1).optional(),
  context: z.string().min(1).optional(),
  namespace: z.array(z.string().regex(DNS1123_LABEL, 'must be a namespace name (DNS-1123 label)')).default([]),
  // Off by default, as in controller-runtime: nothing listens on a port another program on a developer's machine may want.
  metricsBindAddress: bindAddress('--metrics-bind-address').default('0'),
  metricsSecure: z.boolean().default(true),
  metricsCertDir: z.string().min(1).optional(),
  healthProbeBindAddress: bindAddress('--health-probe-bind-address').default(DEFAULT_HEALTH_ADDRESS),
  leaderElect: z.boolean().default(false),
  leaderElectionNamespace: z.string().regex(DNS1123_LABEL, 'must be a namespace name (DNS-1123 label)').optional(),
  leaderElectionId: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a DNS-1123 subdomain')
    .default('understudy-operator'),
  gracefulShutdownTimeout: z.coerce.number().int().min(0).default(20),
  maxInlineSeeds: z.coerce.number().int().min(1).max(64).default(2),
  maxInlineSeedsPerNamespace: z.coerce.number().int().min(1).max(64).default(1),
  inlineSeedDeadline: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3600)
    .default(7200),
  // Repeatable, and comma-separated as kubectl's lists are: the chart renders one flag per value.
  tenantDatabaseNetworks: z
    .array(z.string())
    .default([])
    .transform((values) =>
      values
        .flatMap((v) => v.split(','))
        .map((v) => v.trim())
        .filter((v) => v !== ''),
    )
    .superRefine((networks, ctx) => {
      try {
        new TenantNetwork(networks);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message.replace(`${TENANT_NETWORKS_FLAG}: `, '') });
      }
    }),
  testController: z.enum(['configmap-echo']).optional(),
});
export type OperatorOptions = z.infer<typeof OperatorOptionsSchema>;

/** Turns zod's issues into one line per bad flag. */
export function parseOperatorOptions(raw: unknown): OperatorOptions {
  const parsed = OperatorOptionsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const flag = (path: PropertyKey[]): string =>
    `--${String(path[0] ?? '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  throw new Error(parsed.error.issues.map((i) => `${flag(i.path)}: ${i.message}`).join('\n'));
}

/** Builds and starts the manager; resolves once it is running. */
export async function runOperator(
  options: OperatorOptions,
  factories: readonly ControllerFactory[],
  logger: Logger = createLogger(),
): Promise<Manager> {
  const kubeConfig = kubeConfigFor(options);
  const namespaces = options.namespace.length > 0 ? options.namespace : undefined;
  const operatorNamespace = process.env.POD_NAMESPACE ?? contextNamespace(kubeConfig) ?? 'understudy-system';
  const leaderElectionNamespace = options.leaderElectionNamespace ?? operatorNamespace;
  const manager = new Manager({
    kubeConfig,
    logger,
    namespaces,
    metricsAddr: options.metricsBindAddress,
    ...(options.metricsSecure
      ? { metricsSecure: { ...(options.metricsCertDir ? { certDir: options.metricsCertDir } : {}) } }
      : {}),
    healthAddr: options.healthProbeBindAddress,
    gracefulShutdownTimeoutMs: options.gracefulShutdownTimeout * 1000,
    leaderElection: options.leaderElect
      ? { namespace: leaderElectionNamespace, name: options.leaderElectionId }
      : undefined,
  });
  const env: ControllerEnvironment = {
    logger,
    namespaces,
    identity: manager.identity,
    registry: manager.registry,
    operatorNamespace,
    inlineSeeds: {
      max: options.maxInlineSeeds,
      perNamespace: options.maxInlineSeedsPerNamespace,
      deadlineSeconds: options.inlineSeedDeadline,
    },
    // The pod's own address (the chart sets POD_IP) is as much the operator's as its loopback.
    tenantNetwork: new TenantNetwork(options.tenantDatabaseNetworks, process.env.POD_IP ? [process.env.POD_IP] : []),
  };
  const all = [...factories];
  if (options.testController === 'configmap-echo') all.push(({ identity }) => echoController({ identity }));
  for (const factory of all) {
    const built = factory(env);
    for (const controller of Array.isArray(built) ? built : [built]) manager.addController(controller);
  }
  await manager.start();
  logger.info({ metrics: manager.metricsUrl, health: manager.healthUrl }, 'operator running');
  return manager;
}

/** `understudy operator`: runs every registered controller until SIGTERM or SIGINT. */
export function registerOperatorCommand(program: Command, factories: readonly ControllerFactory[]): Command {
  return program
    .command('operator')
    .description('Run the controllers (StagingEnvironment, DataSeed, ParityCheck) until SIGTERM')
    .option('--kubeconfig <path>', 'kubeconfig to use (default: KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('--context <name>', 'kubeconfig context to use (default: its current context)')
    .option('--namespace <name>', 'watch only this namespace (repeatable; default: all namespaces)', collect)
    .option('--metrics-bind-address <addr>', 'where /metrics listens, e.g. :8443; 0 (the default) disables', '0')
    .option(
      '--no-metrics-secure',
      'serve /metrics over plain HTTP to anyone (default: HTTPS, bearer tokens allowed to get /metrics only)',
    )
    .option(
      '--metrics-cert-dir <dir>',
      'directory with tls.crt and tls.key for /metrics (default: a self-signed certificate made at start)',
    )
    .option(
      '--health-probe-bind-address <addr>',
      'where /healthz and /readyz listen; 0 disables',
      DEFAULT_HEALTH_ADDRESS,
    )
    .option('--leader-elect', 'run controllers only while holding the leader Lease', false)
    .option(
      '--leader-election-namespace <name>',
      'namespace of the Lease (default: POD_NAMESPACE or the kubeconfig namespace)',
    )
    .option('--leader-election-id <name>', 'name of the Lease', 'understudy-operator')
    .option(
      '--graceful-shutdown-timeout <seconds>',
      'how long to wait for reconciles in flight on shutdown (below the pod grace period, so the lease is still released)',
      '20',
    )
    .option(
      '--max-inline-seeds <n>',
      'DataSeeds run inside the operator at once (runner: Inline, and every seed that reads production)',
      '2',
    )
    .option(
      '--max-inline-seeds-per-namespace <n>',
      'of those, at most this many from one namespace, so one team cannot take every slot',
      '1',
    )
    .option(
      '--inline-seed-deadline <seconds>',
      'an inline seed running longer is cancelled and rolled back (DeadlineExceeded)',
      '7200',
    )
    .option(
      `${TENANT_NETWORKS_FLAG} <cidr>`,
      "networks a tenant's database may be in when the operator connects to it (Inline seeds, ParityCheck, LoadTest valuesFrom); repeatable or comma-separated (default: anywhere but the operator's own pod and node: loopback, link-local and metadata addresses)",
      collect,
    )
    .addOption(
      new Option('--test-controller <name>', 'run a test-only controller (integration tests)')
        .choices(['configmap-echo'])
        .hideHelp(),
    )
    .action(async (raw: Record<string, unknown>) => {
      const options = parseOperatorOptions(raw);
      const logger = createLogger();
      const manager = await runOperator(options, factories, logger);
      manager.handleSignals();
    });
}
