import type { ServiceSpec } from './k8s-types';
import { clone, type KubeObject } from './objects';

// A copy is reached through its Ingress hosts or from inside the cluster.
// LoadBalancer and NodePort Services would buy a cloud load balancer per
// environment or open node ports, and externalIPs or loadBalancerIP would
// claim production's addresses: copies become ClusterIP Services.

const EXTERNAL_FIELDS = [
  'externalIPs',
  'loadBalancerIP',
  'loadBalancerSourceRanges',
  'loadBalancerClass',
  'allocateLoadBalancerNodePorts',
  'externalTrafficPolicy',
  'healthCheckNodePort',
];

export function confineService(service: KubeObject): { service: KubeObject; warning?: string } {
  const copy = clone(service);
  const spec = copy.spec as ServiceSpec | undefined;
  if (!spec) return { service: copy };
  const type = spec.type;
  for (const field of EXTERNAL_FIELDS) delete spec[field];
  for (const port of spec.ports ?? []) delete port.nodePort;
  if (type === 'LoadBalancer' || type === 'NodePort') {
    spec.type = 'ClusterIP';
    return {
      service: copy,
      warning: `Service ${service.metadata.name} is ${type} in the baseline; its copy is ClusterIP, reachable through the environment's Ingress hosts`,
    };
  }
  return { service: copy };
}
