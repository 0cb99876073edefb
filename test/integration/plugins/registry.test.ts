// The type registry against the real apiserver (hack/testenv): a MiddlewareType created while the
// registry runs is resolvable without a restart (SC-002; our goal is under 1 s, measured and
// logged here, not asserted), `kubectl mw types` lists it, and a published version cannot be
// edited or removed (FR-015: the CRD's CEL rule), while a new version can be added.
// The new type is deploy/plugins/elasticsearch.yaml under another name: YAML only (user story 2).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { API_VERSION, type MiddlewareType } from '../../../src/api/index.ts';
import { validateConfig } from '../../../src/config/index.ts';
import { KubeApiError } from '../../../src/kube/errors.ts';
import { resourcePath } from '../../../src/kube/gvr.ts';
import type { KubeRest } from '../../../src/kube/rest.ts';
import {
  diffPublishedVersions,
  type RunningTypeRegistry,
  startTypeRegistry,
} from '../../../src/plugins/index.ts';
import { eventually, testenv } from '../support/cluster.ts';
import { adminRest, installMwop } from '../support/install.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const NAME = `search-${randomBytes(3).toString('hex')}`;
const typePath = (name?: string) => resourcePath(API_VERSION, 'MiddlewareType', name ? { name } : {});

function newType(): MiddlewareType {
  const es = parse(readFileSync(join(root, 'deploy/plugins/elasticsearch.yaml'), 'utf8')) as MiddlewareType;
  return { ...es, metadata: { name: NAME } };
}

