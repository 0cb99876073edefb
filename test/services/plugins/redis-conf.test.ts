// The redis.conf the redis plugin renders is a config a real redis-server starts with, and the
// server runs with the values we validated. Debian's redis-server (7.0) knows every key the plugin
// writes; the images run 7.2 and 7.4, which read the same keys.
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { InstanceConfig } from '../../../src/api/index.ts';
import { validateConfig } from '../../../src/config/index.ts';
import {
  type Daemon,
  freePort,
  makeTempDir,
  pollUntil,
  removeDir,
  requireBinary,
  startDaemon,
  tail,
} from '../../support/process.ts';
import { instanceOf, loadPlugin } from '../../unit/config/support.ts';

const NOFILE = Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** Starts redis-server on the rendered redis.conf; only where it listens and writes is changed. */
async function startWith(
  config: InstanceConfig,
): Promise<{ client: Redis; values: Record<string, unknown> }> {
  const r = await validateConfig(loadPlugin('redis', 'v1'), instanceOf('redis', config));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const dir = await makeTempDir('redis-conf');
  const conf = join(dir, 'redis.conf');
  const rendered = r.config.files['redis.conf']!;
  // The file names the pod's data mount; here the data goes to the temp dir.
  expect(rendered).toContain('\ndir /data\n');
  await writeFile(conf, rendered.replace('\ndir /data\n', `\ndir ${dir}\n`));
  const port = await freePort();
  const log = join(dir, 'redis.log');
  const daemon: Daemon = startDaemon(
    requireBinary('redis-server'),
    [
      conf,
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--logfile',
      log,
      '--requirepass',
      'pw',
    ],
    log,
  );
  cleanup.push(async () => {
    await daemon.stop();
    await removeDir(dir);
  });
  const client = new Redis({
    host: '127.0.0.1',
    port,
    password: 'pw',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
  });
  // Refused connections while the server starts are expected; pollUntil retries them.
  client.on('error', () => {});
  cleanup.push(async () => void client.disconnect());
  await Promise.race([
    pollUntil(
      'redis-server answers PING with the rendered redis.conf',
      async () => {
        try {
          if (client.status !== 'ready') await client.connect();
          return (await client.ping()) === 'PONG';
        } catch {
          return false;
        }
      },
      { diagnostics: () => tail(log) },
    ),
    daemon.exited.then(async () => {
      throw new Error(`redis-server refused the rendered redis.conf:\n${await tail(log)}`);
    }),
  ]);
  return { client, values: r.config.values };
}

async function configGet(client: Redis, key: string): Promise<string> {
  const [, value] = (await client.config('GET', key)) as [string, string];
  return value;
}

describe('redis.conf rendered by the redis plugin', () => {
  it.each(['small', 'medium', 'large'])(
    'starts redis-server with preset %s and its values',
    async (preset) => {
      const { client, values } = await startWith({ preset });
      expect(await configGet(client, 'maxmemory-policy')).toBe(values['maxmemory-policy']);
      // Redis caps maxclients at the open-file limit minus 32 (pods usually have 1048576 files).
      expect(Number(await configGet(client, 'maxclients'))).toBe(
        Math.min(Number(values.maxclients), NOFILE - 32),
      );
      expect(await configGet(client, 'appendonly')).toBe('yes');
      expect(await configGet(client, 'io-threads')).toBe(String(values['io-threads']));
      expect(await configGet(client, 'repl-diskless-sync-delay')).toBe('0');
    },
  );

  it('runs with overrides: snapshots off, no AOF, keyspace events, bytes in gb', async () => {
    const { client } = await startWith({
      preset: 'small',
      overrides: { save: '', appendonly: false, 'notify-keyspace-events': 'Ex', maxmemory: '1gb', hz: 25 },
    });
    expect(await configGet(client, 'save')).toBe('');
    expect(await configGet(client, 'appendonly')).toBe('no');
    expect(await configGet(client, 'notify-keyspace-events')).toBe('xE');
    expect(await configGet(client, 'maxmemory')).toBe(String(1024 ** 3));
    expect(await configGet(client, 'hz')).toBe('25');
  });
});
