import type { Registry } from 'prom-client';
import type { ControllerOptions } from './controller';
import type { Logger } from './logger';
import type { TenantNetwork } from './tenant-network';

/** What a controller factory may use to build its controller. */
export interface ControllerEnvironment {
  logger: Logger;
  /** The namespaces the operator watches; undefined means all. */
  namespaces: string[] | undefined;
  /** This process's leader-election identity. */
  identity: string;
  /** The manager's metrics registry (served on /metrics), for a controller's own metrics. */
  registry: Registry;
  /** The operator's own namespace: where admins put what only the operator may read (remote kubeconfigs). */
  operatorNamespace: string;
  /** Bounds on seeds run inside the operator (flags of `understudy operator`); the DataSeed controller's defaults otherwise. */
  inlineSeeds?: { max: number; perNamespace: number; deadlineSeconds: number };
  /** Where the operator may connect for a tenant (--tenant-database-networks); absent, the default: not its own pod or node. */
  tenantNetwork?: TenantNetwork;
}

/** Builds one controller (or several) for the manager; operator/controllers/index.ts lists one per kind. */
export type ControllerFactory = (env: ControllerEnvironment) => ControllerOptions | ControllerOptions[];
