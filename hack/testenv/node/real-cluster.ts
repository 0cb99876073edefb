// The real-node cluster (issue 14): the control plane of hack/testenv, the real node of
// hack/testenv/node (containerd, kubelet, kube-proxy, CoreDNS), mwop's CRDs, Argo's CRDs, the
// given MiddlewareTypes and the ClusterWorkflowTemplates, and Argo's real workflow-controller
// whose executor is the argoexec image built on this machine. The operator is not part of it: the
// callers run it (the e2e-real tests per namespace, `make dev-real` for every namespace).
//
// It checks the machine first (preflight.ts) and fails naming everything missing. Its own state,
// the workflow-controller's pid and log, lives in <runDir>-real/, so that stopRealCluster (or
// `real-cli.ts down` from another process) stops Argo, then the node, then the control plane.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { serverSideApply } from '../../../src/kube/apply.ts';
import { KubeRest } from '../../../src/kube/rest.ts';
import { installMwopInto, repoRoot } from '../../dev/install.ts';
import { argoControllerObjects, workflowControllerArgs, workflowControllerEnv } from '../argo-controller.ts';
import {
  buildBinaries,
  type ControlPlaneState,
  readState,
  startControlPlane,
  stopFromState,
  stopProcesses,
} from '../cluster.ts';
import { addonBinDirs } from '../simulation/start.ts';
import { imageLabels, upstreamVersion } from './image-info.ts';
import { corednsBinary, defaultNodeDir, type NodeState, readNodeState, startNode, stopNode } from './node.ts';
import { hostFacts, problems } from './preflight.ts';

/** The images every real-node cluster imports besides pause: images.sh names. */
export const REAL_NODE_IMAGES = ['redis', 'argoexec', 'agent', 'backup'];

export interface LocalImages {
  redis: string;
  /** redis-server's upstream version in the redis image (its Debian package, from the label). */
  redisVersion: string;
  argoexec: string;
  agent: string;
  backup: string;
}

interface ProcessRecord {
  name: string;
  pid: number;
  binary: string;
  log: string;
}

export interface RealClusterState {
  runDir: string;
  nodeDir: string;
  stateDir: string;
  kubeconfig: string;
  binDir: string;
  images: LocalImages;
  workflowController: ProcessRecord;
  /** Milliseconds from the start: control plane ready, Node Ready (incl. image import), Argo up. */
  timings: { controlPlaneMs: number; nodeReadyMs: number; imagesImportedMs: number; readyMs: number };
}

export interface RealCluster extends RealClusterState {
  node: NodeState;
  controlPlane: ControlPlaneState;
  stop(): Promise<void>;
}

export const realStateDir = (runDir: string) => `${resolve(runDir)}-real`;
const stateFile = (runDir: string) => join(realStateDir(runDir), 'real-cluster.json');

export function readRealState(runDir: string): RealClusterState | undefined {
  const f = stateFile(runDir);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as RealClusterState) : undefined;
}

/** name -> reference, from the references the node imported ("mwop.local/<name>:<tag>"). Pure. */
export function localImages(imported: string[], redisDebianVersion: string): LocalImages {
  const ref = (name: string) => {
    const r = imported.find((i) => i.startsWith(`mwop.local/${name}:`));
    if (!r) throw new Error(`the node did not import mwop.local/${name} (imported: ${imported.join(', ')})`);
    return r;
  };
  return {
    redis: ref('redis'),
    redisVersion: upstreamVersion(redisDebianVersion),
    argoexec: ref('argoexec'),
    agent: ref('agent'),
    backup: ref('backup'),
  };
}

/** Fails naming everything this machine lacks for a real node. */
export function checkHost(): void {
  let kubeBinDir = '';
  let buildError: string | undefined;
  // Not root: say so at once rather than build the control plane first.
  if (process.getuid?.() === 0) {
    try {
      kubeBinDir = buildBinaries();
    } catch (err) {
      buildError = (err as Error).message;
    }
  }
  const missing = problems(hostFacts({ kubeBinDir, corednsBinary: corednsBinary(), repoRoot }));
  if (buildError) missing.push(buildError);
  if (missing.length)
    throw new Error(
      `the real node cannot run on this machine:\n  - ${missing.join('\n  - ')}\nSee docs/real-node.md.`,
    );
}

