// The backup and restore steps, independent of the middleware type: stream the dump to S3 with
// its SHA-256, then write metadata.json (its presence marks a complete backup); or read the
// metadata, check the type, download and verify, and only then load.
import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { MiddlewareInstanceSpec } from '../../api/index.ts';
import { FieldValueError } from '../errors.ts';
import {
  type BackupMetadata,
  backupFolder,
  checkRestoreCompatibility,
  dataKeyFor,
  METADATA_FORMAT_VERSION,
  metadataKey,
  parseMetadata,
  serializeMetadata,
} from '../metadata.ts';
import { objectKey, type S3StorageConfig } from '../s3/client.ts';
import { downloadVerified, getText, putText, uploadStream } from '../s3/transfer.ts';
import type { ToolDriver } from './driver.ts';

export interface BackupRequest<Source> {
  client: S3Client;
  storage: S3StorageConfig;
  namespace: string;
  instance: string;
  backup: string;
  pluginVersion: string;
  middlewareVersion: string;
  instanceSpec: MiddlewareInstanceSpec;
  driver: ToolDriver<Source, unknown>;
  source: Source;
  now?: () => Date;
  partSize?: number;
}

export interface BackupOutcome {
  metadata: BackupMetadata;
  metadataKey: string;
  dataKey: string;
}

export async function runBackup<Source>(req: BackupRequest<Source>): Promise<BackupOutcome> {
  const now = req.now ?? (() => new Date());
  const { client, storage, driver } = req;
  const startTime = now().toISOString();
  const dataKey = objectKey(
    backupFolder(storage.prefix, req.namespace, req.instance, req.backup),
    driver.dataFile,
  );
  const metaKey = metadataKey(storage.prefix, req.namespace, req.instance, req.backup);

  const producer = await driver.dump(req.source);
  let transferred: { size: number; sha256: string };
  try {
    transferred = await uploadStream(client, storage.bucket, dataKey, producer.stdout, {
      contentType: driver.contentType,
      beforeComplete: () => producer.exited,
      ...(req.partSize ? { partSize: req.partSize } : {}),
    });
  } catch (err) {
    producer.kill();
    // A single-part upload may have landed before the producer's failure was known.
    await client
      .send(new DeleteObjectCommand({ Bucket: storage.bucket, Key: dataKey }))
      .catch(() => undefined);
    throw err;
  } finally {
    await producer.cleanup();
  }

  const metadata: BackupMetadata = {
    formatVersion: METADATA_FORMAT_VERSION,
    name: req.backup,
    namespace: req.namespace,
    instance: req.instance,
    type: driver.type,
    pluginVersion: req.pluginVersion,
    middlewareVersion: req.middlewareVersion,
    format: driver.format,
    dataFile: driver.dataFile,
    size: transferred.size,
    sha256: transferred.sha256,
    startTime,
    completionTime: now().toISOString(),
    instanceSpec: req.instanceSpec,
  };
  // Written last: a metadata.json means the data object is complete.
  await putText(client, storage.bucket, metaKey, serializeMetadata(metadata));
  return { metadata, metadataKey: metaKey, dataKey };
}

export interface RestoreRequest<Target> {
  client: S3Client;
  storage: S3StorageConfig;
  /** Key of the backup's metadata.json (status.metadataPath, or restoreFrom.s3.path). */
  metadataKey: string;
  driver: ToolDriver<unknown, Target>;
  target: Target;
}

export async function runRestore<Target>(req: RestoreRequest<Target>): Promise<BackupMetadata> {
  const { client, storage, driver } = req;
  const source = `s3://${storage.bucket}/${req.metadataKey}`;
  const metadata = parseMetadata(await getText(client, storage.bucket, req.metadataKey), source);
  checkRestoreCompatibility(metadata, { type: driver.type });
  if (metadata.format !== driver.format) {
    throw new FieldValueError(`${source}: .format`, metadata.format, driver.format);
  }
  const dataKey = dataKeyFor(req.metadataKey, metadata);
  await driver.restore(req.target, (dest) =>
    downloadVerified(client, storage.bucket, dataKey, { size: metadata.size, sha256: metadata.sha256 }, dest),
  );
  return metadata;
}
