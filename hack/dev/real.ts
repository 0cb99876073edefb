// `make dev-real`: like `make dev`, on the real node (docs/real-node.md). It starts (or reuses)
// the real-node cluster in hack/testenv/run/dev-real (control plane, a real kubelet, containerd,
// kube-proxy and CoreDNS, Argo's workflow-controller with the locally built argoexec), runs the
// operator in this process, creates a Redis instance of the test-only redis type (images built on
// this machine), waits for Running, writes and reads a key through the client Service, and prints
// a redis-cli command that works from this host. Root only.
//   node hack/dev/real.ts [--once]    --once: stop the operator and exit after the check
//                                     (the cluster stays up: make testenv-real-down stops it)
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { MiddlewareInstance } from '../../src/api/index.ts';
import { serverSideApply } from '../../src/kube/apply.ts';
import { resourcePath } from '../../src/kube/gvr.ts';
import { KubeRest } from '../../src/kube/rest.ts';
import { createLogger } from '../../src/log/logger.ts';
import { parseOperatorConfig } from '../../src/operator/config.ts';
import { controllersFor } from '../../src/operator/controllers.ts';
import { runOperator } from '../../src/operator/run.ts';
import { realNodeTypes } from '../../test/e2e-real/support/types.ts';
import { readState } from '../testenv/cluster.ts';
import { readRealState, startRealCluster } from '../testenv/node/real-cluster.ts';
import { repoRoot } from './install.ts';

const say = (s: string) => process.stdout.write(`${s}\n`);
const once = process.argv.includes('--once');
const runDir = process.env.MWOP_DEV_REAL_RUN_DIR ?? join(repoRoot, 'hack/testenv/run/dev-real');
const NS = 'team-a';
const NAME = 'cache';

let real = readState(runDir) ? readRealState(runDir) : undefined;
if (real) {
  say(`• reusing the real-node cluster in ${runDir}`);
} else {
  say('• starting the real-node cluster: etcd, kube-apiserver, kube-controller-manager, kube-scheduler;');
  say('  a REAL node: containerd + runc, kubelet, kube-proxy, CoreDNS (images built on this machine);');
  say("  Argo's workflow-controller, whose executor (argoexec) runs as real containers on that node");
  real = await startRealCluster({
    runDir,
    log: (l) => process.stderr.write(`  real: ${l}\n`),
    types: realNodeTypes,
  });
  say(`  up in ${(real.timings.readyMs / 1000).toFixed(1)} s`);
}
const kc = new KubeConfig();
kc.loadFromFile(real.kubeconfig);
const rest = new KubeRest(kc);
for (const name of ['mwop-system', NS])
  await serverSideApply(rest, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

say('• starting the operator in this process (all namespaces)');
const parsed = parseOperatorConfig(
  ['--kubeconfig', real.kubeconfig, '--health-port', '0', '--metrics-port', '0', '--webhook-port', '0'],
  { POD_NAME: 'mwop-dev-real' },
);
if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
const op = await runOperator(parsed.config, controllersFor, {
  log: createLogger({ level: process.env.MWOP_LOG_LEVEL ?? 'warn' }),
});

const instance: MiddlewareInstance = {
  apiVersion: 'mwop.dev/v1alpha1',
  kind: 'MiddlewareInstance',
  metadata: { name: NAME, namespace: NS },
  spec: {
    type: 'redis',
    pluginVersion: 'v1',
    middlewareVersion: real.images.redisVersion,
    replicas: 1,
    storage: { size: '1Gi' },
    config: { preset: 'small' },
  },
};
say(
  `• applying ${NS}/${NAME}: redis v1, Redis ${real.images.redisVersion} (${real.images.redis}, agent ${real.images.agent})`,
);
await serverSideApply(rest, instance as never, { force: true });
const path = resourcePath('mwop.dev/v1alpha1', 'MiddlewareInstance', { namespace: NS, name: NAME });
const started = Date.now();
let inst: MiddlewareInstance | undefined;
let shown = '';
while (
  inst?.status?.phase !== 'Running' &&
  inst?.status?.phase !== 'Failed' &&
  Date.now() - started < 600_000
) {
  inst = await rest.get<MiddlewareInstance>(path);
  const wf = inst.status?.operations?.current?.workflow;
  const line = `${inst.status?.phase ?? '(no status yet)'}${wf ? ` (workflow ${wf})` : ''}`;
  if (line !== shown) say(`  ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s  phase ${line}`);
  shown = line;
  await new Promise((r) => setTimeout(r, 250));
}
if (inst?.status?.phase !== 'Running') {
  say(`✗ ${NS}/${NAME} did not reach Running: ${JSON.stringify(inst?.status, null, 2)}`);
  await op.shutdown('failed');
  process.exit(1);
}
const svc = await rest.get<{ spec: { clusterIP: string } }>(
  resourcePath('v1', 'Service', { namespace: NS, name: inst.status.connection!.host.split('.')[0]! }),
);
const secret = inst.status.connection!.secretName;
const kubectl = `${real.binDir}/kubectl --kubeconfig ${real.kubeconfig}`;
const passwordCmd = `${kubectl} -n ${NS} get secret ${secret} -o jsonpath='{.data.password}' | base64 -d`;
const cli = `REDISCLI_AUTH="$(${passwordCmd})" redis-cli -h ${svc.spec.clusterIP} -p ${inst.status.connection!.port}`;
const check = execFileSync(
  'sh',
  ['-c', `${cli} set dev-real:hello "written at $(date -u +%FT%TZ)" >/dev/null && ${cli} get dev-real:hello`],
  { encoding: 'utf8' },
).trim();
say(`• Running after ${((Date.now() - started) / 1000).toFixed(1)} s; a key written and read back: ${check}`);
say('');
say('Connect from this host (the client Service through kube-proxy):');
say(`  ${cli}`);
say('');
say('What is real here: the pods are containers on this machine (containerd + runc), running');
say(`Debian's redis-server and mwop's hook agent (${real.images.agent}); Argo's controller and its`);
say('executor ran the create workflow in real pods; Services go through kube-proxy, names through CoreDNS.');
say('What is not: the images are built locally (hack/testenv/node/images.sh), not pulled; the redis');
say('type is a test-only copy of the shipped one mapped to them; `kubectl exec`/`logs` (and so');
say("`kubectl mw connect`'s command) do not work yet (docs/real-node.md); pods cannot leave this host.");
say(`export KUBECONFIG=${real.kubeconfig}`);
if (once) {
  await op.shutdown('--once');
  process.exit(0);
}
say('The operator keeps running; Ctrl-C stops it (make testenv-real-down stops the cluster).');
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void op.shutdown(signal));
process.exitCode = await op.done;
