// vitest globalSetup of the e2e-real project: the real-node cluster (hack/testenv/node/real-cluster.ts)
// once per run: control plane, one real node (containerd, kubelet, kube-proxy, CoreDNS) with the
// images built on this machine, Argo's real workflow-controller running argoexec on that node, and
// the test-only redis MiddlewareType (support/types.ts). The operator runs in the test process, per
// file and namespace (support/real.ts).
//
// It never skips: on a machine without what the node needs (root, containerd, cgroups, the built
// kubelet and CoreDNS, ...) it fails naming every missing piece. Everything it started is stopped
// at the end, the node first. The run's figures go to support/results.ts's file.
// MWOP_E2E_REAL_RUN_DIR=DIR reuses a cluster started by `node hack/testenv/node/real-cli.ts up
// --run-dir DIR` and leaves it running.
import { KubeConfig } from '@kubernetes/client-node';
import type { TestProject } from 'vitest/node';
import { installMwopInto } from '../../../hack/dev/install.ts';
import { type ControlPlaneState, readState } from '../../../hack/testenv/cluster.ts';
import {
  type LocalImages,
  readRealState,
  startRealCluster,
} from '../../../hack/testenv/node/real-cluster.ts';
import { KubeRest } from '../../../src/kube/rest.ts';
import { provideTestenv } from '../../integration/support/testenv-setup.ts';
import { recordFigure } from './results.ts';
import { realNodeTypes } from './types.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    localImages: LocalImages;
  }
}

function provide(project: TestProject, cp: ControlPlaneState, images: LocalImages): void {
  provideTestenv(project, cp);
  project.provide('localImages', images);
}

async function useRunning(project: TestProject, runDir: string): Promise<() => Promise<void>> {
  const real = readRealState(runDir);
  const cp = readState(runDir);
  if (!real || !cp)
    throw new Error(
      `MWOP_E2E_REAL_RUN_DIR=${runDir}: no real-node cluster runs there (node hack/testenv/node/real-cli.ts up --run-dir ${runDir})`,
    );
  // This checkout's types and templates, which may be newer than the cluster's.
  const kc = new KubeConfig();
  kc.loadFromFile(real.kubeconfig);
  await installMwopInto(new KubeRest(kc), { types: realNodeTypes(real.images) }).catch((err: Error) => {
    throw new Error(
      `MWOP_E2E_REAL_RUN_DIR=${runDir}: this checkout's test-only types or templates cannot be applied to that cluster (published plugin versions are immutable; restart it: real-cli.ts down, then up): ${err.message}`,
    );
  });
  provide(project, cp, real.images);
  return async () => {};
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const reuse = process.env.MWOP_E2E_REAL_RUN_DIR;
  if (reuse) return useRunning(project, reuse);
  const runDir = `/tmp/realnode-e2e-${process.pid}`;
  const cluster = await startRealCluster({
    runDir,
    log: (l) => process.stderr.write(`e2e-real: ${l}\n`),
    types: realNodeTypes,
  });
  recordFigure('cluster bring-up', { ...cluster.timings });
  provide(project, cluster.controlPlane, cluster.images);
  let stopped = false;
  // vitest killed without its teardown: say how to take the node down (it changes the host).
  const onExit = () => {
    if (!stopped)
      process.stderr.write(`e2e-real: run "node hack/testenv/node/real-cli.ts down --run-dir ${runDir}"\n`);
  };
  process.once('exit', onExit);
  return async () => {
    await cluster.stop();
    stopped = true;
    process.off('exit', onExit);
  };
}
