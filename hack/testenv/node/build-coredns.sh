#!/usr/bin/env bash
# Builds CoreDNS, the cluster DNS of the real node (docs/real-node.md), from the Go module proxy:
# the version and every dependency's hash are pinned by hack/testenv/node/coredns/go.mod and go.sum.
# Cached by version; a second run does nothing:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/mwop/testenv/coredns-<version>/bin/coredns
# Prints the path of the binary on stdout; progress goes to stderr.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="$(awk '$1 == "github.com/coredns/coredns" && $2 ~ /^v/ { print $2; exit }' "$here/coredns/go.mod")"
[ -n "$version" ] || { echo "build-coredns.sh: no github.com/coredns/coredns version in coredns/go.mod" >&2; exit 1; }
root="${XDG_CACHE_HOME:-$HOME/.cache}/mwop/testenv/coredns-$version"
if [ -x "$root/bin/coredns" ]; then
  echo "$root/bin/coredns"
  exit 0
fi
command -v go >/dev/null || { echo "build-coredns.sh: go is not on PATH; install Go >= 1.26" >&2; exit 1; }
mkdir -p "$root"
tmp="$(mktemp -d "$root/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
export GOFLAGS="${GOFLAGS:--p=2}"
start=$(date +%s)
echo "building coredns $version (first run only)" >&2
# CGO off: a static binary, which could also be packed into a one-file image later.
( cd "$here/coredns" && CGO_ENABLED=0 go build -trimpath \
    -ldflags="-s -w -X github.com/coredns/coredns/coremain.GitCommit=go-module-proxy" \
    -o "$tmp/coredns" github.com/coredns/coredns )
mkdir -p "$root/bin"
mv "$tmp/coredns" "$root/bin/coredns"
echo "built coredns $version in $(( $(date +%s) - start ))s" >&2
echo "$root/bin/coredns"
