// make testenv-up / testenv-down / testenv-env: a long-lived local control plane for `make dev`
// and for poking at what the integration tests see.
//   node hack/testenv/cli.ts up   [--run-dir DIR] [--simulate]   start (or find running) and print
//                                  the exports; --simulate adds kwok's simulated nodes, Argo's
//                                  workflow-controller and the simulated executor (simulation/)
//   node hack/testenv/cli.ts env  [--run-dir DIR]   print the exports of the running one
//   node hack/testenv/cli.ts down [--run-dir DIR]   stop every process it started
// The exports go to stdout, so `eval "$(node hack/testenv/cli.ts up)"` works; progress goes to stderr.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ControlPlaneState, readState, startControlPlane, stopFromState, USERS } from './cluster.ts';

const defaultRunDir = join(dirname(fileURLToPath(import.meta.url)), 'run', 'dev');

function exportsOf(state: ControlPlaneState): string {
  const lines = [`export KUBECONFIG=${state.kubeconfigs.admin}`];
  for (const u of USERS)
    lines.push(`export MWOP_TESTENV_KUBECONFIG_${u.toUpperCase()}=${state.kubeconfigs[u]}`);
  lines.push(`export PATH=${state.binDir}:$PATH`);
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const i = rest.indexOf('--run-dir');
  const runDir: string = (i >= 0 ? rest[i + 1] : undefined) ?? defaultRunDir;
  const say = (s: string) => process.stderr.write(`testenv: ${s}\n`);
  switch (cmd) {
    case 'up': {
      let state = readState(runDir);
      if (state) {
        say(`already running (${state.server}, state ${join(runDir, 'state.json')})`);
      } else {
        // A previous run that died leaves a stale directory: stop what may be left, start afresh.
        await stopFromState(runDir);
        rmSync(runDir, { recursive: true, force: true });
        state = await startControlPlane({ runDir, log: say, simulation: rest.includes('--simulate') });
        say(`apiserver ready in ${state.apiserverReadyMs} ms; controllers ready in ${state.readyMs} ms`);
      }
      say(`kubeconfigs: ${USERS.map((u) => state.kubeconfigs[u]).join(' ')}`);
      say(`logs: ${runDir}/*.log; stop with make testenv-down`);
      process.stdout.write(`${exportsOf(state)}\n`);
      return 0;
    }
    case 'env': {
      const state = readState(runDir);
      if (!state) {
        say(`no control plane is running from ${runDir}; start it with make testenv-up`);
        return 1;
      }
      process.stdout.write(`${exportsOf(state)}\n`);
      return 0;
    }
    case 'down': {
      const stopped = await stopFromState(runDir);
      rmSync(runDir, { recursive: true, force: true });
      say(stopped ? `stopped; removed ${runDir}` : `nothing was running from ${runDir}`);
      return 0;
    }
    default:
      process.stderr.write('usage: node hack/testenv/cli.ts up|env|down [--run-dir DIR] [--simulate]\n');
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`testenv: ${process.env.MWOP_DEBUG ? err.stack : err.message}\n`);
    process.exit(1);
  },
);
