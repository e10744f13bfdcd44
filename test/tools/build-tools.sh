#!/usr/bin/env bash
# Builds the small Go tools the tests run, into a cache outside the repository:
#   lua-health  test/lua-harness: Argo CD health scripts run in gopher-lua (Lua 5.1), as Argo CD runs them
#   actionlint  github.com/rhysd/actionlint/cmd/actionlint, which lints the GitHub Actions workflows
#   argocd-crds Argo CD's own CRDs (Application, ApplicationSet, AppProject) from the
#               github.com/argoproj/argo-cd/v3 module's manifests/crds, for server-side dry runs
# Idempotent: a complete cache for the pinned versions (and the harness's
# source, by hash) is reused as is; prints the bin directory on its last line.
set -euo pipefail

ACTIONLINT_VERSION="${ACTIONLINT_VERSION:-v1.7.12}"
ARGOCD_VERSION="${ARGOCD_VERSION:-v3.1.0}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CACHE_ROOT="${UNDERSTUDY_CACHE:-$HOME/.cache/understudy}"
harness_hash=$(cat "$ROOT/test/lua-harness/go.mod" "$ROOT/test/lua-harness/go.sum" "$ROOT/test/lua-harness/main.go" | sha256sum | cut -c1-12)
OUT="$CACHE_ROOT/tools/actionlint-${ACTIONLINT_VERSION}_argocd-${ARGOCD_VERSION}_lua-health-${harness_hash}"
BIN="$OUT/bin"
STAMP="$OUT/.complete"

if [[ -f "$STAMP" ]]; then
  ln -sfn "$OUT" "$CACHE_ROOT/tools/current"
  echo "$BIN"
  exit 0
fi

command -v go >/dev/null || { echo "go is required to build the test tools" >&2; exit 1; }
start=$(date +%s)
mkdir -p "$BIN"
export GOFLAGS="-buildvcs=false -mod=mod" CGO_ENABLED=0

echo "building lua-health (gopher-lua) from test/lua-harness" >&2
(cd "$ROOT/test/lua-harness" && go build -trimpath -ldflags "-s -w" -o "$BIN/lua-health" .)

echo "building actionlint ${ACTIONLINT_VERSION}" >&2
GOBIN="$BIN" go install -trimpath -ldflags "-s -w -X github.com/rhysd/actionlint.version=${ACTIONLINT_VERSION}" "github.com/rhysd/actionlint/cmd/actionlint@${ACTIONLINT_VERSION}"

echo "fetching Argo CD ${ARGOCD_VERSION} CRDs (Go module github.com/argoproj/argo-cd/v3)" >&2
argo_dir=$(cd "$OUT" && go mod download -json "github.com/argoproj/argo-cd/v3@${ARGOCD_VERSION}" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
mkdir -p "$OUT/argocd-crds"
cp "$argo_dir"/manifests/crds/application-crd.yaml "$argo_dir"/manifests/crds/applicationset-crd.yaml "$argo_dir"/manifests/crds/appproject-crd.yaml "$OUT/argocd-crds/"
chmod -R u+w "$OUT/argocd-crds"

touch "$STAMP"
ln -sfn "$OUT" "$CACHE_ROOT/tools/current"
echo "test tools built in $(( $(date +%s) - start ))s" >&2
echo "$BIN"
