// The Argo CD health expected of each status in test/fixtures/argocd-statuses/
// (file name -> health, and a pattern its message must match). Files named
// handwritten-* are written from the status types; the rest are recorded by
// the integration tests. A status without an entry here fails
// test/unit/argocd-health.test.ts, so every new recording is judged.
export interface ExpectedHealth {
  status: 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown';
  message?: RegExp;
}

export const EXPECTED_HEALTH: Readonly<Record<string, ExpectedHealth>> = {
  // Torn down by its TTL and kept until Git removes it: not red, and nothing for automated sync to re-create.
  'handwritten-stagingenvironment-expired-under-autosync.json': {
    status: 'Suspended',
    message: /^Expired: the TTL passed at 2026-01-04T00:00:00Z/,
  },
  // A new image after Ready: the phase says Degraded, Reconciling says an update is in progress.
  'handwritten-stagingenvironment-update-after-ready.json': { status: 'Progressing', message: /waiting for checkout/ },
  // failOn critical does not make Inconclusive a pass.
  'handwritten-paritycheck-inconclusive.json': { status: 'Progressing', message: /^Inconclusive \(never a pass\)/ },
  'handwritten-dataseed-failed-retrying.json': { status: 'Degraded', message: /retrying in 20s/ },
  // Recorded by the StagingEnvironment lifecycle integration test.
  'stagingenvironment-ready.json': { status: 'Healthy', message: /^\d+\/\d+ services ready in namespace / },
  // A new image after Ready, while the rollout runs: Progressing, never Degraded.
  'stagingenvironment-image-update-progressing.json': {
    status: 'Progressing',
    message: /services ready; waiting for /,
  },
  // A workload its controller gave up on after Ready (Stalled WorkloadFailed): a real failure.
  'stagingenvironment-degraded.json': { status: 'Degraded', message: /^Deployment [a-z0-9-]+: / },
  // Expired under auto-sync (Retain): settled, not red, nothing re-created.
  'stagingenvironment-expired-retained.json': {
    status: 'Suspended',
    message: /^Expired: expired at .*this resource is kept/,
  },
  // Deleted and re-created by auto-sync after expiry: Expired at once (ExpiredBefore), so no re-creation loop.
  'stagingenvironment-expired-recreated.json': {
    status: 'Suspended',
    message: /^Expired: expired at .*when an earlier StagingEnvironment of this name was created/,
  },
};
