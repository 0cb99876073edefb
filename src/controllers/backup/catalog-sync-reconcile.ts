// The operator's periodic catalog sync (--backup-catalog-sync-interval): per BackupStorage, read
// every metadata.json under its prefix and create the MiddlewareBackups that are missing in the
// namespaces the operator watches, then come back after the interval (on the injected clock).
// A backup CR deleted by hand while its objects stay in S3 comes back: delete backups with
// `kubectl mw backup prune` or retention, which remove the objects first.
import type { BackupStorage, MiddlewareBackup } from '../../api/index.ts';
import { missingBackups, readCatalog } from '../../backup/catalog.ts';
import { createFromCatalog, syncableEntries } from '../../backup/catalog-sync.ts';
import { createS3Client } from '../../backup/s3/client.ts';
import { isNotFound } from '../../kube/errors.ts';
import type { EventRecorder } from '../../kube/events.ts';
import type { Cache } from '../../kube/informer.ts';
import type { KubeRest } from '../../kube/rest.ts';
import type { Logger } from '../../log/logger.ts';
import { operatorS3Config } from './storage-access.ts';

export interface CatalogSyncOptions {
  rest: KubeRest;
  storages: Cache<BackupStorage>;
  backups: Cache<MiddlewareBackup>;
  events: EventRecorder;
  log: Logger;
  /** Watched namespaces; empty: all. */
  namespaces: string[];
  intervalMs: number;
}

export class CatalogSyncReconciler {
  private readonly o: CatalogSyncOptions;

  constructor(opts: CatalogSyncOptions) {
    this.o = opts;
  }

  async reconcile(key: string): Promise<{ requeueAfterMs?: number } | undefined> {
    const name = key.includes('/') ? key.slice(key.indexOf('/') + 1) : key;
    const storage = this.o.storages.get(undefined, name);
    if (!storage || storage.metadata.deletionTimestamp) return undefined;
    const again = { requeueAfterMs: this.o.intervalMs };
    let client: ReturnType<typeof createS3Client> | undefined;
    try {
      const cfg = await operatorS3Config(this.o.rest, storage);
      client = createS3Client(cfg);
      const filters =
        this.o.namespaces.length > 0 ? this.o.namespaces.map((namespace) => ({ namespace })) : [{}];
      let created = 0;
      for (const filter of filters) {
        const catalog = await readCatalog(client, cfg, name, filter);
        const existing = this.o.backups
          .list()
          .map((b) => ({ namespace: b.metadata.namespace, name: b.metadata.name }));
        const missing = missingBackups(syncableEntries(catalog.entries, this.o.namespaces), existing);
        for (const entry of missing) {
          try {
            if (await createFromCatalog(this.o.rest, entry, 'mwop-operator')) created++;
          } catch (err) {
            // A namespace that no longer exists, for example: the other backups still sync.
            if (!isNotFound(err)) throw err;
            this.o.log.info(
              { storage: name, backup: `${entry.metadata.namespace}/${entry.metadata.name}` },
              'catalog sync: namespace missing; skipped',
            );
          }
        }
        for (const p of catalog.problems) {
          this.o.log.warn({ storage: name, key: p.metadataKey, err: p.message }, 'catalog sync: skipped');
        }
      }
      if (created > 0) {
        this.o.events.record(
          storage,
          'Normal',
          'CatalogSynced',
          `created ${created} MiddlewareBackup${created === 1 ? '' : 's'} from the metadata in s3://${cfg.bucket}`,
        );
      }
    } catch (err) {
      this.o.events.record(storage, 'Warning', 'CatalogSyncFailed', (err as Error).message);
    } finally {
      client?.destroy();
    }
    return again;
  }
}
