// The backup catalog, read from S3 alone: every metadata.json under the storage prefix.
// `kubectl mw backup sync` and the operator's periodic sync rebuild missing MiddlewareBackup CRs
// from it, so a fresh cluster can restore from a bucket with nothing else.
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { MiddlewareBackup } from '../api/index.ts';
import { type BackupMetadata, backupFromMetadata, METADATA_FILE, parseMetadata } from './metadata.ts';
import { objectKey, type S3StorageConfig } from './s3/client.ts';
import { getText } from './s3/transfer.ts';

export interface CatalogEntry {
  metadataKey: string;
  metadata: BackupMetadata;
  /** The CR this backup corresponds to (with status). */
  backup: MiddlewareBackup;
}

export interface CatalogProblem {
  metadataKey: string;
  message: string;
}

export interface Catalog {
  entries: CatalogEntry[];
  /** metadata.json files that could not be read or are invalid; reported, never fatal. */
  problems: CatalogProblem[];
}

export interface CatalogFilter {
  namespace?: string;
  instance?: string;
}

/** Reads and validates one backup's metadata.json (status.metadataPath or restoreFrom.s3.path). */
export async function readMetadata(client: S3Client, bucket: string, key: string): Promise<BackupMetadata> {
  return parseMetadata(await getText(client, bucket, key), `s3://${bucket}/${key}`);
}

/** Lists every metadata.json key under prefix[/namespace[/instance]], following pagination. */
export async function listMetadataKeys(
  client: S3Client,
  cfg: S3StorageConfig,
  filter: CatalogFilter = {},
): Promise<string[]> {
  const base = objectKey(
    cfg.prefix,
    ...(filter.namespace ? [filter.namespace] : []),
    ...(filter.namespace && filter.instance ? [filter.instance] : []),
  );
  const depth = 4 - (filter.namespace ? 1 : 0) - (filter.namespace && filter.instance ? 1 : 0);
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const res = await client.send(
      new ListObjectsV2Command({
        Bucket: cfg.bucket,
        ...(base ? { Prefix: `${base}/` } : {}),
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    for (const o of res.Contents ?? []) {
      if (!o.Key) continue;
      const rest = base ? o.Key.slice(base.length + 1) : o.Key;
      const parts = rest.split('/');
      // <namespace>/<instance>/<backup>/metadata.json below the prefix, nothing else.
      if (parts.length === depth && parts[depth - 1] === METADATA_FILE) keys.push(o.Key);
    }
    token = res.IsTruncated ? res.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

/** Reads and validates every metadata file; returns entries sorted by namespace, then name. */
export async function readCatalog(
  client: S3Client,
  cfg: S3StorageConfig,
  storageName: string,
  filter: CatalogFilter = {},
  concurrency = 8,
): Promise<Catalog> {
  const keys = await listMetadataKeys(client, cfg, filter);
  const entries: CatalogEntry[] = [];
  const problems: CatalogProblem[] = [];
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++] as string;
      const source = `s3://${cfg.bucket}/${key}`;
      try {
        const metadata = parseMetadata(await getText(client, cfg.bucket, key), source);
        const expected = key.split('/').slice(-4, -1);
        const actual = [metadata.namespace, metadata.instance, metadata.name];
        if (expected.join('/') !== actual.join('/')) {
          throw new Error(
            `${source}: names namespace/instance/backup ${actual.join('/')} but lies under ${expected.join('/')}; accepted: a metadata file in its own backup's folder`,
          );
        }
        entries.push({
          metadataKey: key,
          metadata,
          backup: backupFromMetadata(metadata, {
            storage: storageName,
            bucket: cfg.bucket,
            metadataKey: key,
          }),
        });
      } catch (err) {
        problems.push({ metadataKey: key, message: (err as Error).message });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, keys.length)) }, worker));
  entries.sort(
    (a, b) => cmp(a.metadata.namespace, b.metadata.namespace) || cmp(a.metadata.name, b.metadata.name),
  );
  problems.sort((a, b) => cmp(a.metadataKey, b.metadataKey));
  return { entries, problems };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The catalog entries with no CR yet (by namespace/name): what a sync creates. Pure. */
export function missingBackups(
  catalog: readonly CatalogEntry[],
  existing: readonly { namespace?: string; name?: string }[],
): CatalogEntry[] {
  const have = new Set(existing.map((b) => `${b.namespace ?? ''}/${b.name ?? ''}`));
  return catalog.filter((e) => !have.has(`${e.metadata.namespace}/${e.metadata.name}`));
}
