#!/usr/bin/env bash
# Builds the S3-compatible server the tests run against: versitygw (posix backend), compiled from
# the Go module proxy at the version pinned in go.mod (go.sum pins every dependency's hash).
# The binary is cached by version, so a second run does nothing:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/mwop/s3server/<version>/versitygw
# Prints the binary's path on stdout; progress goes to stderr.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="$(awk '$1 == "github.com/versity/versitygw" { print $2 }' "$here/go.mod")"
if [ -z "$version" ]; then
  echo "hack/s3server/go.mod: no require line for github.com/versity/versitygw" >&2
  exit 1
fi
cache="${XDG_CACHE_HOME:-$HOME/.cache}/mwop/s3server/$version"
bin="$cache/versitygw"

if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || { echo "hack/s3server/build.sh: go is not on PATH; install Go >= 1.24" >&2; exit 1; }
mkdir -p "$cache"
echo "building versitygw $version into $cache (first run only)" >&2
start=$(date +%s)
tmp="$(mktemp "$cache/.versitygw.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
( cd "$here" && go build -mod=mod -trimpath -ldflags='-s -w' -o "$tmp" github.com/versity/versitygw/cmd/versitygw )
chmod +x "$tmp"
# Rename last, so an interrupted build never leaves a binary that looks complete.
mv "$tmp" "$bin"
trap - EXIT
echo "built versitygw $version in $(( $(date +%s) - start ))s ($(du -h "$bin" | cut -f1))" >&2
echo "$bin"
