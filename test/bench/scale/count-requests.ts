// Preloaded into the operator process by the scale bench (`node --import <this> src/main.ts`):
// counts every request the operator's KubeRest sends, by verb and resource, and writes the
// counts to $MWOP_BENCH_COUNTS once a second. Every API call of the operator goes through
// KubeRest (src/kube/rest.ts), so this is the operator's own request count, with no other client
// mixed in (the apiserver's apiserver_request_total has no user label).
import { renameSync, writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { KubeRest } from '../../../src/kube/rest.ts';

const out = process.env.MWOP_BENCH_COUNTS;
const counts: Record<string, number> = {};

/** "GET /apis/mwop.dev/v1alpha1/namespaces/x/middlewareinstances/y/status" -> "GET middlewareinstances/status". */
export function classify(method: string, path: string, watch: boolean): string {
  const parts = path.split('?')[0]!.split('/').filter(Boolean);
  const base = parts[0] === 'api' ? 2 : 3; // api/v1/... or apis/group/version/...
  let rest = parts.slice(base);
  if (rest[0] === 'namespaces' && rest.length > 2) rest = rest.slice(2);
  const resource = rest[0] ?? '(root)';
  const sub = rest.length >= 3 ? `/${rest[2]}` : '';
  const verb = watch ? 'WATCH' : method === 'GET' && rest.length === 1 ? 'LIST' : method;
  return `${verb} ${resource}${sub}`;
}

const raw = KubeRest.prototype.raw;
KubeRest.prototype.raw = async function (this: KubeRest, method, path, opts = {}) {
  const key = classify(method, path, Boolean(opts.query?.watch));
  counts[key] = (counts[key] ?? 0) + 1;
  return raw.call(this, method, path, opts);
};

// --import runs in worker threads too (the CUE workers): only the main thread, where KubeRest
// lives, writes the file; a worker's empty counts overwrote it before.
if (out && isMainThread) {
  const flush = () => {
    try {
      // Renamed into place, so the bench never reads a half-written file.
      writeFileSync(`${out}.tmp`, JSON.stringify({ at: Date.now(), counts }));
      renameSync(`${out}.tmp`, out);
    } catch {
      // the bench reads what it finds
    }
  };
  setInterval(flush, 1000).unref();
  process.on('exit', flush);
}
