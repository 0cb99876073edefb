#!/usr/bin/env bash
# Prints the directory holding Argo Workflows' full CRDs (manifests/base/crds/full) from the Go
# module cache, downloading the module first when it is missing. Idempotent: a second run only
# reads the cache. The version is pinned in hack/argo/go.mod (v3.7.18 is the newest v3.7.x the
# module proxy serves; list it with `go list -m -versions` where the proxy allows listing).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
module="github.com/argoproj/argo-workflows/v3"
version="$(awk -v m="$module" '$1 == m { print $2 } $2 == m { print $3 }' "$here/go.mod" | head -n1)"
if [[ -z "$version" ]]; then
  echo "hack/argo/crds-path.sh: no version of $module in $here/go.mod" >&2
  exit 1
fi
command -v go >/dev/null || { echo "hack/argo/crds-path.sh: go is not installed; it is needed to fetch $module@$version from the module proxy" >&2; exit 1; }
dir="$(cd "$here" && GOFLAGS=-mod=mod go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
crds="$dir/manifests/base/crds/full"
if [[ ! -f "$crds/argoproj.io_workflows.yaml" ]]; then
  echo "hack/argo/crds-path.sh: $module@$version has no $crds/argoproj.io_workflows.yaml" >&2
  exit 1
fi
echo "$crds"
