// The metadata file written next to every backup's data:
//   <prefix>/<namespace>/<instance>/<backup>/metadata.json
//   <prefix>/<namespace>/<instance>/<backup>/<dataFile>
// It is written after the data, so a metadata.json means a complete artifact. It holds enough to
// rebuild the MiddlewareBackup CR (catalog sync) and to create a new instance from it (FR-026).
import {
  API_VERSION,
  type MiddlewareBackup,
  type MiddlewareInstance,
  type MiddlewareInstanceSpec,
} from '../api/index.ts';
import { FieldValueError } from './errors.ts';
import { objectKey } from './s3/client.ts';

export const METADATA_FILE = 'metadata.json';
export const METADATA_FORMAT_VERSION = 1;

export const LABEL_INSTANCE = 'mwop.dev/instance';
export const LABEL_TYPE = 'mwop.dev/type';
export const ANNOTATION_SYNCED_FROM = 'mwop.dev/synced-from';

export interface BackupMetadata {
  formatVersion: 1;
  /** MiddlewareBackup name. */
  name: string;
  namespace: string;
  /** MiddlewareInstance name. */
  instance: string;
  /** MiddlewareType name, e.g. redis. */
  type: string;
  pluginVersion: string;
  middlewareVersion: string;
  /** What the data is, e.g. redis-rdb or mysql-sql; a restore refuses a format its tool does not load. */
  format: string;
  /** Data object name, relative to the metadata's folder. */
  dataFile: string;
  /** Bytes in the data object. */
  size: number;
  /** Lower-case hex SHA-256 of the data object. */
  sha256: string;
  /** RFC 3339. */
  startTime: string;
  completionTime: string;
  /** The instance's spec at backup time. */
  instanceSpec: MiddlewareInstanceSpec;
}

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const SHA256 = /^[0-9a-f]{64}$/;
const FILE = /^[A-Za-z0-9._-]+$/;

/** The folder of one backup, under the storage prefix. */
export function backupFolder(
  prefix: string | undefined,
  namespace: string,
  instance: string,
  backup: string,
): string {
  return objectKey(prefix, namespace, instance, backup);
}

export function metadataKey(
  prefix: string | undefined,
  namespace: string,
  instance: string,
  backup: string,
): string {
  return objectKey(backupFolder(prefix, namespace, instance, backup), METADATA_FILE);
}

/** The data object's key, given the metadata object's key. */
export function dataKeyFor(metadataObjectKey: string, meta: Pick<BackupMetadata, 'dataFile'>): string {
  const folder = metadataObjectKey.slice(0, metadataObjectKey.length - METADATA_FILE.length);
  return `${folder}${meta.dataFile}`;
}

export function serializeMetadata(meta: BackupMetadata): string {
  return `${JSON.stringify(parseMetadata(meta, 'metadata'), null, 2)}\n`;
}

/**
 * Parses and validates a metadata document (the JSON text or the parsed value). `source` names it
 * in errors, e.g. "s3://bucket/prod/team-b/orders/orders-1/metadata.json".
 */
export function parseMetadata(input: unknown, source: string): BackupMetadata {
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch (err) {
      throw new FieldValueError(
        source,
        input.slice(0, 80),
        'a JSON object',
        `not JSON (${(err as Error).message})`,
      );
    }
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new FieldValueError(source, doc, 'a JSON object');
  }
  const o = doc as Record<string, unknown>;
  const at = (f: string) => `${source}: .${f}`;
  const str = (f: string, re?: RegExp, accepted = 'a non-empty string'): string => {
    const v = o[f];
    if (typeof v !== 'string' || v === '' || (re && !re.test(v)))
      throw new FieldValueError(at(f), v, accepted);
    return v;
  };
  const time = (f: string): string => {
    const v = str(f, undefined, 'an RFC 3339 time such as 2026-01-01T03:00:00Z');
    if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(Date.parse(v))) {
      throw new FieldValueError(at(f), v, 'an RFC 3339 time such as 2026-01-01T03:00:00Z');
    }
    return v;
  };

  if (o.formatVersion !== METADATA_FORMAT_VERSION) {
    throw new FieldValueError(at('formatVersion'), o.formatVersion, `${METADATA_FORMAT_VERSION}`);
  }
  const dns = 'a lower-case DNS name (a-z, 0-9, "-", ".")';
  const size = o.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new FieldValueError(at('size'), size, 'an integer >= 0 (bytes)');
  }
  const spec = o.instanceSpec;
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) {
    throw new FieldValueError(at('instanceSpec'), spec, 'the instance spec as an object');
  }
  const meta: BackupMetadata = {
    formatVersion: METADATA_FORMAT_VERSION,
    name: str('name', NAME, dns),
    namespace: str('namespace', NAME, dns),
    instance: str('instance', NAME, dns),
    type: str('type', NAME, dns),
    pluginVersion: str(
      'pluginVersion',
      /^v[0-9]+([.-][0-9A-Za-z]+)*$/,
      'a plugin version such as v1 or v1.2',
    ),
    middlewareVersion: str('middlewareVersion'),
    format: str('format', /^[a-z0-9-]+$/, 'a format name such as redis-rdb or mysql-sql'),
    dataFile: str('dataFile', FILE, 'a file name without "/" (letters, digits, ".", "_", "-")'),
    size,
    sha256: str('sha256', SHA256, '64 lower-case hex digits'),
    startTime: time('startTime'),
    completionTime: time('completionTime'),
    instanceSpec: spec as MiddlewareInstanceSpec,
  };
  if (meta.dataFile === METADATA_FILE) {
    throw new FieldValueError(at('dataFile'), meta.dataFile, `any file name other than ${METADATA_FILE}`);
  }
  if (Date.parse(meta.completionTime) < Date.parse(meta.startTime)) {
    throw new FieldValueError(
      at('completionTime'),
      meta.completionTime,
      `a time at or after startTime ${meta.startTime}`,
    );
  }
  if (
    spec &&
    typeof (spec as { type?: unknown }).type === 'string' &&
    (spec as { type: string }).type !== meta.type
  ) {
    throw new FieldValueError(
      at('instanceSpec.type'),
      (spec as { type: string }).type,
      `the backup's type ${meta.type}`,
    );
  }
  return meta;
}

