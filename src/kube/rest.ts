// A thin REST client over a KubeConfig: one place for auth, timeouts, error decoding and
// request counting (the idle-traffic benchmark reads the counter). The generated client-node APIs
// are fine for one-off calls; controllers need generic paths, subresources and server-side apply.
import { HttpMethod, type KubeConfig, RequestContext } from '@kubernetes/client-node';
import { fetch } from 'undici';
import { KubeApiError } from './errors.ts';

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** Deadline for the whole request; defaults to 30 s. Watches pass their own signal instead. */
  timeoutMs?: number;
}

export type RequestListener = (method: string, path: string, status: number) => void;

export class KubeRest {
  readonly kc: KubeConfig;
  private readonly server: string;
  private listeners: RequestListener[] = [];

  constructor(kc: KubeConfig) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster; pass --kubeconfig or --context');
    this.kc = kc;
    this.server = cluster.server.replace(/\/$/, '');
  }

  onRequest(listener: RequestListener): void {
    this.listeners.push(listener);
  }

  url(path: string, query: RequestOptions['query'] = {}): URL {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  /** Sends one request and returns the raw fetch response (status not checked). */
  async raw(method: string, path: string, opts: RequestOptions = {}) {
    const url = this.url(path, opts.query);
    const ctx = new RequestContext(url.toString(), method as HttpMethod);
    await this.kc.applySecurityAuthentication(ctx);
    const headers: Record<string, string> = { ...ctx.getHeaders(), accept: 'application/json' };
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      headers['content-type'] = opts.contentType ?? 'application/json';
    }
    const signal = opts.signal ?? AbortSignal.timeout(opts.timeoutMs ?? 30_000);
    const res = await fetch(url, {
      method,
      headers,
      body,
      signal,
      dispatcher: ctx.getDispatcher() as never,
    });
    for (const l of this.listeners) l(method, path, res.status);
    return res;
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.raw(method, path, opts);
    const text = await res.text();
    const parsed = text ? safeJson(text) : undefined;
    if (res.status >= 400) {
      const st = (parsed ?? {}) as { reason?: string; message?: string; details?: unknown };
      throw new KubeApiError(
        res.status,
        st.reason ?? res.statusText,
        st.message ?? `${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`,
        st.details,
      );
    }
    return parsed as T;
  }

  get<T>(path: string, opts?: RequestOptions) {
    return this.request<T>(HttpMethod.GET, path, opts);
  }
  post<T>(path: string, body: unknown, opts?: RequestOptions) {
    return this.request<T>(HttpMethod.POST, path, { ...opts, body });
  }
  put<T>(path: string, body: unknown, opts?: RequestOptions) {
    return this.request<T>(HttpMethod.PUT, path, { ...opts, body });
  }
  patch<T>(path: string, body: unknown, contentType: string, opts?: RequestOptions) {
    return this.request<T>(HttpMethod.PATCH, path, { ...opts, body, contentType });
  }
  delete<T>(path: string, opts?: RequestOptions) {
    return this.request<T>(HttpMethod.DELETE, path, opts);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
