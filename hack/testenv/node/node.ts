// A real node for the local control plane (issue 14, docs/real-node.md): Debian's containerd with
// runc and the CNI bridge plugin, and the kubelet and kube-proxy built from the control plane's
// k8s.io/kubernetes module (hack/testenv/node/build.sh), running pods from images built locally
// (hack/testenv/node/images.sh). Needs root.
//
// Everything it creates is recorded in <nodeDir>/node-state.json, so that stopNode() (or
// `node hack/testenv/node/cli.ts down` from another process) removes it again:
//   processes   containerd, kubelet, kube-proxy, CoreDNS (when built) and the API-server relay
//               (socat), each in its own process group; the runc shims (their own
//               groups) are found by the containerd socket in their command line
//   files       <nodeDir>: containerd root/state/socket, kubelet root dir, pod logs, CNI config, PKI
//   mounts      under <nodeDir> (overlay rootfs, kubelet volumes) and the CRI's /var/run/netns/cni-*
//   network     the bridge mwop0 (10.88.0.1/16), the iptables chain MWOP-NODE-ISOLATION, host-local
//               IPAM state under <nodeDir>/cni/ipam, kube-proxy's rules (`kube-proxy --cleanup`)
//               and the kubelet's KUBE-* chains
//   host state  net.ipv4.ip_forward (the bridge plugin turns it on) and the sysctls the kubelet sets
//               (vm.overcommit_memory, vm.panic_on_oom, kernel.panic, kernel.panic_on_oops, ...),
//               restored to the values they had before
//   cgroups     /kubepods in every cgroup v1 hierarchy (cgroupfs driver)
//   API objects the kubernetes Service's EndpointSlice, CoreDNS's RBAC, the StorageClass mwop-local
//               and its local PVs, and the Node
import { execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { networkInterfaces } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ControlPlaneState, readState, stopProcesses } from '../cluster.ts';

const here = dirname(fileURLToPath(import.meta.url));

export const NODE_NAME = 'mwop-node';
/** Pod network: the CNI bridge mwop0 and host-local IPAM. Only this host routes it. */
export const POD_CIDR = '10.88.0.0/16';
export const POD_GATEWAY = '10.88.0.1';
/** The control plane's --service-cluster-ip-range (hack/testenv/cluster.ts): pods route it via the host. */
export const SERVICE_CIDR = '10.0.0.0/16';
export const BRIDGE = 'mwop0';
/** Storage: a default StorageClass without a provisioner, and this many pre-made local PVs of
 * LOCAL_PV_SIZE each under <nodeDir>/volumes (StatefulSet PVCs bind to them). */
export const STORAGE_CLASS = 'mwop-local';
export const LOCAL_PVS = 12;
export const LOCAL_PV_SIZE = '10Gi';
/** Pods reach the API server (127.0.0.1 only) through a relay on the bridge address, behind the
 * `kubernetes` Service (10.0.0.1:443, a SAN of the serving certificate). */
export const APISERVER_RELAY_PORT = 6443;
/** CoreDNS on the host, on the bridge address: the pods' nameserver. */
export const CLUSTER_DNS = POD_GATEWAY;
export const ISOLATION_CHAIN = 'MWOP-NODE-ISOLATION';
export const ISOLATION_INPUT_CHAIN = 'MWOP-NODE-ISOLATION-IN';
/** Sysctls the kubelet sets when protectKernelDefaults is false (pkg/kubelet/cm/container_manager_linux.go). */
const KUBELET_SYSCTLS = [
  'vm/overcommit_memory',
  'vm/panic_on_oom',
  'kernel/panic',
  'kernel/panic_on_oops',
  'kernel/keys/root_maxkeys',
  'kernel/keys/root_maxbytes',
  // kube-proxy's (its configuration asks it to leave them; recorded in case it does not)
  'net/ipv4/conf/all/route_localnet',
  'net/bridge/bridge-nf-call-iptables',
  'net/netfilter/nf_conntrack_max',
  'net/netfilter/nf_conntrack_tcp_timeout_established',
  'net/netfilter/nf_conntrack_tcp_timeout_close_wait',
];

interface ProcessRecord {
  name: string;
  pid: number;
  binary: string;
  log: string;
}

export interface NodeState {
  nodeName: string;
  nodeDir: string;
  controlPlaneRunDir: string;
  containerdSocket: string;
  kubeconfig: string;
  nodeIP: string;
  images: string[];
  processes: ProcessRecord[];
  /** Network namespaces in /var/run/netns before containerd started: the others are ours. */
  netnsBefore: string[];
  /** `<iptables|ip6tables> <table> <chain>` of every KUBE-* chain before the kubelet started: the
   * others (KUBE-FIREWALL, KUBE-KUBELET-CANARY, KUBE-IPTABLES-HINT) are the kubelet's, removed by stopNode. */
  kubeChainsBefore: string[];
  sysctlsBefore: Record<string, string>;
  startedAt: string;
  /** Milliseconds: containerd answering, the images imported, the Node Ready (all from the start). */
  containerdReadyMs: number;
  imagesImportedMs: number;
  nodeReadyMs: number;
  proxyReadyMs: number;
  /** 0 when CoreDNS is not built. */
  dnsReadyMs: number;
}

