import type { LoadTarget } from '../../api/loadtest';
import { Kinds } from '../../kinds';
import type { KubernetesObject } from '../../runtime/client-node';
import type { ReconcileContext } from '../../runtime/reconciler';

// Targets are Services of the environment's own namespace, looked up when the
// test starts: never a URL from the spec, and never an ExternalName (a shared
// service of a preview is an ExternalName to production's).

export interface ResolvedTarget {
  name: string;
  service: string;
  namespace: string;
  port: number;
  scheme: 'http' | 'https';
}

export type TargetProblem = { reason: 'TargetNotFound' | 'TargetNotAllowed'; message: string };

/** How a resolved Service becomes a URL: cluster DNS by default; tests and laptops give their own (port-forwards, loopback). */
export type ServiceUrl = (target: ResolvedTarget) => string;

export const clusterDnsUrl: ServiceUrl = (t) => `${t.scheme}://${t.service}.${t.namespace}.svc:${t.port}`;

interface ServicePort {
  name?: string;
  port?: number;
}

type ServiceObject = {
  spec?: { type?: string; ports?: ServicePort[]; externalName?: string; selector?: Record<string, string> };
};

export function portOf(ports: readonly ServicePort[], wanted: number | string): number | undefined {
  const match = ports.find((p) => (typeof wanted === 'number' ? p.port === wanted : p.name === wanted));
  return match?.port;
}

/** Kubernetes' own EndpointSlice controller, which writes a selector's slices from the pods it selects. */
export const ENDPOINTSLICE_CONTROLLER = 'endpointslice-controller.k8s.io';

type EndpointSliceObject = { metadata?: { name?: string; labels?: Record<string, string> } };

/**
 * A slice of the Service that its selector did not produce. kube-proxy routes the Service's address to every slice
 * labelled with its name, so one written by hand (to production, to the node's metadata address) would take part
 * of the load, sent from wherever the generator runs — the operator itself, for runner Inline.
 */
async function handMadeSlice(
  ctx: Pick<ReconcileContext, 'client'>,
  namespace: string,
  service: string,
): Promise<{ name: string; managedBy: string } | undefined> {
  const slices = await ctx.client.list<EndpointSliceObject & KubernetesObject>('discovery.k8s.io/v1', 'EndpointSlice', {
    namespace,
    labelSelector: `kubernetes.io/service-name=${service}`,
  });
  for (const slice of slices.items) {
    const managedBy = slice.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'];
    if (managedBy !== ENDPOINTSLICE_CONTROLLER)
      return { name: slice.metadata?.name ?? '?', managedBy: managedBy ?? 'no controller' };
  }
  return undefined;
}

export async function resolveTargets(
  ctx: Pick<ReconcileContext, 'client'>,
  targets: readonly LoadTarget[],
  namespace: string,
): Promise<{ ok: true; targets: ResolvedTarget[] } | ({ ok: false } & TargetProblem)> {
  const resolved: ResolvedTarget[] = [];
  for (const [i, target] of targets.entries()) {
    const field = `spec.targets[${i}]`;
    const service = await ctx.client.get<ServiceObject & { metadata?: { name?: string } }>({
      ...Kinds.Service,
      namespace,
      name: target.service,
    });
    if (!service)
      return {
        ok: false,
        reason: 'TargetNotFound',
        message: `${field}.service: Service ${namespace}/${target.service} does not exist`,
      };
    if (service.spec?.type === 'ExternalName') {
      return {
        ok: false,
        reason: 'TargetNotAllowed',
        message: `${field}.service: Service ${namespace}/${target.service} is an ExternalName (to ${service.spec.externalName ?? '?'}), outside the environment; load goes only to the environment's own services`,
      };
    }
    if (Object.keys(service.spec?.selector ?? {}).length === 0) {
      // Its endpoints are whatever someone wrote by hand (an EndpointSlice to any address): not the environment's.
      return {
        ok: false,
        reason: 'TargetNotAllowed',
        message: `${field}.service: Service ${namespace}/${target.service} selects no pods (its endpoints are written by hand and may be outside the environment); load goes only to the environment's own services`,
      };
    }
    const handMade = await handMadeSlice(ctx, namespace, target.service);
    if (handMade)
      return {
        ok: false,
        reason: 'TargetNotAllowed',
        message: `${field}.service: Service ${namespace}/${target.service} has EndpointSlice ${handMade.name}, written by ${handMade.managedBy} and not by Kubernetes from the selector: its addresses may be outside the environment; load goes only to the environment's own services`,
      };
    const port = portOf(service.spec?.ports ?? [], target.port);
    if (port === undefined) {
      const known = (service.spec?.ports ?? [])
        .map((p) => (p.name ? `${p.name} (${p.port})` : String(p.port)))
        .join(', ');
      return {
        ok: false,
        reason: 'TargetNotFound',
        message: `${field}.port: Service ${namespace}/${target.service} has no port ${target.port} (ports: ${known || 'none'})`,
      };
    }
    resolved.push({ name: target.name, service: target.service, namespace, port, scheme: target.scheme });
  }
  return { ok: true, targets: resolved };
}
