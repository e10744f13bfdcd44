import { API_VERSION, LABELS, MANAGED_BY } from '../api/common';
import { derivedName } from './object-names';

// The Job that runs a DataSeed with the operator's own image (`runner: Job`):
// the controller creates it, the container calls `understudy seed --resource`,
// which reads the spec, Secrets and ConfigMaps itself and writes the status.

export interface SeedJobOptions {
  namespace: string;
  name: string;
  uid: string;
  generation: number;
  image: string;
  /** Secrets in the Job's namespace for pulling the image (the chart's imagePullSecrets). */
  imagePullSecrets?: readonly string[];
  serviceAccountName: string;
  /** Seconds after which a running seed is stopped. */
  activeDeadlineSeconds?: number;
}

/**
 * `<dataseed>-seed-<generation>`: one Job per generation, so a changed spec
 * gets a fresh run. At most 63 characters (the Job controller puts the name in
 * a label); a long name is cut and made unique with a hash.
 */
export function seedJobName(name: string, generation: number): string {
  return derivedName(name, `-seed-${generation}`);
}

export function seedJob(opts: SeedJobOptions) {
  const labels = { [LABELS.managedBy]: MANAGED_BY, 'understudy.dev/dataseed': derivedName(opts.name) };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: seedJobName(opts.name, opts.generation),
      namespace: opts.namespace,
      labels,
      annotations: { 'understudy.dev/generation': String(opts.generation) },
      ownerReferences: [
        {
          apiVersion: API_VERSION,
          kind: 'DataSeed',
          name: opts.name,
          uid: opts.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      // Retries are the controller's decision (a strict-mode failure must not be retried blindly).
      backoffLimit: 0,
      activeDeadlineSeconds: opts.activeDeadlineSeconds ?? 3600,
      ttlSecondsAfterFinished: 86_400,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          serviceAccountName: opts.serviceAccountName,
          ...(opts.imagePullSecrets?.length
            ? { imagePullSecrets: opts.imagePullSecrets.map((name) => ({ name })) }
            : {}),
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'seed',
              image: opts.image,
              args: ['seed', '--resource', `${opts.namespace}/${opts.name}`, '--write-status', '--output', 'json'],
              resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { memory: '768Mi' } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              // `--output json` ends a failed run with one JSON line ({event: failed, reason, message}) on stderr:
              // the log tail becomes the termination message, where the controller reads why the seed failed.
              terminationMessagePolicy: 'FallbackToLogsOnError',
            },
          ],
        },
      },
    },
  };
}
