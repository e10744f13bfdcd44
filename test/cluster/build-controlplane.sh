#!/usr/bin/env bash
# Builds the test control plane (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kubectl, kwok, helm) from their published Go modules through
# the Go module proxy, into a cache outside the repository. Idempotent: a
# complete cache for the pinned versions is reused as is.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-v1.34.4}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
KWOK_VERSION="${KWOK_VERSION:-v0.7.0}"
HELM_VERSION="${HELM_VERSION:-v3.19.5}"

CACHE_ROOT="${UNDERSTUDY_CACHE:-$HOME/.cache/understudy}"
PIN="k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}_kwok-${KWOK_VERSION}_helm-${HELM_VERSION}"
OUT="$CACHE_ROOT/controlplane/$PIN"
BIN="$OUT/bin"
STAMP="$OUT/.complete"
BINARIES=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok helm)

if [[ -f "$STAMP" ]]; then
  ln -sfn "$OUT" "$CACHE_ROOT/controlplane/current"
  echo "control plane binaries cached in $BIN"
  exit 0
fi

command -v go >/dev/null || { echo "go is required to build the test control plane" >&2; exit 1; }
start=$(date +%s)
STEPS=${#BINARIES[@]}
step=0
elapsed() { local s=$(( $(date +%s) - start )); printf '%dm%02ds' $((s / 60)) $((s % 60)); }
# A cold build takes about 12-14 minutes on 2 cores and prints nothing while
# the Go compiler works: say which step runs, what is left, and keep a heartbeat.
announce() { # what version
  step=$((step + 1))
  local left=("${BINARIES[@]:step}")
  echo "[$step/$STEPS, $(elapsed) elapsed] building $1 $2${left[*]:+; then ${left[*]}} (a cold build takes ~12-14 min on 2 cores; cached afterwards)"
}
( while sleep 30; do echo "  ... still building ($(elapsed) elapsed)"; done ) &
heartbeat=$!
trap 'kill $heartbeat 2>/dev/null || true' EXIT
mkdir -p "$BIN" "$OUT/src"
export GOFLAGS="-buildvcs=false -mod=mod"
export CGO_ENABLED=0
LDFLAGS_COMMON="-s -w"

build_kubernetes() {
  local dir="$OUT/src/kubernetes"
  local minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  local staging="v0.${K8S_VERSION#v1.}"
  rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
  go mod init understudy.dev/controlplane/kubernetes >/dev/null 2>&1
  go mod edit -require "k8s.io/kubernetes@${K8S_VERSION}"
  # k8s.io/kubernetes replaces its staging modules with local paths; a consumer
  # must replace each with its published v0.X.Y. Read the list from the
  # downloaded go.mod rather than hard-coding it.
  local gomod
  gomod=$(go mod download -json "k8s.io/kubernetes@${K8S_VERSION}" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  grep -E '^\s*k8s\.io/[a-z0-9-]+ => \./staging/' "$gomod" | awk '{print $1}' | sort -u | while read -r mod; do
    go mod edit -replace "${mod}=${mod}@${staging}"
  done
  cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
  go mod tidy -e >/dev/null 2>&1 || true
  go get "k8s.io/kubernetes@${K8S_VERSION}" >/dev/null
  local commit="0000000000000000000000000000000000000000"
  local ld="$LDFLAGS_COMMON"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X ${pkg}.gitVersion=${K8S_VERSION} -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=${minor}"
    ld+=" -X ${pkg}.gitCommit=${commit} -X ${pkg}.gitTreeState=clean -X ${pkg}.buildDate=1970-01-01T00:00:00Z"
  done
  for cmd in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    announce "$cmd" "${K8S_VERSION}"
    go build -trimpath -ldflags "$ld" -o "$BIN/$cmd" "k8s.io/kubernetes/cmd/$cmd"
  done
}

build_etcd() {
  # etcd's own main module replaces its sibling modules with local paths, so
  # `go install` of it fails; a two-line main over etcdmain builds the same server.
  local dir="$OUT/src/etcd"
  rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
  go mod init understudy.dev/controlplane/etcd >/dev/null 2>&1
  cat > main.go <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  go get "go.etcd.io/etcd/server/v3@${ETCD_VERSION}" >/dev/null
  go mod tidy >/dev/null
  announce etcd "${ETCD_VERSION}"
  go build -trimpath -ldflags "$LDFLAGS_COMMON" -o "$BIN/etcd" .
}

build_tool() { # name module-path version
  announce "$1" "$3"
  GOBIN="$BIN" go install -trimpath -ldflags "$LDFLAGS_COMMON" "$2@$3"
}

build_etcd
build_kubernetes
build_tool kwok sigs.k8s.io/kwok/cmd/kwok "$KWOK_VERSION"
build_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION"

for b in "${BINARIES[@]}"; do [[ -x "$BIN/$b" ]] || { echo "missing $b after build" >&2; exit 1; }; done
rm -rf "$OUT/src"
ln -sfn "$OUT" "$CACHE_ROOT/controlplane/current"
touch "$STAMP"
echo "control plane built in $(( $(date +%s) - start ))s into $BIN"
