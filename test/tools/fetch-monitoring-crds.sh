#!/usr/bin/env bash
# The Prometheus Operator's CRDs (ServiceMonitor, PodMonitor, PrometheusRule),
# so the chart's monitoring objects are dry-run against their real schemas.
# Fetched through the Go module proxy (the repository is a Go module whose
# zip holds example/prometheus-operator-crd/) into a cache outside the
# repository. Idempotent: a complete cache is reused; prints the directory.
set -euo pipefail

VERSION="${PROMETHEUS_OPERATOR_VERSION:-v0.80.1}"
CACHE_ROOT="${UNDERSTUDY_CACHE:-$HOME/.cache/understudy}"
OUT="$CACHE_ROOT/monitoring-crds/$VERSION"
STAMP="$OUT/.complete"
CRDS=(servicemonitors podmonitors prometheusrules)

if [[ -f "$STAMP" ]]; then
  echo "$OUT"
  exit 0
fi
command -v go >/dev/null || { echo "go is required to fetch the Prometheus Operator CRDs" >&2; exit 1; }
echo "fetching github.com/prometheus-operator/prometheus-operator@$VERSION CRDs through the Go module proxy" >&2
dir=$(cd "$(mktemp -d)" && GOFLAGS=-mod=mod go mod download -json "github.com/prometheus-operator/prometheus-operator@$VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
[[ -d "$dir" ]] || { echo "go mod download gave no module directory" >&2; exit 1; }
mkdir -p "$OUT"
for crd in "${CRDS[@]}"; do
  cp "$dir/example/prometheus-operator-crd/monitoring.coreos.com_$crd.yaml" "$OUT/"
done
chmod u+w "$OUT"/*.yaml
touch "$STAMP"
echo "$OUT"
