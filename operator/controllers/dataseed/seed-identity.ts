import { API_VERSION, LABELS, MANAGED_BY } from '../../api/common';
import type { KubernetesObject } from '../../runtime/client-node';
import { Kinds } from '../../kinds';
import { typeMeta } from '../../runtime/gvk';
import { isConflict, KubeApiError } from '../../runtime/kube-errors';
import type { ReconcileContext } from '../../runtime/reconciler';
import { derivedName } from '../../seed/object-names';
import type { Failure } from './failure';
import type { ReferencedNames } from './references';
import { errorMessage } from '../../runtime/error-message';

// The identity a seed Job's pod runs as (`runner: Job`): one ServiceAccount,
// Role and RoleBinding per DataSeed, owned by it, granting exactly what
// `understudy seed --resource ns/name --write-status` does — read this
// DataSeed and the Secrets and ConfigMaps it names, write its status —
// and nothing else, by name. The operator can grant it because it holds
// those permissions itself (RBAC refuses to grant more than one holds).
//
// The objects are created, never applied with force: an object of the same
// name that is not this DataSeed's (someone's ServiceAccount, a Role a team
// relies on) is left exactly as it is — not changed, not adopted, and so
// never deleted by the garbage collector with the DataSeed.

export const DATASEED_LABEL = 'understudy.dev/dataseed';

export interface SeedIdentityOptions {
  namespace: string;
  name: string;
  uid: string;
  references: ReferencedNames;
}

/** `<dataseed>-seed`, the name of all three objects: a valid name of at most 63 characters whatever the DataSeed's. */
export function seedIdentityName(name: string): string {
  return derivedName(name, '-seed');
}

function metadata(opts: SeedIdentityOptions) {
  return {
    name: seedIdentityName(opts.name),
    namespace: opts.namespace,
    labels: { [LABELS.managedBy]: MANAGED_BY, [DATASEED_LABEL]: derivedName(opts.name) },
    ownerReferences: [
      { ...typeMeta(Kinds.DataSeed), name: opts.name, uid: opts.uid, controller: true, blockOwnerDeletion: true },
    ],
  };
}

type Rule = { apiGroups: string[]; resources: string[]; resourceNames: string[]; verbs: string[] };
type IdentityObject = KubernetesObject & { rules?: Rule[]; subjects?: unknown[] };

export function seedIdentity(opts: SeedIdentityOptions): IdentityObject[] {
  const rules: Rule[] = [
    { apiGroups: ['understudy.dev'], resources: ['dataseeds'], resourceNames: [opts.name], verbs: ['get'] },
    // patch only: the pod reads its DataSeed through dataseeds, and the operator holds no more on status to grant.
    { apiGroups: ['understudy.dev'], resources: ['dataseeds/status'], resourceNames: [opts.name], verbs: ['patch'] },
  ];
  if (opts.references.secrets.length > 0)
    rules.push({ apiGroups: [''], resources: ['secrets'], resourceNames: opts.references.secrets, verbs: ['get'] });
  if (opts.references.configMaps.length > 0)
    rules.push({
      apiGroups: [''],
      resources: ['configmaps'],
      resourceNames: opts.references.configMaps,
      verbs: ['get'],
    });
  const name = seedIdentityName(opts.name);
  return [
    { ...typeMeta(Kinds.ServiceAccount), metadata: metadata(opts) },
    { ...typeMeta(Kinds.Role), metadata: metadata(opts), rules },
    {
      ...typeMeta(Kinds.RoleBinding),
      metadata: metadata(opts),
      roleRef: { apiGroup: Kinds.Role.group, kind: Kinds.Role.kind, name },
      subjects: [{ kind: Kinds.ServiceAccount.kind, name, namespace: opts.namespace }],
    } as IdentityObject,
  ];
}

export type Ownership = 'ours' | 'stale' | 'foreign';

/**
 * Whether an existing object is this DataSeed's: its controller owner
 * reference carries this DataSeed's uid. One owned by an earlier DataSeed of
 * the same name is stale (the garbage collector removes it shortly);
 * anything else is someone else's.
 */
export function ownershipOf(object: KubernetesObject, dataSeed: { name: string; uid: string }): Ownership {
  const refs = (object.metadata?.ownerReferences ?? []).filter(
    (r) => r.kind === 'DataSeed' && r.apiVersion.startsWith(`${API_VERSION.split('/')[0]}/`),
  );
  if (refs.some((r) => r.uid === dataSeed.uid && r.controller === true)) return 'ours';
  if (refs.length > 0 && refs.every((r) => r.name === dataSeed.name && r.uid !== dataSeed.uid)) return 'stale';
  return 'foreign';
}

/** A refusal from the API server (RBAC, or the chart's admission policy outside managed namespaces). */
export function isRefusal(err: unknown): err is KubeApiError {
  return err instanceof KubeApiError && (err.statusCode === 403 || err.statusCode === 422);
}

export function runnerNotAllowed(namespace: string, err: KubeApiError): Failure {
  return {
    reason: 'RunnerNotAllowed',
    message: `runner Job cannot run in namespace ${namespace}: the API server refused the operator (${err.message}). The operator writes only in namespaces it manages (a preview's) and grants no more than it holds; elsewhere use runner Inline`,
  };
}

export function notOwned(kind: string, namespace: string, name: string, ownership: Ownership): Failure {
  if (ownership === 'stale')
    return {
      reason: 'JobNotCreated',
      message: `${kind} ${namespace}/${name} belongs to an earlier DataSeed of this name; waiting for the garbage collector to remove it`,
    };
  return {
    reason: 'ObjectNotOwned',
    message: `${kind} ${namespace}/${name} exists and is not this DataSeed's; it is left as it is. Delete or rename it, or rename the DataSeed`,
  };
}

/**
 * Creates the ServiceAccount, Role and RoleBinding, or checks that the ones
 * there are this DataSeed's (a Role's rules follow the spec's references);
 * undefined when all three are in place, else why not.
 */
export async function ensureSeedIdentity(
  ctx: Pick<ReconcileContext, 'client'>,
  opts: SeedIdentityOptions,
): Promise<Failure | undefined> {
  for (const desired of seedIdentity(opts)) {
    const ref = {
      apiVersion: desired.apiVersion!,
      kind: desired.kind!,
      namespace: opts.namespace,
      name: desired.metadata!.name!,
    };
    try {
      // Read first: the operator may read these everywhere, so a name in the way is reported even where it may not write.
      let existing = await ctx.client.get<IdentityObject>(ref);
      if (!existing) {
        try {
          await ctx.client.create(desired);
          continue;
        } catch (err) {
          if (!isConflict(err)) throw err;
          existing = await ctx.client.get<IdentityObject>(ref);
          if (!existing) throw err;
        }
      }
      const ownership = ownershipOf(existing, opts);
      if (ownership !== 'ours') return notOwned(ref.kind, ref.namespace, ref.name, ownership);
      if (desired.rules && JSON.stringify(existing.rules ?? []) !== JSON.stringify(desired.rules))
        await ctx.client.mergePatch(ref, { rules: desired.rules });
      if (desired.subjects && JSON.stringify(existing.subjects ?? []) !== JSON.stringify(desired.subjects))
        await ctx.client.mergePatch(ref, { subjects: desired.subjects });
    } catch (err) {
      if (isRefusal(err)) return runnerNotAllowed(opts.namespace, err);
      return {
        reason: 'JobNotCreated',
        message: `cannot create the seed Job's ${ref.kind} ${ref.name}: ${errorMessage(err)}`,
      };
    }
  }
  return undefined;
}
