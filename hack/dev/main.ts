// `make dev`: the main job on this machine. It starts (or reuses) the local control plane from
// hack/testenv, installs mwop (CRDs, Argo's CRDs, plugins, workflow templates), runs the operator
// in this process, creates the sample Redis instance and shows what the operator did with it.
//
// Honest limits, printed as well: this control plane has no nodes and no Argo workflow-controller
// yet (issue 12 adds kwok and Argo), so the create workflow is created and shown, but no step runs.
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
import { readState, startControlPlane } from '../testenv/cluster.ts';
import { installMwopInto, repoRoot } from './install.ts';

const say = (s: string) => process.stdout.write(`${s}\n`);
const once = process.argv.includes('--once');
const runDir = join(repoRoot, 'hack/testenv/run/dev');

let state = readState(runDir);
if (state) {
  say(`• reusing the control plane at ${state.server}`);
} else {
  say('• starting the local control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler)');
  state = await startControlPlane({ runDir, log: (l) => process.stderr.write(`  testenv: ${l}\n`) });
}
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
let inst: MiddlewareInstance | undefined;
for (let i = 0; i < 300; i++) {
  inst = await rest.get<MiddlewareInstance>(path);
  if (inst.status?.operations?.current?.workflow || inst.status?.phase === 'Running') break;
  await new Promise((r) => setTimeout(r, 200));
}
say(
  `• phase: ${inst?.status?.phase ?? '(none yet)'}; operation: ${inst?.status?.operations?.current?.type ?? '-'}`,
);
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
say('Note: this local control plane has no nodes and no Argo workflow-controller yet (issue 12 adds');
say('simulated nodes with kwok and the real Argo controller). The operator has applied the Secret,');
say('ConfigMap, Services and StatefulSet and created the create workflow above; no step runs here.');
say('');
say(`export KUBECONFIG=${kubeconfig}   # then: bin/kubectl-mw list -A, kubectl get mwi -A`);

if (once) {
  await op.shutdown('--once');
  process.exit(0);
}
say('The operator keeps running; Ctrl-C stops it (the control plane stays up: make testenv-down stops it).');
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void op.shutdown(signal));
process.exitCode = await op.done;
