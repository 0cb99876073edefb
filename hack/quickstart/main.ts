// Writes docs/quickstart.md: a new user's first session, from nothing to a Running Redis, run for
// real on the `make dev` environment (simulated nodes, Argo's real workflow-controller) and
// recorded as it printed. The e2e suite runs it with --check, so the page cannot drift from what
// the CLI does (test/e2e/quickstart.test.ts).
//   node hack/quickstart/main.ts                      start a simulation cluster, write the page
//   node hack/quickstart/main.ts --kubeconfig FILE    use a running simulation cluster
//   ... --check                                       compare with docs/quickstart.md instead of writing
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { serverSideApply } from '../../src/kube/apply.ts';
import { isNotFound } from '../../src/kube/errors.ts';
import { KubeRest } from '../../src/kube/rest.ts';
import { installMwopInto, repoRoot } from '../dev/install.ts';
import { startNamespacedOperator } from '../dev/operator.ts';
import { startControlPlane } from '../testenv/cluster.ts';
import { normalize, renderPage, type TranscriptStep } from './transcript.ts';

export const PAGE = join(repoRoot, 'docs/quickstart.md');
const NAMESPACE = 'demo';

function run(kubeconfig: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(
      join(repoRoot, 'bin/kubectl-mw'),
      args,
      { env: { ...process.env, KUBECONFIG: kubeconfig, NO_COLOR: '1', COLUMNS: '100' }, maxBuffer: 8 << 20 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve(`${stdout}${stderr}${code ? `(exit status ${code})\n` : ''}`);
      },
    );
  });
}

export async function recordQuickstart(kubeconfig: string): Promise<TranscriptStep[]> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const rest = new KubeRest(kc);
  await installMwopInto(rest);
  // A new user's empty namespace: wait out one still being deleted by an earlier run.
  for (let i = 0; ; i++) {
    const ns = await rest
      .get<{ metadata: { deletionTimestamp?: string } }>(`/api/v1/namespaces/${NAMESPACE}`)
      .catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
    if (!ns?.metadata.deletionTimestamp) break;
    if (i >= 600) throw new Error(`namespace ${NAMESPACE} is still being deleted after 10 minutes`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  await serverSideApply(rest, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
  const operator = await startNamespacedOperator(kubeconfig, NAMESPACE);
  try {
    const steps: TranscriptStep[] = [];
    const step = async (explain: string, args: string[]) => {
      steps.push({ explain, command: `kubectl mw ${args.join(' ')}`, output: await run(kubeconfig, args) });
    };
    await step('See which middleware you can create, and their versions:', ['types']);
    await step('A typo gets a suggestion, not a stack trace:', ['create', 'redsi', 'cache', '-n', NAMESPACE]);
    await step(
      'Create a Redis with the defaults (newest plugin version, its default Redis version, the small preset), and follow the workflow:',
      ['create', 'redis', 'cache', '-n', NAMESPACE, '--wait'],
    );
    await step('It is listed with its phase and version:', ['list', '-n', NAMESPACE]);
    await step('How to connect (the password stays in its Secret unless you ask):', [
      'connect',
      'cache',
      '-n',
      NAMESPACE,
    ]);
    return steps;
  } finally {
    await operator.shutdown('quickstart recorded');
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { kubeconfig: { type: 'string' }, check: { type: 'boolean' } } });
  let kubeconfig = values.kubeconfig;
  let stop = async () => {};
  if (!kubeconfig) {
    const cp = await startControlPlane({
      runDir: join(repoRoot, 'hack/testenv/run/quickstart'),
      simulation: true,
      log: (l) => process.stderr.write(`testenv: ${l}\n`),
    });
    kubeconfig = cp.kubeconfigs.admin;
    stop = () => cp.stop();
  }
  try {
    const page = renderPage(await recordQuickstart(kubeconfig));
    if (values.check) {
      const current = readFileSync(PAGE, 'utf8');
      if (normalize(current) !== normalize(page)) {
        process.stderr.write(
          `docs/quickstart.md is stale; run: node hack/quickstart/main.ts\n--- now:\n${page}`,
        );
        return 1;
      }
      process.stderr.write('docs/quickstart.md matches what the CLI prints\n');
      return 0;
    }
    writeFileSync(PAGE, page);
    process.stderr.write(`wrote ${PAGE}\n`);
    return 0;
  } finally {
    await stop();
  }
}

if (import.meta.main) {
  main().then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`quickstart: ${err.stack ?? err.message}\n`);
      process.exit(1);
    },
  );
}
