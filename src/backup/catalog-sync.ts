// Creating the MiddlewareBackups a catalog read from S3 has and the cluster lacks: the CR first,
// then its status (phase Succeeded, path, size, sha256) through the status subresource, because a
// create ignores status. The CR carries the mwop.dev/synced-from annotation, so the backup
// reconciler never mistakes it, between the two writes, for a new backup to take.
import { API_VERSION } from '../api/index.ts';
import { isConflict } from '../kube/errors.ts';
import { resourcePath } from '../kube/gvr.ts';
import type { KubeRest } from '../kube/rest.ts';
import type { CatalogEntry } from './catalog.ts';

const MERGE = 'application/merge-patch+json';

/** Creates one backup from the catalog; false when it exists already (created meanwhile). */
export async function createFromCatalog(
  rest: KubeRest,
  entry: CatalogEntry,
  fieldManager: string,
): Promise<boolean> {
  const { status, ...obj } = entry.backup;
  const namespace = entry.metadata.namespace;
  try {
    await rest.post(resourcePath(API_VERSION, 'MiddlewareBackup', { namespace }), obj, {
      query: { fieldManager },
    });
  } catch (err) {
    if (isConflict(err)) return false;
    throw err;
  }
  if (status) {
    await rest.patch(
      `${resourcePath(API_VERSION, 'MiddlewareBackup', { namespace, name: entry.metadata.name })}/status`,
      { status },
      MERGE,
      { query: { fieldManager } },
    );
  }
  return true;
}

/** Which namespaces' backups a sync may create: the operator's watched ones, or all. Pure. */
export function syncableEntries(
  entries: readonly CatalogEntry[],
  namespaces: readonly string[],
): CatalogEntry[] {
  if (namespaces.length === 0) return [...entries];
  const allowed = new Set(namespaces);
  return entries.filter((e) => allowed.has(e.metadata.namespace));
}
