import { LABELS, MANAGED_BY } from '../../api/common';
import type { DataSeedSpec } from '../../api/dataseed';
import { Kinds, type StagingEnvironmentObject } from '../../kinds';
import type { ReconcileContext } from '../../runtime/reconciler';
import { OWNER_ANNOTATION, OWNER_UID_ANNOTATION } from '../../environment/namespace';
import { accessBaseline, type BaselineDenial, type GrantedBaseline } from '../baseline-access';

// The door to production for a DataSeed: the Baseline it names must allow
// the namespace asking. That is the DataSeed's own namespace, except in a
// preview's target namespace, which asks on behalf of the environment that
// made it: a StagingEnvironment's dataSeeds templates land there, and the
// Baseline allows the environment's namespace, not every preview.
//
// A target namespace is recognised only by what a tenant cannot forge: the
// managed-by label and owner annotation on the Namespace (set by the
// operator, which the admission policy lets create only namespaces so
// labelled; tenants cannot label namespaces) and a StagingEnvironment of
// that name in that namespace whose uid and target namespace match.

export type Gate =
  { ok: true; baseline: GrantedBaseline | undefined } | { ok: false; reason: BaselineDenial; message: string };

/** The namespace whose access the Baseline judges for a DataSeed in `namespace`. */
export async function requesterNamespace(
  ctx: Pick<ReconcileContext, 'cache' | 'client'>,
  namespace: string,
): Promise<string> {
  const ns = ctx.cache(Kinds.Namespace).get('', namespace);
  const labels = ns?.metadata?.labels ?? {};
  const annotations = ns?.metadata?.annotations ?? {};
  const environmentNamespace = labels[LABELS.environmentNamespace];
  const [ownerNamespace, ownerName, ...rest] = (annotations[OWNER_ANNOTATION] ?? '').split('/');
  const ownerUid = annotations[OWNER_UID_ANNOTATION];
  if (
    labels[LABELS.managedBy] !== MANAGED_BY ||
    !environmentNamespace ||
    ownerNamespace !== environmentNamespace ||
    !ownerName ||
    rest.length > 0 ||
    !ownerUid
  )
    return namespace;
  const environment = await ctx.client.get<StagingEnvironmentObject>({
    ...Kinds.StagingEnvironment,
    namespace: ownerNamespace,
    name: ownerName,
  });
  if (!environment || environment.metadata?.uid !== ownerUid) return namespace;
  if (environment.status?.namespace !== undefined && environment.status.namespace !== namespace) return namespace;
  return environmentNamespace;
}

/** The Baseline the spec names, if it allows this DataSeed; ok without one when the spec names none. */
export async function baselineGate(
  ctx: Pick<ReconcileContext, 'cache' | 'client'>,
  spec: Pick<DataSeedSpec, 'baselineRef'>,
  namespace: string,
): Promise<Gate> {
  if (!spec.baselineRef) return { ok: true, baseline: undefined };
  const requester = await requesterNamespace(ctx, namespace);
  const access = accessBaseline(ctx, spec.baselineRef.name, requester, 'spec.baselineRef.name');
  if (access.ok) return { ok: true, baseline: access.baseline };
  const onBehalf = requester === namespace ? '' : ` (namespace ${namespace} is a preview of namespace ${requester})`;
  return { ok: false, reason: access.reason, message: `${access.field}: ${access.message}${onBehalf}` };
}
