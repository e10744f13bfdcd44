import type { CopySpec } from './copy-spec';
import { HostTemplateError, hostIngress } from './ingress';
import type { NamespaceRewrite } from './namespace-references';
import { is, type KubeObject } from './objects';
import { applyOverride, externalNameService, type ServiceOverride } from './overrides';
import type { Rational } from '../api/values/rational';
import { scaleAutoscaler, scaleDisruptionBudget, scaleWorkload } from './replicas';
import { scaleResources } from './resources';
import { rewriteNamespaceReferences } from './rewrite-references';
import { confineService } from './service-exposure';
import { stripServerFields } from './strip';
import { freshClaim, isolateVolumes } from './volumes';
import { isWorkload } from './workloads';

// One baseline object (not a Secret) to its copy, in a fixed order: strip
// what the server set, make it safe (claims, exposure), rewrite namespace
// references, then apply the environment's choices (overrides, scale), so
// that values the user wrote in the spec are never rewritten.

export interface TransformContext {
  environment: string;
  targetNamespace: string;
  baselineNamespace?: string;
  rewrite?: NamespaceRewrite;
  replicas: Rational;
  resources: Rational;
  suspend: boolean;
  ingress?: CopySpec['ingress'];
  /** Name of the TLS Secret the copies' Ingresses use, when there is one. */
  tlsSecretName?: string;
  /** `Kind/name` of workloads an HPA of the copy scales. */
  autoscaled: ReadonlySet<string>;
  /** Claims the copy has, so pod volumes naming others become emptyDir. */
  claimNames: ReadonlySet<string>;
  /** Overrides by workload `Kind/name`. */
  overrides: ReadonlyMap<string, ServiceOverride>;
  /** Names of Services that become ExternalNames to the baseline's (shared services). */
  sharedServices: ReadonlySet<string>;
}

export interface TransformResult {
  /** Undefined when the object has no copy (an HPA while suspended, an Ingress without a host template). */
  object?: KubeObject;
  urls: string[];
  warnings: string[];
}

export class TransformError extends Error {
  override name = 'TransformError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export function transformObject(source: KubeObject, context: TransformContext): TransformResult {
  const warnings: string[] = [];
  let object = stripServerFields(source);
  if (is(object, 'Service', '') && context.sharedServices.has(object.metadata.name) && context.baselineNamespace) {
    return { object: externalNameService(object, context.baselineNamespace), urls: [], warnings };
  }
  if (is(object, 'Service', '')) {
    const confined = confineService(object);
    object = confined.service;
    if (confined.warning) warnings.push(confined.warning);
  }
  if (is(object, 'PersistentVolumeClaim', '')) object = freshClaim(object);
  if (context.rewrite) object = rewriteNamespaceReferences(object, context.rewrite);
  if (isWorkload(object)) return { object: transformWorkload(object, context, warnings), urls: [], warnings };
  if (object.kind === 'HorizontalPodAutoscaler')
    return { ...(context.suspend ? {} : { object: scaleAutoscaler(object, context.replicas) }), urls: [], warnings };
  if (object.kind === 'PodDisruptionBudget')
    return { object: scaleDisruptionBudget(object, context.replicas), urls: [], warnings };
  if (is(object, 'Ingress', 'networking.k8s.io')) return transformIngress(object, context, warnings);
  return { object, urls: [], warnings };
}

function transformWorkload(workload: KubeObject, context: TransformContext, warnings: string[]): KubeObject {
  const key = `${workload.kind}/${workload.metadata.name}`;
  const override = context.overrides.get(key);
  let object = override ? applyOverride(workload, override) : workload;
  object = scaleWorkload(object, {
    ratio: context.replicas,
    suspend: context.suspend,
    autoscaled: context.autoscaled.has(key),
  });
  object = scaleResources(object, context.resources);
  const volumes = isolateVolumes(object, context.claimNames);
  warnings.push(...volumes.warnings);
  return volumes.object;
}

function transformIngress(ingress: KubeObject, context: TransformContext, warnings: string[]): TransformResult {
  if (!context.ingress) {
    warnings.push(
      `Ingress ${ingress.metadata.name} is not copied: set spec.ingress.hostTemplate to give it the environment's own hosts`,
    );
    return { urls: [], warnings };
  }
  try {
    const hosted = hostIngress(ingress, {
      hostTemplate: context.ingress.hostTemplate,
      environment: context.environment,
      namespace: context.targetNamespace,
      ...(context.tlsSecretName ? { tlsSecretName: context.tlsSecretName } : {}),
      ...(context.ingress.className ? { className: context.ingress.className } : {}),
    });
    return { object: hosted.ingress, urls: hosted.urls, warnings };
  } catch (error) {
    if (error instanceof HostTemplateError) throw new TransformError('spec.ingress.hostTemplate', error.message);
    throw error;
  }
}
