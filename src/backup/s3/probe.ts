// Probing a BackupStorage and saying exactly what failed. `classifyS3Error` is pure so every
// shape of failure (Node socket errors, TLS errors, S3 error codes) is unit-tested; `probeStorage`
// is the one network call, used by the BackupStorage controller and `kubectl mw storage check`.
import {
  DeleteObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { objectKey, type S3StorageConfig } from './client.ts';

export type ProbeFailureReason =
  | 'DNS'
  | 'TLS'
  | 'ConnectionRefused'
  | 'Timeout'
  | 'Network'
  | 'Auth'
  | 'AccessDenied'
  | 'NoSuchBucket'
  | 'WrongRegion'
  | 'Unknown';

export interface ProbeFailure {
  reason: ProbeFailureReason;
  /** A sentence for status.message: what failed, where, and what to check. */
  message: string;
  /** The underlying code (ENOTFOUND, SignatureDoesNotMatch, ...), for logs and tests. */
  code: string;
}

export type ProbeResult = { ok: true } | ({ ok: false } & ProbeFailure);

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_NODATA', 'EAI_FAIL']);
const REFUSED_CODES = new Set(['ECONNREFUSED']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'TimeoutError', 'RequestTimeout']);
const NETWORK_CODES = new Set(['ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED']);
const AUTH_CODES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
  'InvalidClientTokenId',
  'AuthorizationHeaderMalformed',
  // versitygw's answer (HTTP 404) for an access key it does not know, where AWS says InvalidAccessKeyId.
  'XAdminUserNotFound',
]);
const TLS_CODE_PATTERN = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|EPROTO|HOSTNAME_MISMATCH/i;

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number };
  errors?: unknown;
}

/** Every code found on an error, its cause chain and (for AggregateError) its members. */
function codesOf(err: unknown, depth = 0): string[] {
  if (!err || typeof err !== 'object' || depth > 5) return [];
  const e = err as ErrorLike;
  const out: string[] = [];
  for (const c of [e.code, e.Code, e.name]) if (typeof c === 'string' && c !== 'Error') out.push(c);
  if (e.cause) out.push(...codesOf(e.cause, depth + 1));
  if (Array.isArray(e.errors)) for (const inner of e.errors) out.push(...codesOf(inner, depth + 1));
  return out;
}

function statusOf(err: unknown): number | undefined {
  if (!err || typeof err !== 'object') return undefined;
  return (err as ErrorLike).$metadata?.httpStatusCode;
}

/** Classifies an error thrown by an S3 call against `endpoint`/`bucket`. Pure. */
export function classifyS3Error(err: unknown, endpoint: string, bucket: string): ProbeFailure {
  const codes = codesOf(err);
  const has = (set: Set<string>) => codes.find((c) => set.has(c));
  const raw = err instanceof Error ? err.message : String(err);
  let host = endpoint;
  try {
    host = new URL(endpoint).host;
  } catch {
    // keep the endpoint as given
  }

  const dns = has(DNS_CODES);
  if (dns) {
    return {
      reason: 'DNS',
      code: dns,
      message: `DNS: the host ${host} of endpoint ${endpoint} does not resolve (${dns})`,
    };
  }
  const refused = has(REFUSED_CODES);
  if (refused) {
    return {
      reason: 'ConnectionRefused',
      code: refused,
      message: `connection refused by ${host} (endpoint ${endpoint}): nothing listens there; check the port and that the S3 server runs`,
    };
  }
  const tls = codes.find((x) => TLS_CODE_PATTERN.test(x));
  if (tls) {
    return {
      reason: 'TLS',
      code: tls,
      message: `TLS: the handshake with ${host} failed (${tls}: ${raw}); check the endpoint scheme (http/https) and the server certificate`,
    };
  }
  const auth = has(AUTH_CODES);
  if (auth) {
    return {
      reason: 'Auth',
      code: auth,
      message: `auth: ${endpoint} rejected the credentials (${auth}); check the access key id and secret in the credentials Secret`,
    };
  }
  // HeadBucket has no body, so a missing bucket shows only as NotFound/404 there.
  if (
    codes.includes('NoSuchBucket') ||
    ((codes.includes('NotFound') || statusOf(err) === 404) && !codes.includes('NoSuchKey'))
  ) {
    return {
      reason: 'NoSuchBucket',
      code: 'NoSuchBucket',
      message: `bucket ${bucket} does not exist at ${endpoint}; create it or fix spec.bucket`,
    };
  }
  const region = codes.find((x) => x === 'PermanentRedirect' || x === 'IllegalLocationConstraintException');
  if (region) {
    return {
      reason: 'WrongRegion',
      code: region,
      message: `bucket ${bucket} is in another region than the one configured (${region}); fix spec.region`,
    };
  }
  if (codes.includes('AccessDenied') || codes.includes('Forbidden') || statusOf(err) === 403) {
    return {
      reason: 'AccessDenied',
      code: 'AccessDenied',
      message: `access denied to bucket ${bucket} at ${endpoint}: the credentials are valid but lack permission (list, put and delete objects are needed)`,
    };
  }
  const timeout = has(TIMEOUT_CODES);
  if (timeout) {
    return {
      reason: 'Timeout',
      code: timeout,
      message: `timed out talking to ${host} (endpoint ${endpoint})`,
    };
  }
  const network = has(NETWORK_CODES);
  if (network) {
    return {
      reason: 'Network',
      code: network,
      message: `network error talking to ${host} (${network}: ${raw})`,
    };
  }
  return {
    reason: 'Unknown',
    code: codes[0] ?? 'Unknown',
    message: `probe of ${endpoint} bucket ${bucket} failed: ${raw}`,
  };
}

/**
 * Probes the storage: lists one key under the prefix (needs reachability, valid credentials and
 * the bucket), and with `write` also puts and deletes a marker object (needs write permission).
 */
export async function probeStorage(
  client: S3Client,
  cfg: S3StorageConfig,
  opts: { write?: boolean } = {},
): Promise<ProbeResult> {
  try {
    const prefix = objectKey(cfg.prefix);
    await client.send(
      new ListObjectsV2Command({
        Bucket: cfg.bucket,
        MaxKeys: 1,
        ...(prefix ? { Prefix: `${prefix}/` } : {}),
      }),
    );
    if (opts.write) {
      const key = objectKey(cfg.prefix, '.mwop-probe');
      await client.send(new PutObjectCommand({ Bucket: cfg.bucket, Key: key, Body: 'ok' }));
      await client.send(new DeleteObjectCommand({ Bucket: cfg.bucket, Key: key }));
    }
    return { ok: true };
  } catch (err) {
    return { ok: false, ...classifyS3Error(err, cfg.endpoint, cfg.bucket) };
  }
}
