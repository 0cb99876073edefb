// vitest globalSetup of the integration project: the control plane without simulated nodes or
// Argo (the tests play the kubelet and Argo: fake-kubelet.ts, fake-argo.ts).
// MWOP_TESTENV_RUN_DIR=hack/testenv/run/dev reuses a control plane started by `make testenv-up`.
import type { TestProject } from 'vitest/node';
import { setupTestenv } from './testenv-setup.ts';

export default function setup(project: TestProject): Promise<() => Promise<void>> {
  return setupTestenv(project, {
    reuseVariable: 'MWOP_TESTENV_RUN_DIR',
    runDirPrefix: 'vitest',
    simulation: false,
  });
}
