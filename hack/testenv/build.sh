#!/usr/bin/env bash
# Builds the binaries of the local test environment from the Go module proxy:
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl  (hack/testenv/kube/go.mod)
#   etcd                                                              (hack/testenv/etcd/go.mod)
#   Argo Workflows' workflow-controller and argoexec                  (hack/testenv/argo/go.mod)
#   kwok, the fake kubelet for fake nodes                             (hack/testenv/kwok/go.mod)
# go.sum pins every dependency's hash. The binaries are cached by version, so a second run (and a
# fresh clone on the same machine) does nothing:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/mwop/testenv/kube-<version>_etcd-<version>/bin
#   ${XDG_CACHE_HOME:-$HOME/.cache}/mwop/testenv/argo-<version>/bin
#   ${XDG_CACHE_HOME:-$HOME/.cache}/mwop/testenv/kwok-<version>/bin
#
# Usage (progress goes to stderr, only the directories to stdout; idempotent):
#   build.sh         the control plane (kube + etcd); prints its bin directory (hack/testenv/cluster.ts reads it)
#   build.sh kube    the same
#   build.sh argo    workflow-controller and argoexec; prints their bin directory
#   build.sh kwok    kwok; prints its bin directory (kwok's default Stages are in <dir>/../stages/default.yaml)
#   build.sh all     all of them (`make testenv-build`); prints `kube=<dir>`, `argo=<dir>`, `kwok=<dir>` lines
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/mwop/testenv"
what="${1:-kube}"
case "$what" in
  kube | argo | kwok | all) ;;
  *)
    echo "usage: hack/testenv/build.sh [kube|argo|kwok|all]" >&2
    exit 2
    ;;
esac

# The require lines of the go.mod files are the pins (tool dependencies are marked // indirect).
pinned() {
  local v
  v="$(awk -v m="$1" '$1 == m && $2 ~ /^v/ { print $2; exit }' "$here/$2/go.mod")"
  if [ -z "$v" ]; then
    echo "hack/testenv/build.sh: cannot read the pinned version of $1 from $2/go.mod" >&2
    exit 1
  fi
  echo "$v"
}

need_go() {
  command -v go >/dev/null || { echo "hack/testenv/build.sh: go is not on PATH; install Go >= 1.26" >&2; exit 1; }
  export GOFLAGS="${GOFLAGS:--p=2}"
}

# Every build works in a temporary directory beside its bin directory, removed on exit.
tmps=()
trap 'if [ "${#tmps[@]}" -gt 0 ]; then rm -rf "${tmps[@]}"; fi' EXIT
new_tmp() { # root -> sets the caller's $tmp to a fresh temporary directory under root
  mkdir -p "$1"
  tmp="$(mktemp -d "$1/.build.XXXXXX")"
  tmps+=("$tmp")
}

# Moves finished binaries into place: an interrupted build never leaves one that looks complete.
install_built() { # tmp bin binary...
  local tmp="$1" bin="$2" b
  shift 2
  mkdir -p "$bin"
  for b in "$@"; do mv "$tmp/$b" "$bin/$b"; done
}

complete() { # bin binary... -> true when every binary is there
  local bin="$1" b
  shift
  for b in "$@"; do [ -x "$bin/$b" ] || return 1; done
}

# The build date is the release's publication time on the module proxy: the same source gives the
# same binary.
published() { # module version dir -> RFC 3339 time of the release on the module proxy
  (cd "$here/$3" && go list -m -json "$1@$2" | sed -n 's/.*"Time": *"\([^"]*\)".*/\1/p')
}
# The commit the proxy recorded for the release tag, when it recorded one; else "go-module-proxy".
origin_commit() { # module version dir
  local c
  c="$(cd "$here/$3" && go mod download -json "$1@$2" | sed -n 's/.*"Hash": *"\([0-9a-f]\{40\}\)".*/\1/p' | head -n1)"
  echo "${c:-go-module-proxy}"
}