export interface RealClusterOptions {
  runDir: string;
  log?: (line: string) => void;
  /** The MiddlewareTypes to install, given the local images (the shipped ones name upstream images). */
  types: (images: LocalImages) => KubernetesObject[];
}

export async function startRealCluster(opts: RealClusterOptions): Promise<RealCluster> {
  const log = opts.log ?? (() => {});
  const runDir = resolve(opts.runDir);
  const nodeDir = defaultNodeDir(runDir);
  const stateDir = realStateDir(runDir);
  checkHost();
  const t0 = Date.now();
  await stopRealCluster(runDir); // whatever a killed run left behind
  mkdirSync(stateDir, { recursive: true });
  const cp = await startControlPlane({ runDir, log });
  const controlPlaneMs = Date.now() - t0;
  const stopAll = async () => {
    await stopNode(nodeDir, log);
    await cp.stop();
  };
  try {
    const node = await startNode({ controlPlaneRunDir: runDir, nodeDir, log, images: REAL_NODE_IMAGES });
    const nodeReadyMs = Date.now() - t0;
    const images = localImages(node.images, imageLabels('redis')['org.opencontainers.image.version'] ?? '');
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigs.admin);
    const rest = new KubeRest(kc);
    log('installing mwop (CRDs, Argo CRDs, the MiddlewareTypes of the local images, workflow templates)');
    await installMwopInto(rest, { types: opts.types(images) });
    for (const o of argoControllerObjects()) await serverSideApply(rest, o as KubernetesObject);

    const { argo } = addonBinDirs();
    const logPath = join(stateDir, 'workflow-controller.log');
    const fd = openSync(logPath, 'w');
    const binary = join(argo, 'workflow-controller');
    const child = spawn(
      binary,
      workflowControllerArgs(cp.kubeconfigs.admin, { image: images.argoexec, pullPolicy: 'Never' }),
      { detached: true, stdio: ['ignore', fd, fd], env: workflowControllerEnv() },
    );
    closeSync(fd);
    if (child.pid === undefined) throw new Error(`${binary} could not be started`);
    child.unref();
    log(
      `Argo workflow-controller (pid ${child.pid}, executor ${images.argoexec}, pull policy Never): ${logPath}`,
    );
    const state: RealClusterState = {
      runDir,
      nodeDir,
      stateDir,
      kubeconfig: cp.kubeconfigs.admin,
      binDir: cp.binDir,
      images,
      workflowController: { name: 'workflow-controller', pid: child.pid, binary, log: logPath },
      timings: {
        controlPlaneMs,
        nodeReadyMs,
        imagesImportedMs: node.imagesImportedMs,
        readyMs: Date.now() - t0,
      },
    };
    writeFileSync(stateFile(runDir), `${JSON.stringify(state, null, 2)}\n`);
    return {
      ...state,
      node,
      controlPlane: cp,
      stop: () => stopRealCluster(runDir, log),
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Argo's controller, then the node (its pods first), then the control plane. Safe to repeat. */
export async function stopRealCluster(runDir: string, log: (s: string) => void = () => {}): Promise<void> {
  const real = readRealState(runDir);
  if (real) await stopProcesses([real.workflowController]);
  const nodeDir = defaultNodeDir(runDir);
  if (readNodeState(nodeDir)) await stopNode(nodeDir, log);
  if (readState(resolve(runDir)) || existsSync(join(resolve(runDir), 'state.json')))
    await stopFromState(resolve(runDir));
  rmSync(realStateDir(runDir), { recursive: true, force: true });
  rmSync(resolve(runDir), { recursive: true, force: true });
}
