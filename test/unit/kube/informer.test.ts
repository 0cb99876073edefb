// The informer's failure handling, against a small stand-in for the apiserver's list/watch
// protocol on loopback (unit test: the real apiserver runs in the integration project).
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { Informer } from '../../../src/kube/informer.ts';
import { KubeRest } from '../../../src/kube/rest.ts';

interface Fake {
  server: Server;
  rest: KubeRest;
  lists: number;
  watches: string[];
  /** What the next watch request does. */
  nextWatch: Array<(res: ServerResponse) => void>;
  items: KubernetesObject[];
  rv: number;
}

const cm = (name: string, rv: number): KubernetesObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'a', resourceVersion: String(rv) },
});

async function fakeApiserver(): Promise<Fake> {
  const fake = { lists: 0, watches: [] as string[], nextWatch: [], items: [], rv: 10 } as unknown as Fake;
  fake.server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.searchParams.get('watch')) {
      fake.watches.push(url.searchParams.get('resourceVersion') ?? '');
      const behave = fake.nextWatch.shift();
      res.writeHead(200, { 'content-type': 'application/json' });
      if (behave) behave(res);
      return; // no behaviour: a silent, stalled watch
    }
    fake.lists++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: 'ConfigMapList',
        metadata: { resourceVersion: String(fake.rv) },
        items: fake.items,
      }),
    );
  });
  await new Promise<void>((r) => fake.server.listen(0, '127.0.0.1', r));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'c',
        server: `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`,
        skipTLSVerify: true,
      },
    ],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  fake.rest = new KubeRest(kc);
  return fake;
}

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never: ${what}`);
}

let fake: Fake | undefined;
let informer: Informer<KubernetesObject> | undefined;
afterEach(async () => {
  await informer?.stop();
  fake?.server.closeAllConnections();
  await new Promise((r) => fake?.server.close(r));
});

describe('Informer', () => {
  it('lists, then applies watch events to the cache and the handlers', async () => {
    fake = await fakeApiserver();
    fake.items = [cm('one', 5)];
    fake.nextWatch.push((res) => {
      res.write(`${JSON.stringify({ type: 'ADDED', object: cm('two', 11) })}\n`);
      res.write(`${JSON.stringify({ type: 'MODIFIED', object: cm('one', 12) })}\n`);
      res.write(`${JSON.stringify({ type: 'DELETED', object: cm('two', 13) })}\n`);
      res.write(`${JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '14' } } })}\n`);
    });
    const seen: string[] = [];
    informer = new Informer({ rest: fake.rest, apiVersion: 'v1', kind: 'ConfigMap' });
    informer.on((type, obj) => seen.push(`${type} ${obj.metadata?.name}@${obj.metadata?.resourceVersion}`));
    await informer.start();
    await until('three events', () => seen.length === 4);
    expect(seen).toEqual(['add one@5', 'add two@11', 'update one@12', 'delete two@13']);
    expect(informer.list().map((o) => o.metadata?.name)).toEqual(['one']);
    expect(fake.watches[0]).toBe('10');
  });

  it('relists on 410 Gone and resumes the watch from the new resourceVersion', async () => {
    fake = await fakeApiserver();
    fake.nextWatch.push((res) => {
      res.end(
        `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, message: 'too old resource version' } })}\n`,
      );
    });
    informer = new Informer({ rest: fake.rest, apiVersion: 'v1', kind: 'ConfigMap' });
    await informer.start();
    fake.rv = 20;
    fake.items = [cm('late', 19)];
    await until('second list', () => (fake?.lists ?? 0) >= 2);
    await until('watch from 20', () => fake?.watches.includes('20') ?? false);
    expect(informer.get('a', 'late')?.metadata?.resourceVersion).toBe('19');
  });

  it('restarts a watch that stays silent past the watchdog, without an error', async () => {
    fake = await fakeApiserver();
    informer = new Informer({ rest: fake.rest, apiVersion: 'v1', kind: 'ConfigMap', watchdogMs: 50 });
    await informer.start();
    await until('three watches', () => (fake?.watches.length ?? 0) >= 3);
    expect(informer.stats.watchdogRestarts).toBeGreaterThanOrEqual(2);
    expect(informer.stats.errors).toBe(0);
  });

  it('backs off and retries after a failed watch, reporting the error', async () => {
    fake = await fakeApiserver();
    const errors: string[] = [];
    fake.nextWatch.push((res) => res.destroy());
    informer = new Informer({
      rest: fake.rest,
      apiVersion: 'v1',
      kind: 'ConfigMap',
      onError: (err, where) => errors.push(`${where}: ${(err as Error).message}`),
    });
    await informer.start();
    await until('a second watch after the failure', () => (fake?.watches.length ?? 0) >= 2);
    expect(informer.stats.errors).toBeGreaterThanOrEqual(1);
    expect(errors[0]).toMatch(/^ConfigMap list\/watch: /);
  });
});
