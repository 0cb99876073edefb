// create's local config check runs the plugin's own CUE (src/config), exactly as the webhook and
// the operator do; here with the real redis and kafka plugins from deploy/plugins.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { MiddlewareType } from '../../../src/api/index.ts';
import { catalogKeysOf, validateConfigLocally } from '../../../src/cli/commands/create.ts';
import { flatDottedKeys } from '../../../src/cli/config-keys.ts';
import { planCreate } from '../../../src/cli/create-plan.ts';
import { CliError } from '../../../src/cli/errors.ts';
import { parseSetValues } from '../../../src/cli/set-values.ts';

const plugin = (name: string) =>
  parse(
    readFileSync(new URL(`../../../deploy/plugins/${name}.yaml`, import.meta.url), 'utf8'),
  ) as MiddlewareType;

async function create(type: MiddlewareType, set: string[]) {
  const version = type.spec.versions.find((v) => v.pluginVersion === 'v1') ?? type.spec.versions[0]!;
  const configKeys = await catalogKeysOf(type.metadata.name!, version);
  const plan = planCreate(type, {
    name: 'x',
    namespace: 'team-a',
    pluginVersion: version.pluginVersion,
    set: parseSetValues(set, flatDottedKeys(configKeys)),
    configKeys,
  });
  await validateConfigLocally(type, plan.instance);
  return plan.instance;
}

async function failure(type: MiddlewareType, set: string[]): Promise<CliError> {
  try {
    await create(type, set);
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    return err as CliError;
  }
  throw new Error('expected the config to be rejected');
}

describe('create validates the config with the plugin CUE before sending', () => {
  it('accepts good values', async () => {
    const i = await create(plugin('redis'), [
      'maxmemory=512mb',
      'maxmemory-policy=allkeys-lru',
      'databases=32',
    ]);
    expect(i.spec.config?.overrides).toEqual({
      maxmemory: '512mb',
      'maxmemory-policy': 'allkeys-lru',
      databases: 32,
    });
  }, 60_000);

  it('names the key, the value and what is accepted for each bad value', async () => {
    const err = await failure(plugin('redis'), ['maxmemory-policy=lru', 'databases=2000']);
    expect(err.message).toBe(
      [
        'the config would be invalid:',
        '  --set maxmemory-policy: expected one of "noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl" (got "lru")',
        '  --set databases: out of range: expected an integer from 1 to 1024 (got 2000)',
      ].join('\n'),
    );
    expect(err.hint).toBe('fix the --set values named above; each line says what is accepted');
  }, 60_000);

  it('names the allowed keys, from the CUE catalog, for an unknown key', async () => {
    const err = await failure(plugin('redis'), ['maxmemroy=1gb']);
    expect(err.message).toBe('--set maxmemroy: not a config key of redis plugin v1');
    expect(err.hint).toMatch(
      /^use one of: appendfsync, appendonly, .*maxmemory, maxmemory-policy, .*timeout$/,
    );
  }, 60_000);

  it("keeps Kafka's dotted keys whole", async () => {
    const i = await create(plugin('kafka'), ['log.retention.hours=48']);
    expect(i.spec.config?.overrides).toEqual({ 'log.retention.hours': 48 });
  }, 60_000);
});
