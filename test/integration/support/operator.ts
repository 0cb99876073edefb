// Runs the real operator in this process against the test control plane, restricted to the test
// file's namespace so files running side by side never reconcile each other's objects.
import { startNamespacedOperator } from '../../../hack/dev/operator.ts';
import type { RunningOperator } from '../../../src/operator/run.ts';
import { testenv } from './cluster.ts';

export function startOperator(namespace: string, extra: string[] = []): Promise<RunningOperator> {
  return startNamespacedOperator(
    testenv().kubeconfigs.admin,
    namespace,
    extra,
    process.env.MWOP_TEST_LOG ?? 'silent',
  );
}
