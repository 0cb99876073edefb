// Runs an agent server on a free loopback port and calls it like a workflow step would.
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import type { HookResponse } from '../../../src/agent/contract.ts';
import type { Driver } from '../../../src/agent/driver.ts';
import { createAgentServer } from '../../../src/agent/server.ts';

export interface RunningAgent {
  url: string;
  call(
    path: string,
    body?: unknown,
    init?: { method?: string; headers?: Record<string, string>; raw?: string },
  ): Promise<{
    status: number;
    body: HookResponse;
  }>;
  close(): Promise<void>;
}

export async function startAgent(driver: Driver): Promise<RunningAgent> {
  const server = createAgentServer(driver, { log: () => {} });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    async call(path, body, init = {}) {
      const method = init.method ?? 'POST';
      const res = await fetch(url + path, {
        method,
        headers: { 'content-type': 'application/json', ...init.headers },
        ...(method === 'GET' ? {} : { body: init.raw ?? JSON.stringify(body ?? {}) }),
      });
      return { status: res.status, body: (await res.json()) as HookResponse };
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A TCP server that accepts connections and never answers: a hung middleware. */
export async function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export const base = (type: string) => ({ instance: 'cache', namespace: 'team-a', type });
