// One S3 client per BackupStorage. The config mirrors BackupStorage.spec plus the credentials
// read from its Secret, so the operator, the backup tool and the CLI build clients the same way.
import { Agent as HttpsAgent } from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import type { BackupStorageSpec } from '../../api/index.ts';
import { FieldValueError } from '../errors.ts';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface S3StorageConfig {
  endpoint: string;
  bucket: string;
  region?: string;
  /** Key prefix without a leading or trailing slash; "" for none. */
  prefix?: string;
  forcePathStyle?: boolean;
  insecureSkipTLSVerify?: boolean;
  credentials: S3Credentials;
}

/** Builds the config from a BackupStorage spec and the two values of its credentials Secret. */
export function storageConfigFromSpec(
  spec: BackupStorageSpec,
  credentials: S3Credentials,
  field = 'spec',
): S3StorageConfig {
  let url: URL;
  try {
    url = new URL(spec.endpoint);
  } catch {
    throw new FieldValueError(`${field}.endpoint`, spec.endpoint, 'an http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FieldValueError(`${field}.endpoint`, spec.endpoint, 'an http:// or https:// URL');
  }
  return {
    endpoint: spec.endpoint,
    bucket: spec.bucket,
    region: spec.region ?? 'us-east-1',
    prefix: normalizePrefix(spec.prefix ?? ''),
    forcePathStyle: spec.forcePathStyle ?? false,
    insecureSkipTLSVerify: spec.insecureSkipTLSVerify ?? false,
    credentials,
  };
}

export function normalizePrefix(prefix: string): string {
  return prefix.replace(/^\/+|\/+$/g, '');
}

/** Joins key parts under the storage prefix, without doubled or leading slashes. */
export function objectKey(prefix: string | undefined, ...parts: string[]): string {
  return [normalizePrefix(prefix ?? ''), ...parts.map(normalizePrefix)].filter((p) => p !== '').join('/');
}

export function createS3Client(cfg: S3StorageConfig): S3Client {
  const isHttps = cfg.endpoint.startsWith('https:');
  return new S3Client({
    endpoint: cfg.endpoint,
    region: cfg.region ?? 'us-east-1',
    forcePathStyle: cfg.forcePathStyle ?? false,
    credentials: cfg.credentials,
    // Probes must fail fast and say why; the tool's own retries are the SDK's standard ones.
    maxAttempts: 3,
    // Only compute/validate checksums where S3 requires them: many S3-compatible servers reject
    // or mishandle the newer CRC trailers, and we verify our own SHA-256 end to end anyway.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // The SDK accepts the handler's options directly, so no direct dependency on @smithy packages.
    requestHandler: {
      connectionTimeout: 10_000,
      ...(isHttps && cfg.insecureSkipTLSVerify
        ? { httpsAgent: new HttpsAgent({ rejectUnauthorized: false }) }
        : {}),
    },
  });
}