# --- control plane: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl ---
kube_bin() {
  local kube_version etcd_version
  kube_version="$(pinned k8s.io/kubernetes kube)"
  etcd_version="$(pinned go.etcd.io/etcd/server/v3 etcd)"
  echo "$cache/kube-${kube_version}_etcd-${etcd_version}/bin"
}

build_kube() {
  local kube_version etcd_version root bin tmp start minor date ldflags pkg
  kube_version="$(pinned k8s.io/kubernetes kube)"
  etcd_version="$(pinned go.etcd.io/etcd/server/v3 etcd)"
  root="$cache/kube-${kube_version}_etcd-${etcd_version}"
  bin="$root/bin"
  complete "$bin" etcd kube-apiserver kube-controller-manager kube-scheduler kubectl && return 0

  need_go
  new_tmp "$root"
  start=$(date +%s)

  if [ ! -x "$bin/etcd" ]; then
    echo "building etcd $etcd_version (first run only)" >&2
    (cd "$here/etcd" && go build -trimpath \
      -ldflags="-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=go-module-proxy" \
      -o "$tmp/etcd" go.etcd.io/etcd/server/v3)
    install_built "$tmp" "$bin" etcd
  fi

  if ! complete "$bin" kube-apiserver kube-controller-manager kube-scheduler kubectl; then
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
    (cd "$here/kube" && go build -trimpath -ldflags="$ldflags" -o "$tmp/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
      k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)
    install_built "$tmp" "$bin" kube-apiserver kube-controller-manager kube-scheduler kubectl
  fi
  echo "built the control plane in $(($(date +%s) - start))s into $bin ($(du -sh "$bin" | cut -f1))" >&2
}

# --- add-ons, each in its own module and cache directory, one build at a time per directory ---
# Another build.sh building the same add-on holds $root/.lock; this one waits for it, then finds
# the binaries in place.
with_lock() { # root command...
  local root="$1" fd
  shift
  mkdir -p "$root"
  exec {fd}>"$root/.lock"
  if ! flock -n "$fd"; then
    echo "waiting for another hack/testenv/build.sh building into $root" >&2
    flock "$fd"
  fi
  "$@"
  exec {fd}>&-
}

argo_module=github.com/argoproj/argo-workflows/v3
argo_bin() { echo "$cache/argo-$(pinned "$argo_module" argo)/bin"; }

build_argo() {
  local version bin
  version="$(pinned "$argo_module" argo)"
  bin="$cache/argo-$version/bin"
  complete "$bin" workflow-controller argoexec && return 0
  with_lock "$cache/argo-$version" build_argo_locked "$version"
}

build_argo_locked() {
  local version="$1" root bin tmp start date commit p ldflags dir
  root="$cache/argo-$version"
  bin="$root/bin"
  complete "$bin" workflow-controller argoexec && return 0
  need_go
  new_tmp "$root"
  start=$(date +%s)
  echo "building Argo Workflows workflow-controller, argoexec $version (first run only; ~15-30 min on 2 cores)" >&2
  date="$(published "$argo_module" "$version" argo)"
  commit="$(origin_commit "$argo_module" "$version" argo)"
  # The variables Argo's Makefile sets: with a commit, a tag and a clean tree, `version` prints the tag.
  p="github.com/argoproj/argo-workflows/v3"
  ldflags="-s -w -X $p.version=$version -X $p.buildDate=$date -X $p.gitCommit=$commit"
  ldflags+=" -X $p.gitTag=$version -X $p.gitTreeState=clean"
  # In Argo's repository workflow/executor/osspecific/signal_linux.go is a symlink to
  # signal_darwin.go. Module zips leave symlinks out, so argoexec does not compile from the module
  # ("undefined: Setpgid"), and go build -overlay may not add files under GOMODCACHE. So the build
  # uses a copy of the module source with that file put back (the same content the symlink gives),
  # through a temporary copy of go.mod that replaces the module with the copy (-modfile). go.mod and
  # go.sum in hack/testenv/argo stay as they are; the dependencies are the same.
  dir="$(cd "$here/argo" && go list -m -f '{{.Dir}}' "$p")"
  cp -R "$dir" "$tmp/src"
  chmod -R u+w "$tmp/src"
  cp "$tmp/src/workflow/executor/osspecific/signal_darwin.go" "$tmp/src/workflow/executor/osspecific/signal_linux.go"
  cp "$here/argo/go.mod" "$tmp/go.mod"
  cp "$here/argo/go.sum" "$tmp/go.sum"
  (cd "$here/argo" && go mod edit -modfile="$tmp/go.mod" -replace="$p=$tmp/src")
  # One go build for both commands, so the packages they share compile once. CGO_ENABLED=0 as in
  # Argo's Makefile (static binaries).
  (cd "$here/argo" && CGO_ENABLED=0 go build -modfile="$tmp/go.mod" -trimpath -ldflags="$ldflags" -o "$tmp/" \
    "$p/cmd/workflow-controller" "$p/cmd/argoexec")
  install_built "$tmp" "$bin" workflow-controller argoexec
  echo "built Argo Workflows $version in $(($(date +%s) - start))s into $bin ($(du -sh "$bin" | cut -f1))" >&2
}

