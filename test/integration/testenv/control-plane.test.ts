// The control plane is the real upstream build: /version reports the release pinned in
// hack/testenv/kube/go.mod (the ldflags are set), and so does the kubectl the tests use.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VersionApi } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { kubeConfig, kubectl, testenv } from '../support/cluster.ts';

const goMod = readFileSync(
  resolve(dirname(fileURLToPath(import.meta.url)), '../../../hack/testenv/kube/go.mod'),
  'utf8',
);
const pinned = /^\s*k8s\.io\/kubernetes (v\d+\.\d+\.\d+)/m.exec(goMod)?.[1];

describe('the testenv control plane', () => {
  it('serves on loopback with its own CA', () => {
    expect(testenv().server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('exposes the kubeconfigs and the built binaries through the environment too', () => {
    const env = testenv();
    for (const user of ['admin', 'alice', 'bob', 'ops'] as const) {
      expect(process.env[`MWOP_TESTENV_KUBECONFIG_${user.toUpperCase()}`]).toBe(env.kubeconfigs[user]);
    }
    expect(process.env.PATH?.split(':')[0]).toBe(env.binDir);
  });

  it('reports the pinned Kubernetes release on /version', async () => {
    expect(pinned).toBeDefined();
    const v = await kubeConfig('admin').makeApiClient(VersionApi).getCode();
    expect(v.gitVersion).toBe(pinned);
    expect(v.major).toBe('1');
    expect(`v1.${v.minor}`).toBe(pinned?.split('.').slice(0, 2).join('.'));
  });

  it('tests get the kubectl built from the same release', async () => {
    const r = await kubectl('admin', ['version', '--client', '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).clientVersion.gitVersion).toBe(pinned);
  });
});
