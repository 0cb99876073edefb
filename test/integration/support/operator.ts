// Runs the real operator in this process against the test control plane, restricted to the test
// file's namespace so files running side by side never reconcile each other's objects.

import { createLogger } from '../../../src/log/logger.ts';
import { parseOperatorConfig } from '../../../src/operator/config.ts';
import { controllersFor } from '../../../src/operator/controllers.ts';
import { type RunningOperator, runOperator } from '../../../src/operator/run.ts';
import { testenv } from './cluster.ts';

export async function startOperator(namespace: string, extra: string[] = []): Promise<RunningOperator> {
  const parsed = parseOperatorConfig(
    [
      '--kubeconfig',
      testenv().kubeconfigs.admin,
      '--namespaces',
      namespace,
      '--leader-elect',
      'false',
      '--health-port',
      '0',
      '--metrics-port',
      '0',
      '--webhook-port',
      '0',
      '--shutdown-grace-seconds',
      '5',
      ...extra,
    ],
    {},
  );
  if (!parsed.ok) throw new Error(`operator flags: ${JSON.stringify(parsed.problems)}`);
  return runOperator(parsed.config, controllersFor, {
    log: createLogger({ level: process.env.MWOP_TEST_LOG ?? 'silent' }),
    exitOnLostLease: false,
  });
}
