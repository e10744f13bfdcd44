#!/usr/bin/env bash
# Builds the `pulumi` CLI (the engine the Automation API shells out to) from
# its published Go module through the Go module proxy, into a cache outside the
# repository, with the dynamic-provider launcher beside it. Idempotent: a
# complete cache for the pinned version is reused as is.
#
# The engine is pinned to the version of the installed @pulumi/pulumi npm
# package, so the Node SDK and the CLI speak the same protocol.
set -euo pipefail

here="$(cd "$(dirname "$0")/../.." && pwd)"
npm_version=$(node -p "require('$here/node_modules/@pulumi/pulumi/package.json').version" 2>/dev/null || echo 3.276.0)
PULUMI_VERSION="${PULUMI_VERSION:-v$npm_version}"

CACHE_ROOT="${UNDERSTUDY_CACHE:-$HOME/.cache/understudy}"
OUT="$CACHE_ROOT/pulumi/$PULUMI_VERSION"
BIN="$OUT/bin"
STAMP="$OUT/.complete"

LAUNCHER_VERSION=3

write_launcher() {
  # The engine looks for `pulumi-resource-pulumi-nodejs` beside its own binary
  # (elsewhere it asks GitHub for the provider's latest release, which fails
  # offline). The SDK's launcher is a shell script resolving @pulumi/pulumi from
  # the working directory; the operator image (distroless) has no shell, so
  # this one is a small Go program: it runs node (UNDERSTUDY_NODE, else node
  # on PATH) on the provider script the runner passes in
  # UNDERSTUDY_PULUMI_DYNAMIC_PROVIDER, so one cached engine serves any
  # checkout or image.
  local launcher="$BIN/pulumi-resource-pulumi-nodejs"
  [[ -x "$launcher" && -f "$OUT/.launcher-$LAUNCHER_VERSION" ]] && return 0
  local dir
  dir=$(mktemp -d)
  cat > "$dir/main.go" <<'GO'
package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

func main() {
	script := os.Getenv("UNDERSTUDY_PULUMI_DYNAMIC_PROVIDER")
	if script == "" {
		fmt.Fprintln(os.Stderr, "UNDERSTUDY_PULUMI_DYNAMIC_PROVIDER is not set: the path of @pulumi/pulumi/cmd/dynamic-provider/index.js")
		os.Exit(2)
	}
	node := os.Getenv("UNDERSTUDY_NODE")
	if node == "" {
		found, err := exec.LookPath("node")
		if err != nil {
			fmt.Fprintln(os.Stderr, "node not found: set UNDERSTUDY_NODE")
			os.Exit(2)
		}
		node = found
	}
	// The provider dies with the engine that started it: the engine puts plugins in their own process group,
	// so a runner killed with its group would otherwise leave this process behind, waiting forever.
	// PR_SET_PDEATHSIG survives the exec below.
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0); errno != 0 {
		fmt.Fprintln(os.Stderr, "prctl:", errno)
	}
	if os.Getppid() == 1 {
		os.Exit(1)
	}
	args := append([]string{node, script}, os.Args[1:]...)
	if err := syscall.Exec(node, args, os.Environ()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
GO
  rm -f "$launcher"
  (cd "$dir" && go mod init understudy.dev/pulumi-launcher >/dev/null 2>&1 && CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -trimpath -ldflags "-s -w" -o "$launcher" .)
  rm -rf "$dir"
  touch "$OUT/.launcher-$LAUNCHER_VERSION"
}

if [[ -f "$STAMP" ]]; then
  write_launcher
  ln -sfn "$OUT" "$CACHE_ROOT/pulumi/current"
  echo "pulumi $PULUMI_VERSION cached in $BIN"
  exit 0
fi

command -v go >/dev/null || { echo "go is required to build the pulumi engine" >&2; exit 1; }
start=$(date +%s)
mkdir -p "$BIN" "$OUT/src"
export GOFLAGS="-buildvcs=false -mod=mod"
export CGO_ENABLED=0

dir="$OUT/src/pulumi"
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
go mod init understudy.dev/pulumi >/dev/null 2>&1
# pkg/v3 replaces sdk/v3 with ../sdk (a path inside its repository), so a
# consumer requires sdk/v3 at the same version from the proxy, and repeats
# pkg's other replaces (read from its go.mod rather than hard-coded).
go mod edit -require "github.com/pulumi/pulumi/pkg/v3@${PULUMI_VERSION}" \
  -require "github.com/pulumi/pulumi/sdk/v3@${PULUMI_VERSION}"
gomod=$(go mod download -json "github.com/pulumi/pulumi/pkg/v3@${PULUMI_VERSION}" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
grep -E '^replace ' "$gomod" | grep -v ' => \.' | sed -E 's/^replace +//' | while read -r from _arrow to ver; do
  go mod edit -replace "${from}=${to}@${ver}"
done
cat > tools.go <<'GO'
//go:build tools

package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
GO
go mod tidy -e >/dev/null 2>&1 || true
echo "building pulumi ${PULUMI_VERSION}"
go build -trimpath \
  -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${PULUMI_VERSION}" \
  -o "$BIN/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
write_launcher
"$BIN/pulumi" version
rm -rf "$OUT/src"
ln -sfn "$OUT" "$CACHE_ROOT/pulumi/current"
touch "$STAMP"
echo "pulumi built in $(( $(date +%s) - start ))s into $BIN"
