// The real-node cluster from the command line (hack/testenv/node/real-cluster.ts). Root only.
//   node hack/testenv/node/real-cli.ts up   --run-dir DIR   control plane, real node, mwop's CRDs,
//        the test-only redis type on the local images, workflow templates, Argo's controller;
//        prints the exports (KUBECONFIG, PATH). The operator is not started (make dev-real runs it).
//   node hack/testenv/node/real-cli.ts down --run-dir DIR   Argo, then the node, then the control plane
import { realNodeTypes } from '../../../test/e2e-real/support/types.ts';
import { startRealCluster, stopRealCluster } from './real-cluster.ts';

const [cmd, flag, runDir] = process.argv.slice(2);
const say = (s: string) => process.stderr.write(`real: ${s}\n`);
if ((cmd !== 'up' && cmd !== 'down') || flag !== '--run-dir' || !runDir) {
  process.stderr.write('usage: node hack/testenv/node/real-cli.ts up|down --run-dir DIR\n');
  process.exit(2);
}
try {
  if (cmd === 'up') {
    const c = await startRealCluster({ runDir, log: say, types: realNodeTypes });
    say(`ready after ${c.timings.readyMs} ms (${JSON.stringify(c.timings)})`);
    process.stdout.write(`export KUBECONFIG=${c.kubeconfig}\nexport PATH=${c.binDir}:$PATH\n`);
  } else {
    await stopRealCluster(runDir, say);
    say(`stopped; removed ${runDir}`);
  }
  process.exit(0);
} catch (err) {
  say((err as Error).message);
  process.exit(1);
}