export interface StorageLocation {
  /** BackupStorage name. */
  storage: string;
  bucket: string;
  /** Key of metadata.json. */
  metadataKey: string;
}

/** Rebuilds the MiddlewareBackup CR (with status) that a metadata file describes. Pure. */
export function backupFromMetadata(meta: BackupMetadata, where: StorageLocation): MiddlewareBackup {
  return {
    apiVersion: API_VERSION,
    kind: 'MiddlewareBackup',
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      labels: { [LABEL_INSTANCE]: meta.instance, [LABEL_TYPE]: meta.type },
      annotations: { [ANNOTATION_SYNCED_FROM]: `s3://${where.bucket}/${where.metadataKey}` },
    },
    spec: { instanceRef: { name: meta.instance }, storage: where.storage },
    status: {
      phase: 'Succeeded',
      message: `rebuilt from ${where.storage}:${where.metadataKey}`,
      storage: where.storage,
      bucket: where.bucket,
      path: dataKeyFor(where.metadataKey, meta),
      metadataPath: where.metadataKey,
      size: meta.size,
      sha256: meta.sha256,
      type: meta.type,
      pluginVersion: meta.pluginVersion,
      middlewareVersion: meta.middlewareVersion,
      startTime: meta.startTime,
      completionTime: meta.completionTime,
    },
  };
}

/**
 * A new MiddlewareInstance restored from a backup: the backed-up spec, restoreFrom pointing at
 * the metadata in S3 (so it works in a fresh cluster with no MiddlewareBackup CR). Pure.
 */
export function instanceFromMetadata(
  meta: BackupMetadata,
  where: StorageLocation,
  target: { name: string; namespace: string },
): MiddlewareInstance {
  const { restoreFrom: _dropped, ...spec } = meta.instanceSpec;
  return {
    apiVersion: API_VERSION,
    kind: 'MiddlewareInstance',
    metadata: { name: target.name, namespace: target.namespace },
    spec: {
      ...spec,
      type: meta.type,
      pluginVersion: meta.pluginVersion,
      middlewareVersion: meta.middlewareVersion,
      restoreFrom: { s3: { storage: where.storage, path: where.metadataKey } },
    },
  };
}

/**
 * Checks that a backup can be restored into an instance of `spec` (the instance's spec, or the
 * spec being admitted). Throws a FieldValueError on `field` naming the backup's type when the
 * types differ: a Redis RDB cannot be loaded into MySQL, whatever the versions.
 */
export function checkRestoreCompatibility(
  meta: Pick<BackupMetadata, 'name' | 'namespace' | 'type' | 'format'>,
  spec: Pick<MiddlewareInstanceSpec, 'type'>,
  field = 'spec.restoreFrom',
): void {
  if (meta.type !== spec.type) {
    throw new FieldValueError(
      field,
      `${meta.namespace}/${meta.name}`,
      `a backup of type ${spec.type} (this instance's spec.type)`,
      `backup ${meta.namespace}/${meta.name} is of type ${meta.type} (${meta.format})`,
    );
  }
}
