#!/usr/bin/env bash
# Installs the Debian packages that the tests run for real. Idempotent: does nothing when
# every package is present, so a second `make test` does not touch apt.
set -euo pipefail

# openssl: the backup tests make a self-signed certificate for the HTTPS S3 server.
packages=(redis-server redis-tools mariadb-server mariadb-client openssl)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing Debian packages: ${missing[*]}"
$SUDO apt-get update -qq
# policy-rc.d stops the packages from starting their own daemons: the tests start their own.
echo 'exit 101' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
$SUDO chmod +x /usr/sbin/policy-rc.d
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
$SUDO rm -f /usr/sbin/policy-rc.d
