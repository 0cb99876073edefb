// The shared body of the integration and e2e globalSetups: one real control plane (hack/testenv)
// per run, shared by every test file of the project; each file works in its own namespace
// (support/cluster.ts). If it cannot start, setup throws with the reason and the run fails;
// nothing is skipped.
//
// The kubeconfigs reach the tests two ways: inject('testenv') and, for helpers that read the
// environment, MWOP_TESTENV_KUBECONFIG_<USER>. The built kubectl goes first on PATH, so no test
// depends on the machine's own kubectl.
//
// <reuseVariable>=hack/testenv/run/dev reuses a control plane started by `make testenv-up` (with
// --simulate for the e2e project): faster while iterating; it is left running.
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import {
  type ControlPlaneState,
  readState,
  startControlPlane,
  USERS,
} from '../../../hack/testenv/cluster.ts';
import type { TestEnv } from './cluster.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface SetupOptions {
  /** Environment variable naming a run directory to reuse. */
  reuseVariable: string;
  /** Prefix of this run's directory under hack/testenv/run. */
  runDirPrefix: string;
  simulation: boolean;
}

export async function setupTestenv(project: TestProject, opts: SetupOptions): Promise<() => Promise<void>> {
  let state: ControlPlaneState;
  let stop: () => Promise<void> = async () => {};
  const reuse = process.env[opts.reuseVariable];
  if (reuse) {
    const found = readState(resolve(repoRoot, reuse));
    if (!found)
      throw new Error(`${opts.reuseVariable}=${reuse}: no running control plane there (make testenv-up)`);
    if (opts.simulation && !found.simulation)
      throw new Error(`${opts.reuseVariable}=${reuse}: that control plane runs without --simulate`);
    state = found;
  } else {
    const runDir = join(repoRoot, 'hack/testenv/run', `${opts.runDirPrefix}-${process.pid}`);
    rmSync(runDir, { recursive: true, force: true });
    const cp = await startControlPlane({
      runDir,
      simulation: opts.simulation,
      log: (l) => process.stderr.write(`testenv: ${l}\n`),
    });
    state = cp;
    let stopped = false;
    // If vitest dies without running the teardown, still take the control plane down with it.
    const onExit = () => {
      if (stopped) return;
      for (const p of cp.processes) {
        try {
          process.kill(-p.pid, 'SIGKILL');
        } catch {}
      }
    };
    process.once('exit', onExit);
    stop = async () => {
      await cp.stop();
      stopped = true;
      process.off('exit', onExit);
      rmSync(runDir, { recursive: true, force: true });
    };
  }

  provideTestenv(project, state);
  return stop;
}

/** Hands a started control plane to the test files: inject('testenv'), the environment, kubectl on PATH. */
export function provideTestenv(project: TestProject, state: ControlPlaneState): void {
  const env: TestEnv = {
    server: state.server,
    caFile: state.caFile,
    binDir: state.binDir,
    kubeconfigs: state.kubeconfigs,
  };
  project.provide('testenv', env);
  for (const u of USERS) process.env[`MWOP_TESTENV_KUBECONFIG_${u.toUpperCase()}`] = state.kubeconfigs[u];
  process.env.PATH = `${state.binDir}:${process.env.PATH ?? ''}`;
}
