import { createHash } from 'node:crypto';
import { LABELS, MANAGED_BY } from '../../api/common';
import type { LoadReport } from '../../load/report';
import type { WorkerResult } from '../../load/stats';
import { Kinds } from '../../kinds';
import type { KubernetesObject } from '../../runtime/client-node';
import type { ReconcileContext } from '../../runtime/reconciler';
import { LOAD_TEST, type LoadTestObject } from './kind';

// The full report lives in a ConfigMap beside the targets (the environment's
// namespace, which the operator manages), not in status: every route, every
// error class and the workers' mergeable histograms, as JSON.

export const REPORT_KEY = 'report.json';
export const LOADTEST_LABEL = 'understudy.dev/loadtest';

/**
 * A LoadTest's name as a label value: names may be 253 characters, label values 63 (a longer one made the Job and
 * the report ConfigMap invalid). Longer names keep their start and a digest of the whole.
 */
export function loadTestLabelValue(name: string): string {
  if (name.length <= 63) return name;
  return `${name.slice(0, 56).replace(/[-._]+$/, '')}-${createHash('sha256').update(name).digest('hex').slice(0, 6)}`;
}

export interface ReportRef {
  namespace: string;
  name: string;
  key: string;
}

export function reportName(loadTest: string): string {
  return `${loadTest}-loadtest-report`.slice(0, 253);
}

export async function writeReport(
  ctx: Pick<ReconcileContext, 'client'>,
  obj: LoadTestObject,
  namespace: string,
  report: LoadReport,
  results: WorkerResult[],
): Promise<ReportRef> {
  const name = reportName(obj.metadata?.name ?? '');
  const sameNamespace = namespace === obj.metadata?.namespace;
  const configMap: KubernetesObject & { data: Record<string, string> } = {
    apiVersion: Kinds.ConfigMap.apiVersion,
    kind: Kinds.ConfigMap.kind,
    metadata: {
      name,
      namespace,
      labels: { [LABELS.managedBy]: MANAGED_BY, [LOADTEST_LABEL]: loadTestLabelValue(obj.metadata?.name ?? '') },
      ...(sameNamespace && obj.metadata?.uid
        ? {
            ownerReferences: [
              {
                apiVersion: LOAD_TEST.apiVersion,
                kind: LOAD_TEST.kind,
                name: obj.metadata.name ?? '',
                uid: obj.metadata.uid,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          }
        : {}),
    },
    data: {
      [REPORT_KEY]: JSON.stringify({ generation: obj.metadata?.generation, ...report, workers: results }, null, 1),
    },
  };
  await ctx.client.apply(configMap, { force: true });
  return { namespace, name, key: REPORT_KEY };
}
