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
# not answer, a namespace that does not exist). A gate usually fails on 1 and only warns on 2, so a preview
# that has not served traffic yet does not block the pull request.
set -uo pipefail
pr="${1:?usage: $0 <pull request number>}"

npx understudy parity \
  --staging "preview-previews-pr-$pr" --production shop \
  --environment "previews/pr-$pr" \
  --spec "$(dirname "$0")/shop-preview-paritycheck.yaml" \
  --postgres-staging "${PREVIEW_DB_URL:?}" --postgres-production "${PRODUCTION_DB_URL:?}" \
  --prometheus "${PROMETHEUS_URL:?}" \
  --fail-on critical
code=$?

case "$code" in
  0) echo "preview pr-$pr is in parity with production" ;;
  1) echo "::error::preview pr-$pr drifted critically from production (see the table above)"; exit 1 ;;
  2) echo "::warning::parity of preview pr-$pr is inconclusive (see above); not blocking" ;;
  *) echo "::error::understudy parity failed with exit code $code"; exit "$code" ;;
esac
