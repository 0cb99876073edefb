// Helpers for applying generated manifests to a real API server with server-side apply and
// dryRun=All: the server runs defaulting, validation, admission and RBAC escalation checks, and
// persists nothing.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { KubeApiError } from '../../../src/kube/errors.ts';
import type { KubeRest } from '../../../src/kube/rest.ts';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

const run = promisify(execFile);

/** `kubectl kustomize --load-restrictor LoadRestrictionsNone <dir>`, exactly as docs/install.md says. */
export async function kustomize(dir: string): Promise<Manifest[]> {
  let stdout: string;
  try {
    ({ stdout } = await run('kubectl', ['kustomize', '--load-restrictor', 'LoadRestrictionsNone', dir], {
      maxBuffer: 64 * 1024 * 1024,
    }));
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT')
      throw new Error('kubectl is not on PATH; it is needed to build the kustomizations');
    throw new Error(`kubectl kustomize ${dir} failed: ${e.stderr ?? e.message}`);
  }
  return parseAllDocuments(stdout)
    .map((d) => d.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

/** Resolves kinds through discovery, as kubectl does, so any kind the server serves can be applied. */
export class Discovery {
  private readonly cache = new Map<string, Promise<ApiResource[]>>();
  private readonly rest: KubeRest;
  constructor(rest: KubeRest) {
    this.rest = rest;
  }

  async path(m: Manifest): Promise<string> {
    const groupPath = m.apiVersion.includes('/') ? `/apis/${m.apiVersion}` : `/api/${m.apiVersion}`;
    let list = this.cache.get(groupPath);
    if (!list) {
      list = this.rest.get<{ resources: ApiResource[] }>(groupPath).then((r) => r.resources);
      this.cache.set(groupPath, list);
    }
    const res = (await list).find((r) => r.kind === m.kind && !r.name.includes('/'));
    if (!res) throw new Error(`the API server does not serve ${m.apiVersion} ${m.kind}`);
    const ns = res.namespaced ? `/namespaces/${m.metadata.namespace ?? 'default'}` : '';
    return `${groupPath}${ns}/${res.name}/${encodeURIComponent(m.metadata.name)}`;
  }
}

export interface ApplyFailure {
  object: string;
  status: number;
  message: string;
}

/** Server-side apply of each manifest; dryRun unless `persist` (used only for prerequisites). */
export async function serverSideApply(
  rest: KubeRest,
  discovery: Discovery,
  manifests: Manifest[],
  opts: { persist?: boolean; fieldManager?: string; timeoutMs?: number } = {},
): Promise<ApplyFailure[]> {
  const failures: ApplyFailure[] = [];
  for (const m of manifests) {
    const object = `${m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`;
    try {
      await rest.patch(await discovery.path(m), m, 'application/apply-patch+yaml', {
        // Argo's full CRDs are megabytes of schema; a loaded CI machine needs more than 30 s.
        timeoutMs: opts.timeoutMs ?? 120_000,
        query: {
          fieldManager: opts.fieldManager ?? 'mwop-install-test',
          force: true,
          ...(opts.persist ? {} : { dryRun: 'All' }),
        },
      });
    } catch (err) {
      failures.push({
        object,
        status: err instanceof KubeApiError ? err.statusCode : 0,
        message: (err as Error).message,
      });
    }
  }
  return failures;
}
