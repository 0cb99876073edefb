// Simulation mode of the test environment (issue #12): on top of the control plane, kwok with
// simulated nodes (no kubelet, no containers), Argo's real workflow-controller, and the simulated
// executor that does what argoexec would do in the step pods. Started by cluster.ts when
// ControlPlaneOptions.simulation is set; every process joins the control plane's state, so stop()
// and `cli.ts down` take them down with it.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeRest } from '../../../src/kube/rest.ts';
import { installArgoCrdsInto } from '../../dev/install.ts';
import {
  ARGO_NAMESPACE,
  argoControllerObjects,
  workflowControllerArgs,
  workflowControllerEnv,
} from '../argo-controller.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');

export { ARGO_NAMESPACE };
export const STORAGE_CLASS = 'mwop-sim';
/** Nodes kwok manages carry this annotation (kwok --manage-nodes-with-annotation-selector). */
export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

export interface SimulationOptions {
  /** Simulated nodes (default 3). Each offers 32 CPUs, 256 GiB and 1,000 pods. */
  nodes?: number;
}

export interface SimulationState {
  nodes: string[];
  storageClass: string;
  argoNamespace: string;
  argoBinDir: string;
  kwokBinDir: string;
}

interface LaunchedProcess {
  name: string;
  pid: number;
  binary: string;
  log: string;
}

export interface SimulationHost {
  runDir: string;
  kubectl: string;
  adminKubeconfig: string;
  launch(name: string, args: string[], opts: { binary: string; env?: NodeJS.ProcessEnv }): LaunchedProcess;
  waitFor(what: string, rec: LaunchedProcess, probe: () => Promise<boolean>): Promise<void>;
  log(line: string): void;
}

/**
 * Builds (or finds cached) Argo's and kwok's binaries: `hack/testenv/build.sh argo|kwok`.
 * MWOP_TESTENV_ARGO_BIN_DIR / MWOP_TESTENV_KWOK_BIN_DIR point at prebuilt ones instead.
 */
export function addonBinDirs(): { argo: string; kwok: string } {
  const dir = (what: 'argo' | 'kwok') => {
    const given = process.env[`MWOP_TESTENV_${what.toUpperCase()}_BIN_DIR`];
    if (given) return given;
    try {
      return execFileSync('bash', [join(here, '../build.sh'), what], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      }).trim();
    } catch (err) {
      throw new Error(
        `hack/testenv/build.sh ${what} failed; simulation mode cannot start: ${(err as Error).message}`,
      );
    }
  };
  return { argo: dir('argo'), kwok: dir('kwok') };
}

export function nodeManifest(name: string): object {
  const resources = { cpu: '32', memory: '256Gi', pods: '1000', 'ephemeral-storage': '1Ti' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [KWOK_NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node.kubernetes.io/instance-type': 'simulated',
        type: 'kwok',
      },
    },
    spec: {},
    status: { allocatable: resources, capacity: resources },
  };
}

function clusterObjects(nodes: string[]): object[] {
  return [
    ...nodes.map(nodeManifest),
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: {
        name: STORAGE_CLASS,
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      },
      provisioner: 'sim.mwop.dev/hostpath',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'Immediate',
      allowVolumeExpansion: true,
    },
    ...argoControllerObjects(),
  ];
}

export async function startSimulation(
  host: SimulationHost,
  opts: SimulationOptions,
): Promise<SimulationState> {
  const { argo, kwok } = addonBinDirs();
  const kubectl = (args: string[], input?: string) =>
    execFileSync(host.kubectl, ['--kubeconfig', host.adminKubeconfig, ...args], {
      encoding: 'utf8',
      input,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  const nodes = Array.from({ length: opts.nodes ?? 3 }, (_, i) => `sim-node-${i}`);
  host.log(`installing Argo's CRDs, ${nodes.length} simulated nodes and StorageClass ${STORAGE_CLASS}`);
  const kc = new KubeConfig();
  kc.loadFromFile(host.adminKubeconfig);
  await installArgoCrdsInto(new KubeRest(kc));
  kubectl(
    ['apply', '--server-side', '-f', '-'],
    clusterObjects(nodes)
      .map((o) => JSON.stringify(o))
      .join('\n'),
  );

  host.log('starting kwok (simulated kubelets) and Argo workflow-controller');
  const stages = join(here, 'stages.yaml');
  const kwokProc = host.launch(
    'kwok',
    [
      `--kubeconfig=${host.adminKubeconfig}`,
      '--manage-all-nodes=false',
      `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
      `--config=${stages}`,
      '--node-lease-duration-seconds=40',
      '--server-address=',
    ],
    { binary: join(kwok, 'kwok') },
  );
  host.launch(
    'workflow-controller',
    workflowControllerArgs(host.adminKubeconfig, { image: 'quay.io/argoproj/argoexec:v3.7.18' }),
    { binary: join(argo, 'workflow-controller'), env: workflowControllerEnv() },
  );
  host.launch(
    'executor',
    [
      '--no-warnings',
      join(here, 'executor.ts'),
      `--kubeconfig=${host.adminKubeconfig}`,
      `--kubectl=${host.kubectl}`,
      `--bin-dir=${join(repoRoot, 'bin')}`,
    ],
    { binary: process.execPath },
  );
  await host.waitFor(`${nodes.length} simulated nodes Ready`, kwokProc, async () => {
    const out = kubectl([
      'get',
      'nodes',
      '-o',
      'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}',
    ]);
    return out.split(' ').filter((s) => s === 'True').length >= nodes.length;
  });
  writeFileSync(join(host.runDir, 'simulation.txt'), `nodes: ${nodes.join(' ')}\n`);
  return {
    nodes,
    storageClass: STORAGE_CLASS,
    argoNamespace: ARGO_NAMESPACE,
    argoBinDir: argo,
    kwokBinDir: kwok,
  };
}
