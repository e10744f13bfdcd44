#!/usr/bin/env bash
# CI step: fail a pull request when its preview drifted critically from production.
#
#   examples/parity/ci-parity-gate.sh 1234
#
# understudy parity exits 0 in parity, 1 on unexpected drift at or above
# --fail-on, 2 when it could not decide (no metrics yet, a database that did
# not answer). A gate usually fails on 1 and only warns on 2, so a preview
# that has not served traffic yet does not block the pull request.
set -uo pipefail
pr="${1:?usage: $0 <pull request number>}"

npx understudy parity \
  --staging "shop-pr-$pr" --production shop \
  --environment "previews/pr-$pr" \
  --spec "$(dirname "$0")/shop-preview-paritycheck.yaml" \
  --fail-on critical
code=$?

case "$code" in
  0) echo "preview pr-$pr is in parity with production" ;;
  1) echo "::error::preview pr-$pr drifted critically from production (see the table above)"; exit 1 ;;
  2) echo "::warning::parity of preview pr-$pr is inconclusive (see above); not blocking" ;;
  *) echo "::error::understudy parity failed with exit code $code"; exit "$code" ;;
esac
