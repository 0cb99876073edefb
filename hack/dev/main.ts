// `make dev`: the main job on this machine. It starts (or reuses) the local control plane from
// hack/testenv in simulation mode (kwok's simulated nodes, Argo's real workflow-controller, the
// simulated executor), installs mwop (CRDs, Argo's CRDs, plugins, workflow templates), runs the
// operator in this process, creates the sample Redis instance and shows it reaching Running
// through the real Argo DAG, then how to connect.
//
// Honest limits, printed as well: the nodes are simulated. Pods are scheduled and reported Running
// and Ready by kwok, but no container runs, so there is no Redis behind the connection command.
//   node hack/dev/main.ts [--once]    --once: show the result and exit instead of staying up
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import type { MiddlewareInstance } from '../../src/api/index.ts';
import { serverSideApply } from '../../src/kube/apply.ts';
import { resourcePath } from '../../src/kube/gvr.ts';
import { KubeRest } from '../../src/kube/rest.ts';
import { createLogger } from '../../src/log/logger.ts';
import { parseOperatorConfig } from '../../src/operator/config.ts';
import { controllersFor } from '../../src/operator/controllers.ts';
import { runOperator } from '../../src/operator/run.ts';
import { readState, startControlPlane, stopFromState } from '../testenv/cluster.ts';
import { installMwopInto, repoRoot } from './install.ts';

const say = (s: string) => process.stdout.write(`${s}\n`);
const once = process.argv.includes('--once');
const runDir = join(repoRoot, 'hack/testenv/run/dev');

let state = readState(runDir);
if (state && !state.simulation) {
  say(`• the control plane at ${state.server} runs without simulated nodes; restarting it with them`);
  await stopFromState(runDir);
  state = undefined;
}
if (state) {
  say(`• reusing the control plane at ${state.server}`);
} else {
  say(
    '• starting the local control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler),\n' +
      "  kwok's simulated nodes, Argo's workflow-controller and the simulated step executor",
  );
  state = await startControlPlane({
    runDir,
    simulation: true,
    log: (l) => process.stderr.write(`  testenv: ${l}\n`),
  });
}
say(
  `• nodes: ${state.simulation?.nodes.join(', ')} — SIMULATED by kwok: pods are scheduled and reported Ready, no container runs`,
);
const kubeconfig = state.kubeconfigs.admin;
const kc = new KubeConfig();
kc.loadFromFile(kubeconfig);
const rest = new KubeRest(kc);

say(
  '• installing mwop: CRDs, Argo Workflows CRDs, plugins (redis, mysql, kafka, elasticsearch), workflow templates',
);
await installMwopInto(rest);
for (const name of ['mwop-system', 'team-a']) {
  await serverSideApply(rest, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

say('• starting the operator (leader election on a Lease in mwop-system)');
const parsed = parseOperatorConfig(
  ['--kubeconfig', kubeconfig, '--health-port', '0', '--metrics-port', '0'],
  {
    POD_NAME: 'mwop-dev',
  },
);
if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
const op = await runOperator(parsed.config, controllersFor, {
  log: createLogger({ level: process.env.MWOP_LOG_LEVEL ?? 'warn' }),
});

const sample = parse(
  readFileSync(join(repoRoot, 'test/fixtures/instances/redis-cache.yaml'), 'utf8'),
) as MiddlewareInstance;
say(
  `• applying ${sample.metadata.namespace}/${sample.metadata.name}: redis ${sample.spec.pluginVersion}, Redis ${sample.spec.middlewareVersion}`,
);
await serverSideApply(rest, sample as never, { force: true });

const path = resourcePath('mwop.dev/v1alpha1', 'MiddlewareInstance', {
  namespace: sample.metadata.namespace!,
  name: sample.metadata.name!,
});
const started = Date.now();
let inst: MiddlewareInstance | undefined;
let shown = '';
for (let i = 0; i < 1500 && inst?.status?.phase !== 'Running' && inst?.status?.phase !== 'Failed'; i++) {
  inst = await rest.get<MiddlewareInstance>(path);
  const phase = inst.status?.phase ?? '(no status yet)';
  const workflow = inst.status?.operations?.current?.workflow;
  const line = `${phase}${workflow ? ` (workflow ${workflow})` : ''}`;
  if (line !== shown) {
    say(`  ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s  phase ${line}`);
    shown = line;
  }
  await new Promise((r) => setTimeout(r, 200));
}
say('');
say(
  execFileSync(
    join(repoRoot, 'bin/kubectl-mw'),
    ['describe', sample.metadata.name!, '-n', sample.metadata.namespace!],
    {
      encoding: 'utf8',
      env: { ...process.env, KUBECONFIG: kubeconfig },
    },
  ),
);
say(
  execFileSync(
    join(repoRoot, 'bin/kubectl-mw'),
    ['connect', sample.metadata.name!, '-n', sample.metadata.namespace!],
    { encoding: 'utf8', env: { ...process.env, KUBECONFIG: kubeconfig } },
  ),
);
say("Note: Argo's real workflow-controller ran the create DAG above, and the operator mirrored it.");
say('The nodes are simulated (kwok): no container runs, so nothing answers at the address above.');
say('Workflow steps were done by the simulated executor (hack/testenv/simulation): kubectl for');
say("resource steps, a healthy hook agent's answer for HTTP steps. A real node is issue 14.");
say('');
say(`export KUBECONFIG=${kubeconfig}   # then: bin/kubectl-mw list -A, kubectl get mwi -A`);

if (once) {
  await op.shutdown('--once');
  process.exit(0);
}
say('The operator keeps running; Ctrl-C stops it (the control plane stays up: make testenv-down stops it).');
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void op.shutdown(signal));
process.exitCode = await op.done;
