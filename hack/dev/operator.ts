// The operator in this process, watching one namespace, with nothing listening on fixed ports and
// no leader election: how the integration tests, the e2e tests and the quickstart recorder run it.
import { createLogger } from '../../src/log/logger.ts';
import { parseOperatorConfig } from '../../src/operator/config.ts';
import type { OperatorContext, Runnable } from '../../src/operator/context.ts';
import { controllersFor } from '../../src/operator/controllers.ts';
import { type RunningOperator, runOperator } from '../../src/operator/run.ts';

/**
 * Starts the operator for one namespace. `build` gives its runnables: the real controllers by
 * default; tests pass their own (controllers on a fake clock, or none for the webhook alone).
 */
export async function startNamespacedOperator(
  kubeconfig: string,
  namespace: string,
  extra: string[] = [],
  logLevel = 'silent',
  build: (ctx: OperatorContext) => Runnable[] = controllersFor,
): Promise<RunningOperator> {
  const parsed = parseOperatorConfig(
    [
      '--kubeconfig',
      kubeconfig,
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
  return runOperator(parsed.config, build, {
    log: createLogger({ level: logLevel }),
    exitOnLostLease: false,
  });
}
