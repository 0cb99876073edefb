// vitest globalSetup of the e2e project: the control plane in simulation mode, so Argo's real
// workflow-controller runs our workflows on kwok's simulated nodes (hack/testenv/simulation).
// MWOP_E2E_RUN_DIR=hack/testenv/run/dev reuses one started by `node hack/testenv/cli.ts up --simulate`.
// MWOP_E2E_RECORD_DIR is where the files record which workflow templates ran
// (templates-coverage.test.ts, which runs last, reads it).
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { setupTestenv } from '../../integration/support/testenv-setup.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const record = join(repoRoot, 'hack/testenv/run', `e2e-record-${process.pid}`);
  rmSync(record, { recursive: true, force: true });
  mkdirSync(record, { recursive: true });
  process.env.MWOP_E2E_RECORD_DIR = record;
  const stop = await setupTestenv(project, {
    reuseVariable: 'MWOP_E2E_RUN_DIR',
    runDirPrefix: 'e2e',
    simulation: true,
  });
  return async () => {
    await stop();
    rmSync(record, { recursive: true, force: true });
  };
}
