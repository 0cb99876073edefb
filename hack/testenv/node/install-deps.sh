#!/usr/bin/env bash
# Installs the Debian packages the real single-node cluster (issue 14, docs/real-node.md) needs.
# Idempotent, like hack/install-system-deps.sh: does nothing when every package is present.
# Nothing here starts a daemon: hack/testenv/node/ starts its own containerd with its own config,
# state directories and socket.
set -euo pipefail

packages=(
  containerd                  # 1.6 on bookworm: CRI plugin, overlayfs snapshotter, `ctr`
  runc                        # the OCI runtime containerd's runc.v2 shim calls
  containernetworking-plugins # CNI: bridge, host-local, loopback, portmap (/usr/lib/cni)
  umoci                       # packs a root filesystem into an OCI image layout
  debootstrap                 # builds the Debian bookworm root filesystems of the images
  iptables                    # kubelet and kube-proxy (iptables mode); the CNI bridge's ipMasq
  conntrack                   # kube-proxy flushes stale UDP conntrack entries with it
  socat                       # kubelet port-forward
  iproute2                    # ip netns, ip link: network namespaces and the CNI bridge
  ethtool                     # kubelet/CNI probes on veth devices
  ipset                       # kube-proxy ipvs mode (iptables mode does not need it)
  nftables                    # kube-proxy nftables mode, and inspecting the rules
  kmod                        # modprobe: kubelet and kube-proxy call it (the kernel may have all built in)
  ca-certificates             # debootstrap over https mirrors
  zstd                        # compressed image layers, when used
  jq                          # the scripts read `ctr`/`umoci` JSON
  curl                        # node.ts probes kube-proxy's /healthz
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing Debian packages: ${missing[*]}"
$SUDO apt-get update -qq
# policy-rc.d stops the packages (containerd) from starting their own daemons: we start our own.
echo 'exit 101' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
$SUDO chmod +x /usr/sbin/policy-rc.d
trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