# kwok does nothing without Stages; kwokctl passes it a default set, which the kwok binary does not
# embed. They are copied from the module (kustomize/stage/...) into <bin>/../stages/default.yaml:
# node-initialize and node-heartbeat-with-lease (so run kwok with a node lease duration), and
# pod-ready, pod-complete, pod-delete (pod/fast: no delays).
kwok_stages=(
  kustomize/stage/node/fast/node-initialize.yaml
  kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml
  kustomize/stage/pod/fast/pod-ready.yaml
  kustomize/stage/pod/fast/pod-complete.yaml
  kustomize/stage/pod/fast/pod-delete.yaml
)
kwok_bin() { echo "$cache/kwok-$(pinned sigs.k8s.io/kwok kwok)/bin"; }

build_kwok() {
  local version root
  version="$(pinned sigs.k8s.io/kwok kwok)"
  root="$cache/kwok-$version"
  complete "$root/bin" kwok && [ -f "$root/stages/default.yaml" ] && return 0
  with_lock "$root" build_kwok_locked "$version"
}

build_kwok_locked() {
  local version="$1" root bin tmp start dir s
  root="$cache/kwok-$version"
  bin="$root/bin"
  complete "$bin" kwok && [ -f "$root/stages/default.yaml" ] && return 0
  need_go
  new_tmp "$root"
  start=$(date +%s)
  if ! complete "$bin" kwok; then
    echo "building kwok $version (first run only; ~5-10 min on 2 cores)" >&2
    # The variable kwok's hack/releases.sh sets, so `kwok --version` prints the release.
    (cd "$here/kwok" && CGO_ENABLED=0 go build -trimpath \
      -ldflags="-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$version" \
      -o "$tmp/kwok" sigs.k8s.io/kwok/cmd/kwok)
    install_built "$tmp" "$bin" kwok
  fi
  dir="$(cd "$here/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)"
  {
    echo "# kwok's default Stages (as kwokctl uses them), from sigs.k8s.io/kwok@$version"
    for s in "${kwok_stages[@]}"; do
      echo "---"
      echo "# $s"
      cat "$dir/$s"
    done
  } >"$tmp/default.yaml"
  mkdir -p "$root/stages"
  mv "$tmp/default.yaml" "$root/stages/default.yaml"
  echo "built kwok $version in $(($(date +%s) - start))s into $bin ($(du -sh "$bin" | cut -f1)); stages in $root/stages/default.yaml" >&2
}

case "$what" in
  # (not `build_x && x_bin`: set -e does not apply inside a function called from an && list)
  kube)
    build_kube
    kube_bin
    ;;
  argo)
    build_argo
    argo_bin
    ;;
  kwok)
    build_kwok
    kwok_bin
    ;;
  all)
    build_kube
    build_kwok
    build_argo
    echo "kube=$(kube_bin)"
    echo "argo=$(argo_bin)"
    echo "kwok=$(kwok_bin)"
    ;;
esac
