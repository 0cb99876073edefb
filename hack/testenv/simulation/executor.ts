// The simulated executor of the testenv's simulation mode: it does, for workflow steps on kwok's
// simulated nodes, what argoexec would do in real pods (workflow-pods.ts for step pods,
// taskset-agent.ts for HTTP steps). Started by hack/testenv/cluster.ts as its own process:
//   node hack/testenv/simulation/executor.ts --kubeconfig FILE --kubectl PATH [--bin-dir DIR]...
// It polls (every 300 ms) rather than watches: a handful of list calls, and nothing to resume.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { connect, type Obj } from './kube.ts';
import { answerTaskSet } from './taskset-agent.ts';
import { executeStepPod, isStepPod } from './workflow-pods.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: 'string' },
      kubectl: { type: 'string' },
      'bin-dir': { type: 'string', multiple: true },
      'interval-ms': { type: 'string', default: '300' },
    },
  });
  if (!values.kubeconfig || !values.kubectl) {
    throw new Error('usage: executor.ts --kubeconfig FILE --kubectl PATH [--bin-dir DIR]...');
  }
  const kube = connect(values.kubeconfig, values.kubectl);
  const binDirs = values['bin-dir'] ?? [join(repoRoot, 'bin')];
  const interval = Number(values['interval-ms']);
  const inFlight = new Set<string>();
  const taskSetsBusy = new Set<string>();
  let stopping = false;
  process.once('SIGTERM', () => {
    stopping = true;
  });
  log(`simulated executor started (bin dirs: ${binDirs.join(', ')})`);

  while (!stopping) {
    try {
      const pods = await kube.list('/api/v1/pods', 'workflows.argoproj.io/workflow');
      for (const pod of pods.filter(isStepPod)) {
        const key = pod.metadata.uid as string;
        if (inFlight.has(key)) continue;
        inFlight.add(key);
        // A hanging step stays in inFlight for good; the pod's uid never comes back.
        void executeStepPod(kube, pod, binDirs, log);
      }
      const taskSets = await kube.list('/apis/argoproj.io/v1alpha1/workflowtasksets');
      for (const ts of taskSets) {
        const key = `${ts.metadata.namespace}/${ts.metadata.name}`;
        if (taskSetsBusy.has(key)) continue;
        taskSetsBusy.add(key);
        void answerTaskSet(kube, ts as Obj, log)
          .catch((err: Error) => log(`task set ${key}: ${err.message}`))
          .finally(() => taskSetsBusy.delete(key));
      }
    } catch (err) {
      log(`poll failed: ${(err as Error).message}`);
    }
    await new Promise((res) => setTimeout(res, interval));
  }
  log('stopped');
}

main().catch((err: Error) => {
  log(`fatal: ${err.message}`);
  process.exit(1);
});
