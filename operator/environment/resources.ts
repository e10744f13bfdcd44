import type { Container, Quantities, ResourceRequirements } from './k8s-types';
import { isQuantity, scaleCpu, scaleMemory } from '../api/values/quantity';
import { compare, type Rational } from '../api/values/rational';
import { ONE } from '../api/values/ratio';
import { clone, type KubeObject } from './objects';
import { allContainers, podSpecOf } from './workloads';

// CPU and memory requests and limits follow spec.scale.resources. Other
// resources (GPUs, hugepages, ephemeral storage) are counts or sizes that do
// not shrink with the environment and stay as they are.

const SCALERS: Record<string, (text: string, ratio: Rational) => string> = { cpu: scaleCpu, memory: scaleMemory };

export function scaleResources(object: KubeObject, ratio: Rational): KubeObject {
  if (compare(ratio, ONE) === 0) return object;
  const copy = clone(object);
  const spec = podSpecOf(copy);
  if (!spec) return copy;
  for (const container of allContainers(spec)) scaleContainer(container, ratio);
  if (spec.resources) spec.resources = scaleRequirements(spec.resources, ratio);
  return copy;
}

function scaleContainer(container: Container, ratio: Rational): void {
  if (container.resources) container.resources = scaleRequirements(container.resources, ratio);
}

export function scaleRequirements(requirements: ResourceRequirements, ratio: Rational): ResourceRequirements {
  const scaled: ResourceRequirements = { ...requirements };
  if (requirements.requests) scaled.requests = scaleList(requirements.requests, ratio);
  if (requirements.limits) scaled.limits = scaleList(requirements.limits, ratio);
  return scaled;
}

function scaleList(list: Quantities, ratio: Rational): Quantities {
  return Object.fromEntries(
    Object.entries(list).map(([name, value]) => {
      const scale = SCALERS[name];
      // An unparsable quantity is left for the API server to refuse with its own message.
      return [name, scale && isQuantity(String(value)) ? scale(String(value), ratio) : value];
    }),
  );
}