export interface NodeOptions {
  /** The run directory of a running control plane (hack/testenv/cli.ts up --run-dir). */
  controlPlaneRunDir: string;
  /** Where the node's files go; default `<controlPlaneRunDir>-node` (outside it: `cli.ts down`
   * removes the control plane's directory, and this one holds mounts while the node runs). */
  nodeDir?: string;
  log?: (line: string) => void;
  readyTimeoutMs?: number;
  /** images.sh names to build (if missing) and import besides pause; default redis and mariadb. */
  images?: string[];
}

export const nodeStateFile = (nodeDir: string) => join(nodeDir, 'node-state.json');
export const defaultNodeDir = (controlPlaneRunDir: string) => `${resolve(controlPlaneRunDir)}-node`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function run(cmd: string, args: string[], opts: { input?: string; quiet?: boolean } = {}): string {
  try {
    return execFileSync(cmd, args, {
      encoding: 'utf8',
      input: opts.input,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (err) {
    const e = err as Error & { stderr?: string };
    if (opts.quiet) return '';
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr || e.message}`);
  }
}

function runs(pid: number, binary: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === binary;
  } catch {
    return false;
  }
}

const readSysctl = (k: string) => readFileSync(`/proc/sys/${k}`, 'utf8').trim();
const writeSysctl = (k: string, v: string) => writeFileSync(`/proc/sys/${k}`, `${v}\n`);

function listNetns(): string[] {
  try {
    return readdirSync('/var/run/netns');
  } catch {
    return [];
  }
}

/** The host address the kubelet registers as the Node's InternalIP (the first non-loopback IPv4). */
function hostIP(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.family === 'IPv4' && !a.internal && !a.address.startsWith('10.88.')) return a.address;
    }
  }
  throw new Error('no non-loopback IPv4 address for the node');
}

function which(cmd: string): string {
  const out = run('sh', ['-c', `command -v ${cmd}`], { quiet: true }).trim();
  if (!out) throw new Error(`${cmd} is not installed; run hack/testenv/node/install-deps.sh`);
  return out;
}

/** The node's client certificate (CN system:node:<name>, O system:nodes: the Node authorizer's
 * identity) and the kubelet's serving certificate, both signed by the control plane's CA. */
function writeNodePki(pki: string, cpPki: string, nodeIP: string): void {
  mkdirSync(pki, { recursive: true });
  const ca = ['-CA', join(cpPki, 'ca.crt'), '-CAkey', join(cpPki, 'ca.key'), '-CAcreateserial'];
  const sign = (name: string, subj: string, ext: string) => {
    run('openssl', ['genrsa', '-out', join(pki, `${name}.key`), '2048']);
    run('openssl', [
      'req',
      '-new',
      '-key',
      join(pki, `${name}.key`),
      '-subj',
      subj,
      '-out',
      join(pki, `${name}.csr`),
    ]);
    writeFileSync(join(pki, `${name}.ext`), ext);
    run('openssl', [
      'x509',
      '-req',
      '-in',
      join(pki, `${name}.csr`),
      ...ca,
      '-days',
      '3650',
      '-extfile',
      join(pki, `${name}.ext`),
      '-out',
      join(pki, `${name}.crt`),
    ]);
  };
  sign(
    'kubelet-client',
    `/O=system:nodes/CN=system:node:${NODE_NAME}`,
    'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n',
  );
  // kube-proxy: the user the bootstrap ClusterRoleBinding system:node-proxier names.
  sign(
    'kube-proxy-client',
    '/CN=system:kube-proxy',
    'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n',
  );
  // CoreDNS: a plain user, granted read access to Services, EndpointSlices, Pods and Namespaces.
  sign(
    'coredns-client',
    '/CN=mwop:coredns',
    'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n',
  );
  sign(
    'kubelet-serving',
    `/O=system:nodes/CN=system:node:${NODE_NAME}`,
    `subjectAltName=IP:${nodeIP},IP:127.0.0.1,DNS:${NODE_NAME},DNS:localhost\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`,
  );
}

function containerdConfig(dir: string, sandboxImage: string): string {
  return `# containerd for the mwop real node (hack/testenv/node/node.ts); not the system's containerd.
version = 2
root = "${dir}/containerd/root"
state = "${dir}/containerd/state"
# Only what a CRI node needs: no btrfs, zfs, aufs or devmapper snapshotters.
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = "${dir}/containerd/containerd.sock"

[ttrpc]
  address = "${dir}/containerd/containerd.sock.ttrpc"

[debug]
  level = "info"

[plugins."io.containerd.internal.v1.opt"]
  path = "${dir}/containerd/opt"

[plugins."io.containerd.grpc.v1.cri"]
  # Built locally by images.sh; nothing can be pulled here.
  sandbox_image = "${sandboxImage}"
  enable_selinux = false
  # This VM's root has no CAP_SYS_RESOURCE (CapBnd 000001fffeffffff), so runc cannot lower
  # oom_score_adj below containerd's own (0): the kubelet asks -998 for every sandbox and runc's
  # nsexec fails with "failed to update /proc/self/oom_score_adj: Permission denied". Clamp it.
  restrict_oom_score_adj = true
  # No registry is reachable: an image that is not imported fails fast (ErrImageNeverPull with
  # imagePullPolicy: Never, or a pull error).
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "${process.env.MWOP_NODE_RUNC ?? '/usr/sbin/runc'}"
        # cgroupfs, like the kubelet: this VM runs cgroup v1 (hybrid) without systemd.
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${dir}/cni/net.d"
    max_conf_num = 1
`;
}

/** bridge + host-local: pods get 10.88.x.y on mwop0; routes only to the pod and Service CIDRs
 * (no default route, so a pod cannot even try to reach beyond this host), no masquerade. */
function cniConfig(dir: string): string {
  return `${JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'mwop-node',
      plugins: [
        {
          type: 'bridge',
          bridge: BRIDGE,
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            dataDir: join(dir, 'cni', 'ipam'),
            ranges: [[{ subnet: POD_CIDR, gateway: POD_GATEWAY }]],
            routes: [{ dst: SERVICE_CIDR }],
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  )}\n`;
}

function kubeletConfig(
  dir: string,
  socket: string,
  pki: string,
  caFile: string,
  nodeIP: string,
  clusterDNS: string[],
): string {
  // JSON is valid YAML. Each field that cgroup v1 hybrid, no swap policy, no systemd or
  // "no registry" needs is explained in docs/real-node.md.
  return `${JSON.stringify(
    {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      containerRuntimeEndpoint: `unix://${socket}`,
      cgroupDriver: 'cgroupfs',
      failCgroupV1: false,
      failSwapOn: false,
      cgroupsPerQOS: true,
      enforceNodeAllocatable: ['pods'],
      address: nodeIP,
      port: 10250,
      readOnlyPort: 0,
      healthzBindAddress: '127.0.0.1',
      healthzPort: 10248,
      tlsCertFile: join(pki, 'kubelet-serving.crt'),
      tlsPrivateKeyFile: join(pki, 'kubelet-serving.key'),
      authentication: {
        anonymous: { enabled: false },
        webhook: { enabled: true },
        x509: { clientCAFile: caFile },
      },
      authorization: { mode: 'Webhook' },
      podLogsDir: join(dir, 'pod-logs'),
      // Pods never see the host's resolver; with CoreDNS they get CLUSTER_DNS and cluster.local.
      resolvConf: '',
      clusterDNS,
      clusterDomain: 'cluster.local',
      // The images cannot be pulled again: never garbage-collect them.
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      evictionHard: { 'memory.available': '200Mi', 'nodefs.available': '5%', 'imagefs.available': '5%' },
      serializeImagePulls: false,
      registerNode: true,
      rotateCertificates: false,
      serverTLSBootstrap: false,
      maxPods: 50,
      staticPodPath: '',
      syncFrequency: '10s',
      fileCheckFrequency: '10s',
    },
    null,
    2,
  )}\n`;
}

/** kube-proxy in iptables mode: Service IPs (10.0.0.0/24) reach pods, from the host (OUTPUT) and
 * from pods (their route to 10.0.0.0/24 goes through the host). It leaves every sysctl alone that
 * it can: no conntrack table resizing or timeouts, no route_localnet, oom_score_adj 0. */
function kubeProxyConfig(kubeconfig: string): string {
  return `${JSON.stringify(
    {
      apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
      kind: 'KubeProxyConfiguration',
      clientConnection: { kubeconfig },
      mode: 'iptables',
      hostnameOverride: NODE_NAME,
      clusterCIDR: POD_CIDR,
      bindAddress: '127.0.0.1',
      healthzBindAddress: '127.0.0.1:10256',
      metricsBindAddress: '127.0.0.1:10249',
      iptables: { localhostNodePorts: false, masqueradeAll: false },
      nodePortAddresses: ['primary'],
      oomScoreAdj: 0,
      conntrack: {
        maxPerCore: 0,
        min: 0,
        tcpEstablishedTimeout: '0s',
        tcpCloseWaitTimeout: '0s',
        udpTimeout: '0s',
        udpStreamTimeout: '0s',
      },
    },
    null,
    2,
  )}\n`;
}

function kubeconfigFor(server: string, caFile: string, cert: string, key: string, user = NODE_NAME): string {
  return `${JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'mwop-testenv', cluster: { server, 'certificate-authority': caFile } }],
      users: [{ name: user, user: { 'client-certificate': cert, 'client-key': key } }],
      contexts: [{ name: user, context: { cluster: 'mwop-testenv', user } }],
      'current-context': user,
    },
    null,
    2,
  )}\n`;
}

/** iptables: pod traffic stays on this host (nothing from 10.88/16 forwarded out of mwop0, nothing
 * forwarded into it from elsewhere). The packet counters of the DROP rules are the check. */
function addIsolation(): void {
  const ipt = (args: string[], quiet = false) => run('iptables', ['-w', ...args], { quiet });
  // Forwarded traffic: nothing from the pods leaves through another interface, nothing reaches them
  // from one.
  ipt(['-N', ISOLATION_CHAIN], true);
  ipt(['-F', ISOLATION_CHAIN]);
  ipt(['-A', ISOLATION_CHAIN, '-s', POD_CIDR, '!', '-o', BRIDGE, '-j', 'DROP']);
  ipt(['-A', ISOLATION_CHAIN, '-d', POD_CIDR, '!', '-i', BRIDGE, '-j', 'DROP']);
  if (!hooked('FORWARD', ISOLATION_CHAIN)) ipt(['-I', 'FORWARD', '1', '-j', ISOLATION_CHAIN]);
  // Traffic to the host's own pod-network address (the API relay, CoreDNS): only from the pods
  // (mwop0) and the host itself (lo). Linux would otherwise accept it on any interface.
  ipt(['-N', ISOLATION_INPUT_CHAIN], true);
  ipt(['-F', ISOLATION_INPUT_CHAIN]);
  ipt(['-A', ISOLATION_INPUT_CHAIN, '-i', BRIDGE, '-j', 'RETURN']);
  ipt(['-A', ISOLATION_INPUT_CHAIN, '-i', 'lo', '-j', 'RETURN']);
  ipt(['-A', ISOLATION_INPUT_CHAIN, '-d', POD_CIDR, '-j', 'DROP']);
  if (!hooked('INPUT', ISOLATION_INPUT_CHAIN)) ipt(['-I', 'INPUT', '1', '-j', ISOLATION_INPUT_CHAIN]);
}

function hooked(builtin: string, chain: string): boolean {
  return run('iptables', ['-w', '-S', builtin], { quiet: true }).includes(`-j ${chain}`);
}

function removeIsolation(): void {
  for (const [builtin, chain] of [
    ['FORWARD', ISOLATION_CHAIN],
    ['INPUT', ISOLATION_INPUT_CHAIN],
  ] as const) {
    while (hooked(builtin, chain)) run('iptables', ['-w', '-D', builtin, '-j', chain], { quiet: true });
    run('iptables', ['-w', '-F', chain], { quiet: true });
    run('iptables', ['-w', '-X', chain], { quiet: true });
  }
}

/** The bridge with its gateway address, made before the kubelet so that the API-server relay and
 * CoreDNS can bind to 10.88.0.1 before the first pod exists (the CNI bridge plugin reuses it). */
function createBridge(): void {
  if (!run('ip', ['link', 'show', BRIDGE], { quiet: true }))
    run('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
  if (!run('ip', ['-4', 'addr', 'show', 'dev', BRIDGE]).includes(`${POD_GATEWAY}/`))
    run('ip', ['addr', 'add', `${POD_GATEWAY}/${POD_CIDR.split('/')[1]}`, 'dev', BRIDGE]);
  run('ip', ['link', 'set', BRIDGE, 'up']);
}

/** default/kubernetes has no endpoints (the control plane runs --endpoint-reconciler-type=none):
 * an EndpointSlice points it at the relay; kube-proxy reads slices only (v1 Endpoints are deprecated). */
function kubernetesEndpoints(): string {
  const port = { name: 'https', port: APISERVER_RELAY_PORT, protocol: 'TCP' };
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: 'kubernetes-mwop-node',
          namespace: 'default',
          labels: {
            'kubernetes.io/service-name': 'kubernetes',
            'endpointslice.kubernetes.io/managed-by': 'mwop-testenv-node',
          },
        },
        addressType: 'IPv4',
        endpoints: [{ addresses: [POD_GATEWAY], conditions: { ready: true } }],
        ports: [port],
      },
    ],
  });
}

const COREDNS_RBAC = JSON.stringify({
  apiVersion: 'v1',
  kind: 'List',
  items: [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'mwop:coredns' },
      rules: [
        {
          apiGroups: [''],
          resources: ['services', 'pods', 'namespaces', 'endpoints'],
          verbs: ['list', 'watch'],
        },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'mwop:coredns' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'mwop:coredns' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'mwop:coredns' }],
    },
  ],
});

/** cluster.local from the API; every other name NXDOMAIN at once: nothing is forwarded off the host. */
function corefile(kubeconfig: string): string {
  return `cluster.local:53 in-addr.arpa:53 ip6.arpa:53 {
    bind ${CLUSTER_DNS}
    errors
    ready 127.0.0.1:8181
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig ${kubeconfig} mwop:coredns
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    cache 5
}
.:53 {
    bind ${CLUSTER_DNS}
    errors
    template ANY ANY {
        rcode NXDOMAIN
    }
}
`;
}

/** The CoreDNS binary if hack/testenv/node/build-coredns.sh has built it (it is not built implicitly:
 * the first build takes minutes). */
export function corednsBinary(): string | undefined {
  const out = run(
    'bash',
    ['-c', `ls "\${XDG_CACHE_HOME:-$HOME/.cache}"/mwop/testenv/coredns-*/bin/coredns 2>/dev/null | tail -1`],
    {
      quiet: true,
    },
  ).trim();
  return out || undefined;
}

/** The default StorageClass and the local PVs: static, so a released PV stays Released (Retain)
 * until stopNode deletes it; dynamic provisioning (Delete) is still to do (docs/real-node.md). */
function storageObjects(dir: string): string {
  const items: unknown[] = [
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: {
        name: STORAGE_CLASS,
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      },
      provisioner: 'kubernetes.io/no-provisioner',
      volumeBindingMode: 'WaitForFirstConsumer',
      reclaimPolicy: 'Retain',
    },
  ];
  for (let i = 0; i < LOCAL_PVS; i++) {
    const name = `${NODE_NAME}-pv-${String(i).padStart(2, '0')}`;
    const path = join(dir, 'volumes', name);
    // Any container user may write: the images run as redis, mysql, ... (a test machine).
    mkdirSync(path, { recursive: true, mode: 0o777 });
    execFileSync('chmod', ['0777', path]);
    items.push({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name, labels: { 'mwop.dev/testenv-node': NODE_NAME } },
      spec: {
        capacity: { storage: LOCAL_PV_SIZE },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: STORAGE_CLASS,
        local: { path },
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [NODE_NAME] }] },
            ],
          },
        },
      },
    });
  }
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}

const TABLES = ['filter', 'nat', 'mangle'];

/** Every KUBE-* chain, as `<command> <table> <chain>`. */
function kubeChains(): string[] {
  const out: string[] = [];
  for (const cmd of ['iptables', 'ip6tables'])
    for (const t of TABLES)
      for (const line of run(cmd, ['-w', '-t', t, '-S'], { quiet: true }).split('\n')) {
        const m = /^-N (KUBE-\S+)$/.exec(line);
        if (m) out.push(`${cmd} ${t} ${m[1]}`);
      }
  return out;
}

/** Removes the KUBE-* chains that were not there before (the kubelet's), and the jumps to them. */
function removeKubeChains(before: string[]): void {
  const ours = kubeChains().filter((c) => !before.includes(c));
  for (const c of ours) {
    const [cmd, t, chain] = c.split(' ') as [string, string, string];
    run(cmd, ['-w', '-t', t, '-F', chain], { quiet: true });
    for (const line of run(cmd, ['-w', '-t', t, '-S'], { quiet: true }).split('\n')) {
      // -S prints rules shell-quoted (comments), so the shell splits them back.
      if (line.startsWith('-A ') && line.endsWith(`-j ${chain}`))
        run('sh', ['-c', `${cmd} -w -t ${t} ${line.replace(/^-A /, '-D ')}`], { quiet: true });
    }
  }
  for (const c of ours) {
    const [cmd, t, chain] = c.split(' ') as [string, string, string];
    run(cmd, ['-w', '-t', t, '-X', chain], { quiet: true });
  }
}

/** Imports the images images.sh built (building them first if needed) into containerd's k8s.io namespace. */
function importImages(socket: string, images: string[]): string[] {
  const out = run('bash', [join(here, 'images.sh'), '--import', socket, 'pause', ...images]);
  return out
    .trim()
    .split('\n')
    .map((l) => l.split(' ')[0] as string);
}

function kubeletBinary(binDir: string): string {
  const k = join(binDir, 'kubelet');
  if (existsSync(k)) return k;
  const built = run('bash', [join(here, 'build.sh')]).trim();
  return join(built, 'kubelet');
}

export function readNodeState(nodeDir: string): NodeState | undefined {
  const p = nodeStateFile(nodeDir);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as NodeState) : undefined;
}

export async function startNode(opts: NodeOptions): Promise<NodeState> {
  const log = opts.log ?? (() => {});
  const timeoutMs = opts.readyTimeoutMs ?? 180_000;
  if (process.getuid?.() !== 0) throw new Error('the real node needs root (containerd, mounts, network)');
  const cp: ControlPlaneState | undefined = readState(opts.controlPlaneRunDir);
  if (!cp)
    throw new Error(
      `no control plane is running from ${opts.controlPlaneRunDir}; start it with hack/testenv/cli.ts up`,
    );
  const dir = resolve(opts.nodeDir ?? defaultNodeDir(opts.controlPlaneRunDir));
  if (readNodeState(dir)?.processes.some((p) => runs(p.pid, p.binary)))
    throw new Error(`a node from ${nodeStateFile(dir)} is still running; stop it first`);
  // One node per host: the bridge, the iptables chains, the node name and the ports are fixed.
  const other = otherNodeKubelet();
  if (other)
    throw new Error(
      `another mwop node runs on this host (kubelet pid ${other.pid}, ${other.rootDir}); stop it first with hack/testenv/node/cli.ts down`,
    );
  await stopNode(dir); // what a previous run left behind
  for (const c of ['containerd', 'runc', 'iptables', 'ip', 'openssl']) which(c);
  for (const p of ['bridge', 'host-local', 'portmap', 'loopback'])
    if (!existsSync(join('/usr/lib/cni', p)))
      throw new Error(`/usr/lib/cni/${p} is missing; run hack/testenv/node/install-deps.sh`);
  const kubelet = kubeletBinary(cp.binDir);
  const containerd = which('containerd');
  mkdirSync(dir, { recursive: true });
  for (const d of ['containerd', 'cni/net.d', 'cni/ipam', 'kubelet', 'pod-logs', 'pki'])
    mkdirSync(join(dir, d), { recursive: true });

  const nodeIP = hostIP();
  const socket = join(dir, 'containerd', 'containerd.sock');
  const kubeconfig = join(dir, 'kubeconfig-node.yaml');
  const state: NodeState = {
    nodeName: NODE_NAME,
    nodeDir: dir,
    controlPlaneRunDir: resolve(opts.controlPlaneRunDir),
    containerdSocket: socket,
    kubeconfig,
    nodeIP,
    images: [],
    processes: [],
    netnsBefore: listNetns(),
    kubeChainsBefore: kubeChains(),
    sysctlsBefore: Object.fromEntries(
      ['net/ipv4/ip_forward', ...KUBELET_SYSCTLS]
        .filter((k) => existsSync(`/proc/sys/${k}`))
        .map((k) => [k, readSysctl(k)]),
    ),
    startedAt: new Date().toISOString(),
    containerdReadyMs: 0,
    imagesImportedMs: 0,
    nodeReadyMs: 0,
    proxyReadyMs: 0,
    dnsReadyMs: 0,
  };
  const save = () => writeFileSync(nodeStateFile(dir), `${JSON.stringify(state, null, 2)}\n`);
  save();

  const launch = (name: string, binary: string, args: string[]) => {
    const logPath = join(dir, `${name}.log`);
    const fd = openSync(logPath, 'w');
    const child = spawn(binary, args, { detached: true, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    if (child.pid === undefined) throw new Error(`${binary} could not be started`);
    child.unref();
    const rec = { name, pid: child.pid, binary, log: logPath };
    state.processes.push(rec);
    save();
    return rec;
  };
  const waitFor = async (what: string, probe: () => boolean) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const p of state.processes)
        if (!runs(p.pid, p.binary))
          throw new Error(`${p.name} exited while waiting for ${what}:\n${tail(p.log)}`);
      if (probe()) return;
      await sleep(200);
    }
    throw new Error(
      `${what}: not ready after ${timeoutMs} ms\n${state.processes.map((p) => tail(p.log)).join('\n')}`,
    );
  };

  try {
    const t0 = Date.now();
    const pki = join(dir, 'pki');
    writeNodePki(pki, dirname(cp.caFile), nodeIP);
    writeFileSync(
      kubeconfig,
      kubeconfigFor(cp.server, cp.caFile, join(pki, 'kubelet-client.crt'), join(pki, 'kubelet-client.key')),
      { mode: 0o600 },
    );

    const sandboxImage = 'mwop.local/pause:3.10-mwop-go';
    writeFileSync(join(dir, 'containerd', 'config.toml'), containerdConfig(dir, sandboxImage));
    writeFileSync(join(dir, 'cni', 'net.d', '10-mwop-node.conflist'), cniConfig(dir));
    addIsolation();
    createBridge();
    log(`starting containerd (${socket})`);
    launch('containerd', containerd, ['--config', join(dir, 'containerd', 'config.toml')]);
    await waitFor('containerd', () =>
      run('ctr', ['--address', socket, 'version'], { quiet: true }).includes('Server:'),
    );
    state.containerdReadyMs = Date.now() - t0;
    log(`containerd ready after ${state.containerdReadyMs} ms; importing the local images`);
    state.images = importImages(socket, opts.images ?? ['redis', 'mariadb']);
    state.imagesImportedMs = Date.now() - t0;
    log(`imported ${state.images.join(', ')} after ${state.imagesImportedMs} ms`);

    const kubectl = join(cp.binDir, 'kubectl');
    const admin = (args: string[], input?: string) =>
      run(kubectl, ['--kubeconfig', cp.kubeconfigs.admin, ...args], { input });

    // Pods -> API server: a relay on the bridge address, and the kubernetes Service's endpoints.
    const apiPort = new URL(cp.server).port;
    launch('apiserver-relay', which('socat'), [
      `TCP-LISTEN:${APISERVER_RELAY_PORT},bind=${POD_GATEWAY},fork,reuseaddr`,
      `TCP:127.0.0.1:${apiPort}`,
    ]);
    admin(['apply', '--server-side', '--field-manager=mwop-testenv-node', '-f', '-'], kubernetesEndpoints());

    // CoreDNS on the host when it is built.
    const coredns = corednsBinary();
    if (coredns) {
      admin(['apply', '--server-side', '--field-manager=mwop-testenv-node', '-f', '-'], COREDNS_RBAC);
      const dnsKubeconfig = join(dir, 'kubeconfig-coredns.yaml');
      writeFileSync(
        dnsKubeconfig,
        kubeconfigFor(
          cp.server,
          cp.caFile,
          join(pki, 'coredns-client.crt'),
          join(pki, 'coredns-client.key'),
          'mwop:coredns',
        ),
        { mode: 0o600 },
      );
      writeFileSync(join(dir, 'Corefile'), corefile(dnsKubeconfig));
      log(`starting CoreDNS on ${CLUSTER_DNS}:53 (${coredns})`);
      launch('coredns', coredns, ['-conf', join(dir, 'Corefile')]);
      await waitFor(
        'CoreDNS /ready',
        () =>
          run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://127.0.0.1:8181/ready'], {
            quiet: true,
          }) === '200',
      );
      state.dnsReadyMs = Date.now() - t0;
      log(`CoreDNS ready after ${state.dnsReadyMs} ms`);
    } else {
      log('CoreDNS is not built (bash hack/testenv/node/build-coredns.sh): pods get no cluster DNS');
    }

    writeFileSync(
      join(dir, 'kubelet-config.yaml'),
      kubeletConfig(dir, socket, pki, cp.caFile, nodeIP, coredns ? [CLUSTER_DNS] : []),
    );
    log(`starting kubelet (node ${NODE_NAME}, ${nodeIP})`);
    launch('kubelet', kubelet, [
      `--config=${join(dir, 'kubelet-config.yaml')}`,
      `--kubeconfig=${kubeconfig}`,
      `--root-dir=${join(dir, 'kubelet')}`,
      `--cert-dir=${pki}`,
      `--hostname-override=${NODE_NAME}`,
      `--node-ip=${nodeIP}`,
      '--v=2',
    ]);
    await waitFor(
      `Node ${NODE_NAME} Ready`,
      () =>
        run(
          kubectl,
          [
            '--kubeconfig',
            cp.kubeconfigs.admin,
            'get',
            'node',
            NODE_NAME,
            '-o',
            'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
          ],
          { quiet: true },
        ) === 'True',
    );
    state.nodeReadyMs = Date.now() - t0;
    save();
    log(`node ${NODE_NAME} Ready after ${state.nodeReadyMs} ms`);

    const proxyKubeconfig = join(dir, 'kubeconfig-kube-proxy.yaml');
    writeFileSync(
      proxyKubeconfig,
      kubeconfigFor(
        cp.server,
        cp.caFile,
        join(pki, 'kube-proxy-client.crt'),
        join(pki, 'kube-proxy-client.key'),
        'system:kube-proxy',
      ),
      { mode: 0o600 },
    );
    writeFileSync(join(dir, 'kube-proxy-config.yaml'), kubeProxyConfig(proxyKubeconfig));
    log('starting kube-proxy (iptables mode)');
    launch('kube-proxy', join(dirname(kubelet), 'kube-proxy'), [
      `--config=${join(dir, 'kube-proxy-config.yaml')}`,
      '--v=2',
    ]);
    // Ready once it has synced its rules: /healthz answers 200 then.
    await waitFor(
      'kube-proxy /healthz',
      () =>
        run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://127.0.0.1:10256/healthz'], {
          quiet: true,
        }) === '200',
    );
    state.proxyReadyMs = Date.now() - t0;
    admin(['apply', '--server-side', '--field-manager=mwop-testenv-node', '-f', '-'], storageObjects(dir));
    log(
      `StorageClass ${STORAGE_CLASS} (default) with ${LOCAL_PVS} local PVs of ${LOCAL_PV_SIZE} in ${join(dir, 'volumes')}`,
    );
    save();
    log(`kube-proxy ready after ${state.proxyReadyMs} ms`);
    return state;
  } catch (err) {
    await stopNode(dir);
    throw err;
  }
}

/** Stops the node of <nodeDir>/node-state.json and removes what it created (see the header). */
export async function stopNode(nodeDir: string, log: (s: string) => void = () => {}): Promise<boolean> {
  const state = readNodeState(nodeDir);
  if (!state) return false;
  const cp = readState(state.controlPlaneRunDir);
  const kubelet = state.processes.find((p) => p.name === 'kubelet');
  // 1. With the kubelet still running: delete the node's pods, so that it stops their containers
  //    and the CRI tears down their network namespaces (CNI DEL) and volume mounts.
  if (cp && kubelet && runs(kubelet.pid, kubelet.binary)) {
    const kubectl = join(cp.binDir, 'kubectl');
    const k = (args: string[]) =>
      run(kubectl, ['--kubeconfig', cp.kubeconfigs.admin, ...args], { quiet: true });
    log('deleting the pods bound to the node');
    k([
      'delete',
      'pods',
      '--all-namespaces',
      `--field-selector=spec.nodeName=${state.nodeName}`,
      '--wait=true',
      '--timeout=60s',
    ]);
  }
  // 2. kube-proxy (and its rules), the kubelet, then containerd.
  const proxy = state.processes.find((p) => p.name === 'kube-proxy');
  if (proxy) {
    await stopProcesses([proxy]);
    run(proxy.binary, ['--cleanup', `--config=${join(state.nodeDir, 'kube-proxy-config.yaml')}`], {
      quiet: true,
    });
  }
  await stopProcesses(state.processes.filter((p) => p.name === 'kubelet'));
  // containerd, CoreDNS and the API-server relay.
  await stopProcesses(state.processes.filter((p) => p.name !== 'kubelet' && p.name !== 'kube-proxy'));
  if (cp) {
    // What startNode applied: the kubernetes Service's endpoints (the relay is gone) and CoreDNS's RBAC.
    const k = (args: string[]) =>
      run(join(cp.binDir, 'kubectl'), ['--kubeconfig', cp.kubeconfigs.admin, ...args], { quiet: true });
    k(['-n', 'default', 'delete', 'endpointslice', 'kubernetes-mwop-node', '--ignore-not-found']);
    k(['delete', 'clusterrolebinding,clusterrole', 'mwop:coredns', '--ignore-not-found']);
    // The local PVs point into the node directory, which is about to go. A PV still bound to a
    // claim stays Terminating (pv-protection) until the claim is deleted.
    k([
      'delete',
      'pv',
      '-l',
      `mwop.dev/testenv-node=${state.nodeName}`,
      '--ignore-not-found',
      '--wait=false',
    ]);
    k(['delete', 'storageclass', STORAGE_CLASS, '--ignore-not-found']);
  }
  if (cp)
    run(
      join(cp.binDir, 'kubectl'),
      [
        '--kubeconfig',
        cp.kubeconfigs.admin,
        'delete',
        'node',
        state.nodeName,
        '--ignore-not-found',
        '--wait=false',
      ],
      { quiet: true },
    );
  // 3. The shims (each in its own process group) and the containers they still run.
  const shims = readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
        return (cmd[0] ?? '').endsWith('containerd-shim-runc-v2') && cmd.includes(state.containerdSocket);
      } catch {
        return false;
      }
    })
    .map(Number);
  for (const pid of shims) {
    for (const child of childrenOf(pid)) signal(child, 'SIGKILL');
    signal(pid, 'SIGKILL');
  }
  if (shims.length) {
    log(`killed ${shims.length} leftover shim(s)`);
    await sleep(500);
  }
  // 4. Mounts: under the node directory (deepest first) and the network namespaces the CRI made.
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m.startsWith(`${state.nodeDir}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) run('umount', ['-l', m], { quiet: true });
  for (const ns of listNetns().filter((n) => !state.netnsBefore.includes(n) && n.startsWith('cni-'))) {
    run('umount', [`/var/run/netns/${ns}`], { quiet: true });
    rmSync(`/var/run/netns/${ns}`, { force: true });
  }
  // 5. Network and host state.
  run('ip', ['link', 'del', BRIDGE], { quiet: true });
  removeIsolation();
  removeKubeChains(state.kubeChainsBefore ?? []);
  for (const [k, v] of Object.entries(state.sysctlsBefore)) {
    try {
      if (readSysctl(k) !== v) writeSysctl(k, v);
    } catch {
      // not writable here; recorded in docs/real-node.md
    }
  }
  // 6. The kubelet's cgroups (cgroupfs driver: /kubepods in every v1 hierarchy), deepest first.
  for (const h of readdirSync('/sys/fs/cgroup')) removeCgroupTree(join('/sys/fs/cgroup', h, 'kubepods'));
  // Tasks whose shims were killed (pods not deleted first, e.g. when the control plane went down
  // before the node) leave their runc state and shim socket under /run/containerd. Both are named by
  // the task directories in our state dir: the task id, and the shim's `address` file.
  const tasks = join(state.nodeDir, 'containerd', 'state', 'io.containerd.runtime.v2.task');
  for (const ns of existsSync(tasks) ? readdirSync(tasks) : []) {
    for (const id of readdirSync(join(tasks, ns))) {
      rmSync(join('/run/containerd/runc', ns, id), { recursive: true, force: true });
      try {
        const address = readFileSync(join(tasks, ns, id, 'address'), 'utf8')
          .trim()
          .replace(/^unix:\/\//, '');
        if (address.startsWith('/run/containerd/s/')) rmSync(address, { force: true });
      } catch {
        // no address file: the shim never started
      }
    }
  }
  // containerd 1.6's shims keep their sockets, fifos and runc state under /run/containerd whatever
  // the config says; only the empty directories are left, removed here (a system containerd's are not empty).
  for (const d of [
    '/run/containerd/runc/k8s.io',
    '/run/containerd/runc',
    '/run/containerd/s',
    '/run/containerd/fifo',
    '/run/containerd',
  ])
    run('rmdir', [d], { quiet: true });
  rmSync(state.nodeDir, { recursive: true, force: true });
  return true;
}

/** A kubelet running as this node (`--hostname-override=mwop-node`), from any node directory. */
function otherNodeKubelet(): { pid: number; rootDir: string } | undefined {
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      if ((cmd[0] ?? '').endsWith('/kubelet') && cmd.includes(`--hostname-override=${NODE_NAME}`)) {
        const rootDir = cmd.find((a) => a.startsWith('--root-dir='))?.slice('--root-dir='.length) ?? '?';
        return { pid: Number(p), rootDir };
      }
    } catch {
      // gone
    }
  }
  return undefined;
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function signal(pid: number, s: NodeJS.Signals): void {
  try {
    process.kill(pid, s);
  } catch {
    // gone
  }
}

function removeCgroupTree(path: string): void {
  if (!existsSync(path)) return;
  for (const e of readdirSync(path, { withFileTypes: true }))
    if (e.isDirectory()) removeCgroupTree(join(path, e.name));
  try {
    execFileSync('rmdir', [path], { stdio: 'ignore' });
  } catch {
    // still has processes; left for the report
  }
}

function tail(path: string, lines = 30): string {
  try {
    return `--- ${path}\n${readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n')}`;
  } catch {
    return `--- ${path} (no log)`;
  }
}
