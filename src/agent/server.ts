// The hook agent's HTTP server: node:http, no framework. It routes a path to the driver's
// handler, enforces the deadline, and turns every outcome into the contract's response shape.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  HOOKS,
  type HookName,
  type HookResponse,
  isRetryableStatus,
  STATUS,
  TIMEOUT_HEADER,
} from './contract.ts';
import type { Driver } from './driver.ts';
import { badRequest, HookError, timedOut } from './errors.ts';
import { parseHookRequest } from './request.ts';

export interface AgentServerOptions {
  /** Path overrides per hook, as a MiddlewareType's lifecycleHooks may declare. */
  paths?: Partial<Record<HookName, string>>;
  /** One JSON line per call; default writes to stdout. Pass () => {} to silence. */
  log?: (entry: Record<string, unknown>) => void;
  /** The MiddlewareType name requests must carry; default the driver's name. */
  servedType?: string;
  /** Largest accepted body, bytes. */
  maxBodyBytes?: number;
}

const MAX_TIMEOUT_SECONDS = 3600;

/** How long before the caller's deadline the agent answers 504 itself, so the answer arrives in time. */
export function answerWithinMs(timeoutSeconds: number): number {
  const total = timeoutSeconds * 1000;
  return total - Math.min(1000, total * 0.1);
}

export function timeoutFromHeader(value: string | string[] | undefined, fallbackSeconds: number): number {
  if (value === undefined) return fallbackSeconds;
  const raw = Array.isArray(value) ? value[0] : value;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > MAX_TIMEOUT_SECONDS) {
    throw badRequest(
      `header ${TIMEOUT_HEADER}: got ${JSON.stringify(raw)}, want seconds from 1 to ${MAX_TIMEOUT_SECONDS}`,
    );
  }
  return n;
}

function send(
  res: ServerResponse,
  status: number,
  body: HookResponse,
  extraHeaders: Record<string, string> = {},
) {
  if (res.headersSent || res.destroyed) return;
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...extraHeaders,
  });
  res.end(text);
}

function errorBody(err: HookError): HookResponse {
  return {
    ok: false,
    message: err.message,
    retryable: isRetryableStatus(err.status),
    reason: err.reason,
    ...(err.details ? { details: err.details } : {}),
  };
}

function readBody(req: IncomingMessage, limit: number, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onAbort = () => reject(timedOut('the request body did not arrive before the deadline'));
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(badRequest(`body: larger than ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      signal.removeEventListener('abort', onAbort);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/** Hooks that only read: they run side by side. Every other hook runs alone, in arrival order. */
const READ_ONLY_HOOKS: ReadonlySet<HookName> = new Set(['health', 'role']);

/** A FIFO lock: `acquire()` resolves with the release function once every earlier holder released. */
export function createLock(): () => Promise<() => void> {
  let tail: Promise<void> = Promise.resolve();
  return () => {
    let release!: () => void;
    const mine = new Promise<void>((r) => {
      release = r;
    });
    const before = tail;
    tail = before.then(() => mine);
    return before.then(() => release);
  };
}

export function createAgentServer(driver: Driver, options: AgentServerOptions = {}): Server {
  const acquire = createLock();
  const servedType = options.servedType ?? driver.type;
  const log = options.log ?? ((e) => process.stdout.write(`${JSON.stringify(e)}\n`));
  const maxBody = options.maxBodyBytes ?? 1 << 20;
  const routes = new Map<string, HookName>();
  for (const name of Object.keys(driver.hooks) as HookName[]) {
    routes.set(options.paths?.[name] ?? HOOKS[name].path, name);
  }
  const served = [...routes.keys()].sort().join(', ');

  return createServer((req, res) => {
    const started = Date.now();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const hook = routes.get(path);
    let status = 0;
    const finish = (code: number, body: HookResponse, headers?: Record<string, string>) => {
      status = code;
      send(res, code, body, headers);
      log({
        time: new Date().toISOString(),
        hook: hook ?? null,
        path,
        status: code,
        ms: Date.now() - started,
        message: body.message,
      });
    };

    if (hook === undefined) {
      finish(STATUS.notFound, {
        ok: false,
        message: `path ${path}: not a hook this ${servedType} agent serves; served: ${served}`,
        retryable: false,
        reason: 'NotFound',
      });
      req.resume();
      return;
    }
    const spec = HOOKS[hook];
    const method = (req.method ?? 'GET') as 'GET' | 'POST';
    if (!spec.methods.includes(method)) {
      finish(
        STATUS.methodNotAllowed,
        {
          ok: false,
          message: `method ${req.method} on ${path}: not allowed; accepted: ${spec.methods.join(', ')}`,
          retryable: false,
          reason: 'MethodNotAllowed',
        },
        { allow: spec.methods.join(', ') },
      );
      req.resume();
      return;
    }

    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    // The caller going away also ends the work: nothing would read the answer.
    res.on('close', () => {
      if (status === 0) abort.abort(new Error('caller closed the connection'));
    });

    const run = async () => {
      const seconds = timeoutFromHeader(req.headers[TIMEOUT_HEADER], spec.timeoutSeconds);
      const budget = answerWithinMs(seconds);
      const deadline = started + budget;
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const err = timedOut(`${hook} did not finish within its deadline of ${seconds}s`, {
            timeoutSeconds: seconds,
          });
          abort.abort(err);
          reject(err);
        }, budget);
      });
      const work = (async () => {
        const raw = await readBody(req, maxBody, abort.signal);
        const body = parseHookRequest(
          raw,
          servedType,
          method === 'GET' || hook === 'health' || hook === 'role',
        );
        if (READ_ONLY_HOOKS.has(hook)) return driver.hooks[hook]!(body, { deadline, signal: abort.signal });
        // Two changes at once (a switchover during an init) could interleave their steps.
        const release = await acquire();
        try {
          // The caller already has its 504 when the wait outlived the deadline: do nothing then.
          if (abort.signal.aborted)
            throw timedOut(`${hook} waited for an earlier hook call past its deadline`);
          return await driver.hooks[hook]!(body, { deadline, signal: abort.signal });
        } finally {
          release();
        }
      })();
      work.catch(() => {}); // a late failure after the deadline answer must not crash the agent
      return Promise.race([work, expired]);
    };

    run()
      .then((outcome) =>
        finish(STATUS.ok, {
          ok: true,
          message: outcome.message,
          retryable: false,
          ...(outcome.details ? { details: outcome.details } : {}),
        }),
      )
      .catch((err: unknown) => {
        if (err instanceof HookError) {
          finish(err.status, errorBody(err));
          return;
        }
        finish(STATUS.internal, {
          ok: false,
          message: `${hook} failed unexpectedly: ${(err as Error)?.message ?? String(err)}`,
          retryable: false,
          reason: 'Internal',
        });
      })
      .finally(() => {
        clearTimeout(timer);
        if (!abort.signal.aborted) abort.abort(new Error('hook finished'));
      });
  });
}
