#!/usr/bin/env bash
# CI step: fail a pull request when its preview drifted critically from production.
#
#   PRODUCTION_DB_URL=... PREVIEW_DB_URL=... PROMETHEUS_URL=... examples/parity/ci-parity-gate.sh 1234
#
# Runs with the pipeline's own credentials (no Baseline is read): it can only
# compare what those credentials can read. The URLs are read-only catalogue
# connections and the Prometheus the Baseline `shop` names.
#
# understudy parity exits 0 in parity, 1 on unexpected drift at or above
# --fail-on, 2 when it could not decide (no metrics yet, a database that did
# not answer, a namespace that does not exist) and on a usage error. A gate
# usually fails on 1 and only warns when the verdict is Inconclusive, so a
# preview that has not served traffic yet does not block the pull request;
# `-o json` tells an Inconclusive verdict from a run that could not start.
#
# UNDERSTUDY is the installed CLI (the operator's image, or the repository's
# package): never `npx understudy`, which resolves to an unrelated public npm
# package of that name.
set -uo pipefail
pr="${1:?usage: $0 <pull request number>}"
understudy="${UNDERSTUDY:-understudy}"
out=$(mktemp)
trap 'rm -f "$out"' EXIT

$understudy parity \
  --staging "shop-previews-pr-$pr" --production shop \
  --environment "previews/pr-$pr" \
  --spec "$(dirname "$0")/shop-preview-paritycheck.yaml" \
  --postgres-staging "${PREVIEW_DB_URL:?}" --postgres-production "${PRODUCTION_DB_URL:?}" \
  --prometheus "${PROMETHEUS_URL:?}" \
  --fail-on critical -o json > "$out"
code=$?
verdict=$(jq -r '.status.summary.verdict // empty' "$out" 2>/dev/null || true)

case "$code/$verdict" in
  0/*) echo "preview pr-$pr is in parity with production" ;;
  1/*) echo "::error::preview pr-$pr drifted critically from production: $(jq -c '.status.summary' "$out")"; exit 1 ;;
  2/Inconclusive) echo "::warning::parity of preview pr-$pr is inconclusive (too little data yet); not blocking" ;;
  *) echo "::error::understudy parity could not run (exit code $code)"; exit "$code" ;;
esac
