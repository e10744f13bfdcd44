import { LABELS } from '../api/common';
import type { WatchedKind } from '../runtime/controller';

/**
 * DataSeeds and ParityChecks that a StagingEnvironment creates live in its
 * target namespace, which an operator scoped with `--namespace` does not
 * watch. They carry the label naming the environment's namespace, so a
 * second, label-selected watch across all namespaces brings exactly those in.
 */
export function environmentChildren(
  kind: { apiVersion: string; kind: string },
  namespaces: readonly string[] | undefined,
): WatchedKind[] {
  if (!namespaces || namespaces.length === 0) return [];
  return [
    {
      apiVersion: kind.apiVersion,
      kind: kind.kind,
      scope: 'all',
      labelSelector: `${LABELS.environmentNamespace} in (${[...namespaces].sort().join(',')})`,
    },
  ];
}