function mw(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(
      join(root, 'bin/kubectl-mw'),
      ['--kubeconfig', testenv().kubeconfigs.admin, ...args],
      { encoding: 'utf8' },
      (err, stdout, stderr) =>
        res({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function rejection(call: Promise<unknown>): Promise<KubeApiError> {
  try {
    await call;
  } catch (err) {
    if (err instanceof KubeApiError) return err;
    throw err;
  }
  throw new Error('the apiserver accepted the change; it should have refused it');
}

let rest: KubeRest;
let running: RunningTypeRegistry;

beforeAll(async () => {
  await installMwop();
  rest = adminRest();
  running = await startTypeRegistry(rest);
});

afterAll(async () => {
  await running?.stop();
  await rest?.delete(typePath(NAME)).catch(() => undefined);
});

describe('the live type registry', () => {
  it('has the shipped plugins after its first list', () => {
    expect(running.registry.names()).toEqual(
      expect.arrayContaining(['elasticsearch', 'kafka', 'mysql', 'redis']),
    );
    expect(running.registry.resolve('redis', 'v1').middleware.version).toBe('7.2.11');
  });

  it('resolves a type created while it runs, without a restart, and validates and renders for it', async () => {
    expect(() => running.registry.resolve(NAME, 'v1')).toThrow(`spec.type: unknown type ${NAME}`);
    const started = performance.now();
    await rest.post(typePath(), newType());
    const plugin = await eventually(
      `${NAME} resolvable from the registry`,
      async () => {
        try {
          return running.registry.resolve(NAME, 'v1');
        } catch {
          return undefined;
        }
      },
      { attempts: 3000, intervalMs: 5 },
    );
    const latencyMs = performance.now() - started;
    process.stdout.write(
      `registry pickup latency for a new MiddlewareType (create -> resolvable): ${latencyMs.toFixed(1)} ms\n`,
    );
    expect(plugin.middleware.image).toBe('docker.elastic.co/elasticsearch/elasticsearch:8.18.2');
    const config = await validateConfig(plugin, {
      apiVersion: 'mwop.dev/v1alpha1',
      kind: 'MiddlewareInstance',
      metadata: { name: 'logs', namespace: 'obs', uid: '2b7f1b7c-54f2-4c3c-9d2e-0f4b8cb8a001' },
      spec: {
        type: NAME,
        pluginVersion: 'v1',
        replicas: 3,
        storage: { size: '20Gi' },
        config: { preset: 'medium' },
      },
    });
    expect(config.ok && config.config.files['heap.options']).toContain('-Xmx4g');
  });

  it('is listed by kubectl mw types', async () => {
    const r = await mw(['types']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${NAME} +v1 +- +8\\.17\\.4, 8\\.18\\.2\\*$`, 'm'));
    expect(r.stdout).toMatch(/^redis +v2 +v1 +7\.4\.2, 7\.4\.6\*$/m);
  });

  it('refuses an edit of a published version, with a message that says why (FR-015)', async () => {
    const stored = await rest.get<MiddlewareType>(typePath(NAME));
    const edited = structuredClone(stored);
    edited.spec.versions[0]!.supportedVersions[0]!.image =
      'docker.elastic.co/elasticsearch/elasticsearch:8.17.5';
    const err = await rejection(rest.put(typePath(NAME), edited));
    expect(err.statusCode).toBe(422);
    expect(err.message).toContain(
      'published plugin versions are immutable (FR-015): add a new version instead of editing this one',
    );
    // The webhook's explanation of the same edit names the field.
    expect(diffPublishedVersions(stored, edited).violations).toEqual([
      'spec.versions[pluginVersion=v1]: published plugin versions are immutable (FR-015); changed: supportedVersions[version=8.17.4].image; accepted: the version exactly as published, with changes in a new plugin version',
    ]);
    // Nothing changed in the cluster or in the registry.
    expect(running.registry.resolve(NAME, 'v1', '8.17.4').middleware.image).toBe(
      'docker.elastic.co/elasticsearch/elasticsearch:8.17.4',
    );
  });

  it('refuses the removal of a published version', async () => {
    const removed = await rest.get<MiddlewareType>(typePath(NAME));
    removed.spec.versions = [
      { ...structuredClone(removed.spec.versions[0]!), pluginVersion: 'v2', upgradeFrom: ['v1'] },
    ];
    const err = await rejection(rest.put(typePath(NAME), removed));
    expect(err.statusCode).toBe(422);
    expect(err.message).toContain(
      'a published plugin version cannot be removed (FR-015); mark it deprecated instead',
    );
  });

  it('accepts a new version, which the registry serves and may upgrade to', async () => {
    const added = await rest.get<MiddlewareType>(typePath(NAME));
    added.spec.versions.push({
      ...structuredClone(newType().spec.versions[0]!),
      pluginVersion: 'v2',
      upgradeFrom: ['v1'],
    });
    await rest.put(typePath(NAME), added);
    const plugin = await eventually(`${NAME} v2 resolvable`, async () => {
      try {
        return running.registry.resolve(NAME, 'v2');
      } catch {
        return undefined;
      }
    });
    expect(plugin.version.upgradeFrom).toEqual(['v1']);
    expect(running.registry.canUpgrade(NAME, 'v1', 'v2')).toEqual({ ok: true });
  });

  it('serves a type in the older shape, stored by the real apiserver (TC-004)', async () => {
    const old = parse(
      readFileSync(join(root, 'test/unit/plugins/fixtures/old-shape.yaml'), 'utf8'),
    ) as MiddlewareType;
    const name = `old-${NAME}`;
    await rest.post(typePath(), { ...old, metadata: { name } });
    try {
      const plugin = await eventually(`${name} resolvable`, async () => {
        try {
          return running.registry.resolve(name, 'v1');
        } catch {
          return undefined;
        }
      });
      expect(plugin.middleware.version).toBe('1.6.31');
      expect(plugin.hookPort).toBe(8080);
    } finally {
      await rest.delete(typePath(name));
    }
  });

  it('forgets a deleted type', async () => {
    await rest.delete(typePath(NAME));
    await eventually(`${NAME} gone from the registry`, async () =>
      running.registry.get(NAME) ? undefined : true,
    );
    expect(() => running.registry.resolve(NAME, 'v1')).toThrow(`spec.type: unknown type ${NAME}`);
  });
});
