// The admission webhook over HTTPS. Every replica serves it (it needs no leadership). The TLS
// context can be swapped at run time, which is how certificates rotate without a restart.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Histogram, type Registry } from 'prom-client';
import { useCueWorkers } from '../config/cue-evaluator.ts';
import type { Logger } from '../log/logger.ts';
import { type AdmissionRequest, reviewResponse, type Validator } from './admission.ts';

const MAX_BODY = 3 * 1024 * 1024;

export interface WebhookServerOptions {
  port: number;
  host?: string;
  cert: { certPem: string; keyPem: string };
  /** Validators by kind, e.g. MiddlewareInstance. */
  validators: Record<string, Validator>;
  log: Logger;
  registry?: Registry;
  /** A validator that takes longer than this is answered with a denial naming the timeout. */
  deadlineMs?: number;
  /**
   * Worker threads for CUE evaluation (docs/webhook.md, Latency), each with its own CUE runtime
   * (50 to 85 MiB measured); 0 evaluates on the event loop. Default: MWOP_CUE_WORKERS, else 1.
   */
  cueWorkers?: number;
}

export interface WebhookServer {
  server: Server;
  port: number;
  rotate(cert: { certPem: string; keyPem: string }): void;
  close(): Promise<void>;
}

export async function startWebhookServer(opts: WebhookServerOptions): Promise<WebhookServer> {
  const latency = opts.registry
    ? ((opts.registry.getSingleMetric('mwop_webhook_duration_seconds') as
        | Histogram<'kind' | 'allowed'>
        | undefined) ??
      new Histogram({
        name: 'mwop_webhook_duration_seconds',
        help: 'Admission webhook latency by kind and verdict',
        labelNames: ['kind', 'allowed'],
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
        registers: [opts.registry],
      }))
    : undefined;
  const deadlineMs = opts.deadlineMs ?? 4_000;
  const cueWorkers = opts.cueWorkers ?? Number(process.env.MWOP_CUE_WORKERS ?? 1);
  // The workers load their CUE runtime now, not on the first request.
  void useCueWorkers(Number.isInteger(cueWorkers) && cueWorkers >= 0 ? cueWorkers : 1).warm();

  const server = createServer({ cert: opts.cert.certPem, key: opts.cert.keyPem }, (req, res) => {
    const started = process.hrtime.bigint();
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || !(req.url ?? '').startsWith('/validate')) {
      send(404, { error: 'POST an AdmissionReview to /validate' });
      return;
    }
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        send(413, { error: `request body over ${MAX_BODY} bytes` });
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      let review: { request?: AdmissionRequest };
      try {
        review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request?: AdmissionRequest };
      } catch {
        send(400, { error: 'body is not JSON' });
        return;
      }
      const request = review.request;
      if (!request?.uid || !request.kind?.kind) {
        send(400, { error: 'body is not an admission.k8s.io/v1 AdmissionReview with a request' });
        return;
      }
      const validator = opts.validators[request.kind.kind];
      const run = async () => {
        if (!validator) return { allowed: true as const };
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<{ allowed: false; message: string; code: number }>((resolve) => {
          timer = setTimeout(
            () =>
              resolve({
                allowed: false,
                code: 504,
                message: `mwop webhook: validation took longer than ${deadlineMs} ms`,
              }),
            deadlineMs,
          );
        });
        try {
          return await Promise.race([Promise.resolve(validator(request)), timeout]);
        } finally {
          clearTimeout(timer);
        }
      };
      run()
        .catch((err: Error) => {
          opts.log.error({ err: err.message, kind: request.kind.kind }, 'webhook validator crashed');
          return {
            allowed: false as const,
            code: 500,
            message: `mwop webhook: internal error: ${err.message}`,
          };
        })
        .then((verdict) => {
          send(200, reviewResponse(request.uid, verdict));
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          latency?.observe({ kind: request.kind.kind, allowed: String(verdict.allowed) }, seconds);
        });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    rotate(cert) {
      server.setSecureContext({ cert: cert.certPem, key: cert.keyPem });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
