// The one thing the StagingEnvironment controller needs to know about
// infrastructure: while this controller's finalizer is on an environment,
// its stack is not destroyed yet, so the target namespace must stay (the
// outputs Secret lives there, and destroying inside a terminating namespace
// deadlocks: pulumi/pulumi-kubernetes-operator learned it). Pure, and free
// of imports, so the other controller can call it without loading this one.

export const INFRASTRUCTURE_FINALIZER = 'understudy.dev/infrastructure-destroy';

/** True while the environment's infrastructure still has to be destroyed before its namespace may be deleted. */
export function infrastructureHoldsNamespace(environment: { metadata?: { finalizers?: readonly string[] } }): boolean {
  return environment.metadata?.finalizers?.includes(INFRASTRUCTURE_FINALIZER) ?? false;
}
