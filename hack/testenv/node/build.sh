#!/usr/bin/env bash
# Builds the node binaries of the real single-node cluster (issue 14), kubelet and kube-proxy, from
# the same k8s.io/kubernetes module, go.mod and go.sum as the control plane (hack/testenv/kube; the
# two commands are `tool` lines there, so go.sum pins their extra dependencies too).
# They go into the same cached bin directory as the control plane, so the PATH that
# `hack/testenv/cli.ts up` prints finds them:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/mwop/testenv/kube-<version>_etcd-<version>/bin
# Prints that bin directory on stdout; progress goes to stderr. Idempotent: a second run does nothing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
kube="$here/../kube"
pinned() { awk -v m="$1" '$1 == m && $2 ~ /^v/ { print $2; exit }' "$here/../$2/go.mod"; }
kube_version="$(pinned k8s.io/kubernetes kube)"
etcd_version="$(pinned go.etcd.io/etcd/server/v3 etcd)"
if [ -z "$kube_version" ] || [ -z "$etcd_version" ]; then
  echo "hack/testenv/node/build.sh: cannot read the pinned versions from kube/go.mod and etcd/go.mod" >&2
  exit 1
fi
root="${XDG_CACHE_HOME:-$HOME/.cache}/mwop/testenv/kube-${kube_version}_etcd-${etcd_version}"
bin="$root/bin"

if [ -x "$bin/kubelet" ] && [ -x "$bin/kube-proxy" ]; then
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || { echo "hack/testenv/node/build.sh: go is not on PATH; install Go >= 1.26" >&2; exit 1; }
mkdir -p "$root"
tmp="$(mktemp -d "$root/.build-node.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
export GOFLAGS="${GOFLAGS:--p=2}"
start=$(date +%s)

# The same version ldflags as hack/testenv/build.sh: `kubelet --version` says v1.37.2, and the Node
# object's kubeletVersion too.
minor="${kube_version#v1.}"
minor="${minor%%.*}"
date="$(cd "$kube" && go list -m -json "k8s.io/kubernetes@$kube_version" | sed -n 's/.*"Time": *"\([^"]*\)".*/\1/p')"
ldflags="-s -w"
for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
  ldflags+=" -X $pkg.gitVersion=$kube_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitCommit=go-module-proxy -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
done

echo "building kubelet and kube-proxy $kube_version (first run only; most packages are shared with the control plane's build cache)" >&2
( cd "$kube" && go build -trimpath -ldflags="$ldflags" -o "$tmp/" \
    k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy )
mkdir -p "$bin"
# Moved into place only once complete: an interrupted build is resumed, not trusted.
mv "$tmp/kubelet" "$bin/kubelet"
mv "$tmp/kube-proxy" "$bin/kube-proxy"
echo "built kubelet and kube-proxy in $(( $(date +%s) - start ))s into $bin" >&2
echo "$bin"
