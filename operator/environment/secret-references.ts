import type { PodSpec } from './k8s-types';
import { allContainers } from './workloads';

// A pod that references a Secret the environment does not have would never
// start (CreateContainerConfigError, or a volume that never mounts). Under
// Omit, and for Secrets CopyListed leaves out, such references become
// optional: the pod starts and the application sees the variable or file
// missing, which is what "the secret was not copied" means to it.

/** Marks references to Secrets outside `available` optional; returns the names of those Secrets. */
export function optionalizeMissingSecrets(spec: PodSpec, available: ReadonlySet<string>): Set<string> {
  const missing = new Set<string>();
  const absent = (name: string | undefined): boolean => {
    if (name === undefined || available.has(name)) return false;
    missing.add(name);
    return true;
  };
  for (const container of allContainers(spec)) {
    for (const variable of container.env ?? []) {
      const ref = variable.valueFrom?.secretKeyRef;
      if (ref && absent(ref.name)) ref.optional = true;
    }
    for (const source of container.envFrom ?? []) {
      if (source.secretRef && absent(source.secretRef.name)) source.secretRef.optional = true;
    }
  }
  for (const volume of spec.volumes ?? []) {
    if (volume.secret && absent(volume.secret.secretName)) volume.secret.optional = true;
    for (const source of volume.projected?.sources ?? []) {
      if (source.secret && absent(source.secret.name)) source.secret.optional = true;
    }
  }
  return missing;
}
