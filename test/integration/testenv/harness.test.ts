// make testenv-up / testenv-down (hack/testenv/cli.ts): a second control plane, started by a CLI
// that exits while the control plane keeps running, is usable through the printed KUBECONFIG, and
// `down` leaves none of its processes running.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { KubeConfig, VersionApi } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import type { ControlPlaneState } from '../../../hack/testenv/cluster.ts';

const run = promisify(execFile);
const cli = resolve(dirname(fileURLToPath(import.meta.url)), '../../../hack/testenv/cli.ts');
const runDir = mkdtempSync(join(tmpdir(), 'mwop-testenv-cli-'));

/** Running, and not a zombie waiting for its new parent to reap it. */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

afterAll(async () => {
  // Whatever the test did, take the second control plane down.
  await run(process.execPath, [cli, 'down', '--run-dir', runDir]);
  rmSync(runDir, { recursive: true, force: true });
});

describe('hack/testenv/cli.ts', () => {
  it('up prints the exports of a running control plane; down stops every process it started', async () => {
    const up = await run(process.execPath, [cli, 'up', '--run-dir', runDir], { encoding: 'utf8' });
    const exports = Object.fromEntries(
      up.stdout
        .trim()
        .split('\n')
        .map((l) => /^export ([A-Z_]+)=(.*)$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1], m[2]]),
    );
    expect(Object.keys(exports)).toEqual(
      expect.arrayContaining([
        'KUBECONFIG',
        'MWOP_TESTENV_KUBECONFIG_ADMIN',
        'MWOP_TESTENV_KUBECONFIG_ALICE',
        'MWOP_TESTENV_KUBECONFIG_BOB',
        'MWOP_TESTENV_KUBECONFIG_OPS',
        'PATH',
      ]),
    );
    const state = JSON.parse(readFileSync(join(runDir, 'state.json'), 'utf8')) as ControlPlaneState;
    expect(state.processes.map((p) => p.name)).toEqual([
      'etcd',
      'kube-apiserver',
      'kube-controller-manager',
      'kube-scheduler',
    ]);
    // The CLI has exited; the control plane it started still serves.
    const kc = new KubeConfig();
    kc.loadFromFile(exports.KUBECONFIG as string);
    expect((await kc.makeApiClient(VersionApi).getCode()).major).toBe('1');
    for (const p of state.processes) expect(alive(p.pid), p.name).toBe(true);

    await run(process.execPath, [cli, 'down', '--run-dir', runDir]);
    for (const p of state.processes) expect(alive(p.pid), `${p.name} (pid ${p.pid}) after down`).toBe(false);
  });
});
