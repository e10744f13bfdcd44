import { LABELS, MANAGED_BY } from '../../api/common';
import type { StackResult } from '../../infrastructure/request';
import { stackNameOf } from '../../infrastructure/request';
import type { KubernetesObject } from '../../runtime/client-node';

// What a finished stack operation leaves outside the environment's status:
// one Event, and the outputs as a Secret in the target namespace. Pure; the
// same for every runner.

/** One Event per finished operation (an interrupted runner is not one): what happened, in the engine's words on failure. */
export function eventOf(result: StackResult): ['Normal' | 'Warning', string, string] {
  if (!result.ok)
    return ['Warning', 'InfrastructureFailed', `${result.action} failed: ${result.message}`.slice(0, 1024)];
  if (result.action === 'drift')
    return result.drifted
      ? ['Warning', 'InfrastructureDrifted', 'a refresh would change the stack: something changed outside Pulumi']
      : ['Normal', 'InfrastructureInSync', 'a refresh changes nothing'];
  const recovered = result.recovered.length ? ` (${result.recovered.join('; ')})` : '';
  return [
    'Normal',
    result.action === 'up' ? 'InfrastructureUp' : 'InfrastructureDestroyed',
    `${result.action} succeeded in ${(result.durationMs / 1000).toFixed(1)} s${recovered}`,
  ];
}

/** Outputs as Secret data: strings as they are, anything else as JSON. */
export function outputsSecret(
  env: { metadata: { name: string; namespace: string; uid: string } },
  namespace: string,
  name: string,
  outputs: Record<string, { value: unknown; secret: boolean }>,
): KubernetesObject & { type: string; stringData: Record<string, string> } {
  const stringData = Object.fromEntries(
    Object.entries(outputs).map(([k, o]) => [k, typeof o.value === 'string' ? o.value : JSON.stringify(o.value)]),
  );
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      namespace,
      labels: {
        [LABELS.managedBy]: MANAGED_BY,
        [LABELS.environment]: env.metadata.name,
        [LABELS.environmentNamespace]: env.metadata.namespace,
      },
      annotations: { 'understudy.dev/stack': stackNameOf(env.metadata) },
    },
    type: 'Opaque',
    stringData,
  };
}
