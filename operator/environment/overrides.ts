import type { EnvVar as EnvOverride } from '../api/stagingenvironment';
import { repositoryOf } from '../api/values/image';
import type { Container, EnvVar, PodSpec, ServicePort, ServiceSpec } from './k8s-types';
import { clone, type KubeObject } from './objects';
import { podSpecOf } from './workloads';

// Per-service overrides. The image goes to the service's main containers:
// those (init containers included) running the same repository as the
// override, so `checkout:pr-1234` replaces `checkout:1.0.0` in the app and in
// its migration init container but leaves sidecars alone. When no container
// runs that repository, the first container is the main one. Env overrides
// go to the same containers: a variable of the same name is replaced where it
// stands, new ones are appended.

export interface ServiceOverride {
  image?: string;
  env?: readonly EnvOverride[];
}

export function applyOverride(workload: KubeObject, override: ServiceOverride): KubeObject {
  const copy = clone(workload);
  const spec = podSpecOf(copy);
  if (!spec || (override.image === undefined && override.env === undefined)) return copy;
  for (const container of mainContainers(spec, override.image)) {
    if (override.image !== undefined) container.image = override.image;
    if (override.env !== undefined) container.env = mergeEnv(container.env ?? [], override.env);
  }
  return copy;
}

export function mainContainers(spec: PodSpec, image: string | undefined): Container[] {
  const first = spec.containers?.[0];
  if (image === undefined) return first ? [first] : [];
  const repository = repositoryOf(image);
  const matching = [...(spec.initContainers ?? []), ...(spec.containers ?? [])].filter(
    (c) => c.image !== undefined && repositoryOf(c.image) === repository,
  );
  return matching.length > 0 ? matching : first ? [first] : [];
}

/** The image of a workload's main container, as the status reports it. */
export function mainImage(workload: KubeObject): string | undefined {
  return podSpecOf(workload)?.containers?.[0]?.image;
}

function mergeEnv(current: readonly EnvVar[], overrides: readonly EnvOverride[]): EnvVar[] {
  const merged = current.map((v) => ({ ...v }));
  for (const override of overrides) {
    const variable: EnvVar = {
      name: override.name,
      ...(override.value !== undefined ? { value: override.value } : {}),
      ...(override.valueFrom ? { valueFrom: clone(override.valueFrom) } : {}),
    };
    const index = merged.findIndex((v) => v.name === override.name);
    if (index === -1) merged.push(variable);
    else merged[index] = variable;
  }
  return merged;
}

/**
 * A Service of a shared service: an ExternalName to the baseline's Service,
 * so the environment's clients reach the baseline's instance by the same
 * short name. Ports are kept for readers; ExternalName ignores them.
 */
export function externalNameService(service: KubeObject, baselineNamespace: string): KubeObject {
  const spec = (service.spec ?? {}) as ServiceSpec;
  const ports = (spec.ports ?? []).map((p): ServicePort => ({
    ...(p.name ? { name: p.name } : {}),
    port: p.port,
    ...(p.protocol ? { protocol: p.protocol } : {}),
  }));
  return {
    apiVersion: service.apiVersion,
    kind: 'Service',
    metadata: clone(service.metadata),
    spec: {
      type: 'ExternalName',
      externalName: `${service.metadata.name}.${baselineNamespace}.svc.cluster.local`,
      ...(ports.length > 0 ? { ports } : {}),
    },
  };
}
