// A real webhook receiver on loopback for the notifier tests. Each request is recorded with its
// raw body; the handler decides the answer (or never answers, to play a hung receiver).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Resolves when the client gives up on (or finishes) this request. */
  closed: Promise<void>;
}

export type Handler = (req: Received, res: ServerResponse, index: number) => void;

export interface Receiver {
  url: string;
  requests: Received[];
  /** Resolves once at least n requests have arrived. */
  received(n: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(handler: Handler): Promise<Receiver> {
  const requests: Received[] = [];
  let waiters: Array<{ n: number; resolve: (r: Received[]) => void }> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    const closed = new Promise<void>((resolve) => res.on('close', () => resolve()));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: Received = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        closed,
      };
      requests.push(rec);
      handler(rec, res, requests.length - 1);
      const ready = waiters.filter((w) => requests.length >= w.n);
      waiters = waiters.filter((w) => requests.length < w.n);
      for (const w of ready) w.resolve([...requests]);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/mwop`,
    requests,
    received: (n) =>
      requests.length >= n
        ? Promise.resolve([...requests])
        : new Promise((resolve) => waiters.push({ n, resolve })),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const reply =
  (status: number, headers: Record<string, string> = {}): Handler =>
  (_req, res) => {
    res.writeHead(status, headers);
    res.end(status >= 400 ? 'no' : 'ok');
  };
