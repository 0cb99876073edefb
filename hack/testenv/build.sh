#!/usr/bin/env bash
# Builds the local control plane the integration tests run against, from the Go module proxy:
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl  (hack/testenv/kube/go.mod)
#   etcd                                                              (hack/testenv/etcd/go.mod)
# go.sum pins every dependency's hash. The binaries are cached by version, so a second run (and a
# fresh clone on the same machine) does nothing:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/mwop/testenv/kube-<version>_etcd-<version>/bin
# Prints that bin directory on stdout; progress goes to stderr. Idempotent.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# The require lines of the two go.mod files are the pins (tool dependencies are marked // indirect).
pinned() { awk -v m="$1" '$1 == m && $2 ~ /^v/ { print $2; exit }' "$here/$2/go.mod"; }
kube_version="$(pinned k8s.io/kubernetes kube)"
etcd_version="$(pinned go.etcd.io/etcd/server/v3 etcd)"
if [ -z "$kube_version" ] || [ -z "$etcd_version" ]; then
  echo "hack/testenv/build.sh: cannot read the pinned versions from kube/go.mod and etcd/go.mod" >&2
  exit 1
fi
root="${XDG_CACHE_HOME:-$HOME/.cache}/mwop/testenv/kube-${kube_version}_etcd-${etcd_version}"
bin="$root/bin"
binaries=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl)

complete=1
for b in "${binaries[@]}"; do [ -x "$bin/$b" ] || complete=0; done
if [ "$complete" = 1 ]; then
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || { echo "hack/testenv/build.sh: go is not on PATH; install Go >= 1.26" >&2; exit 1; }
mkdir -p "$root"
tmp="$(mktemp -d "$root/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
export GOFLAGS="${GOFLAGS:--p=2}"
start=$(date +%s)

# Moves finished binaries into place: an interrupted build never leaves one that looks complete.
install_built() {
  mkdir -p "$bin"
  for b in "$@"; do mv "$tmp/$b" "$bin/$b"; done
}

# The module proxy gives no commit hash, so gitCommit says where the source came from. The build
# date is the release's publication time on the proxy: the same source gives the same binary.
published() { # module version -> RFC 3339 time of the release on the module proxy
  (cd "$here/$3" && go list -m -json "$1@$2" | sed -n 's/.*"Time": *"\([^"]*\)".*/\1/p')
}

if [ ! -x "$bin/etcd" ]; then
  echo "building etcd $etcd_version (first run only)" >&2
  ( cd "$here/etcd" && go build -trimpath \
      -ldflags="-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=go-module-proxy" \
      -o "$tmp/etcd" go.etcd.io/etcd/server/v3 )
  install_built etcd
fi

if [ ! -x "$bin/kube-apiserver" ] || [ ! -x "$bin/kube-controller-manager" ] ||
  [ ! -x "$bin/kube-scheduler" ] || [ ! -x "$bin/kubectl" ]; then
  echo "building kube-apiserver, kube-controller-manager, kube-scheduler, kubectl $kube_version (first run only; ~20-40 min on 2 cores)" >&2
  minor="${kube_version#v1.}"
  minor="${minor%%.*}"
  date="$(published k8s.io/kubernetes "$kube_version" kube)"
  ldflags="-s -w"
  for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    ldflags+=" -X $pkg.gitVersion=$kube_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitCommit=go-module-proxy -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
  done
  # One go build for the four commands, so the packages they share compile once.
  ( cd "$here/kube" && go build -trimpath -ldflags="$ldflags" -o "$tmp/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
      k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl )
  install_built kube-apiserver kube-controller-manager kube-scheduler kubectl
fi
echo "built the test environment in $(( $(date +%s) - start ))s into $bin ($(du -sh "$bin" | cut -f1))" >&2
echo "$bin"
