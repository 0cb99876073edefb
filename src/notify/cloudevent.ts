// Operation and backup events as CloudEvents 1.0, structured JSON mode. Pure.
//
// The data is built field by field from a closed list, never by spreading an object the caller
// handed in, so that nothing from a Secret (or any other field) can ride along by accident.
import { createHash, createHmac } from 'node:crypto';
import type { NotificationEventName } from './config.ts';

export const CLOUDEVENT_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';
export const SIGNATURE_HEADER = 'X-Mwop-Signature';
export const TYPE_PREFIX = 'dev.mwop.';

export type NotificationKind = 'operation' | 'backup';
export type NotificationPhase = 'started' | 'succeeded' | 'failed';
export type ObjectKind = 'MiddlewareOperation' | 'MiddlewareBackup' | 'MiddlewareInstance';

/** What a controller reports. Only these fields reach a receiver. */
export interface NotificationEvent {
  kind: NotificationKind;
  phase: NotificationPhase;
  namespace: string;
  /** The object the event is about (see objectKind). */
  name: string;
  /**
   * Defaults to MiddlewareOperation or MiddlewareBackup by kind. MiddlewareInstance for the
   * orchestrated changes (create, scale, upgrade, ...) that have no MiddlewareOperation object.
   */
  objectKind?: ObjectKind;
  /** metadata.uid; makes the CloudEvent id unique across a delete and re-create of the same name. */
  uid?: string;
  instance?: string;
  /** Operation type, e.g. Restore, ScaleOut, Upgrade. */
  operation?: string;
  /** The Argo Workflow that runs it. */
  workflow?: string;
  /** Failure or progress message (already free of secret material: it is what status shows). */
  message?: string;
  /** Backups: where it was stored and what it weighs. */
  backup?: { storage?: string; location?: string; sizeBytes?: number; sha256?: string };
  /** When it happened; defaults to when the event was built. */
  time?: Date;
}

export interface CloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: Record<string, unknown>;
}

export function eventName(ev: Pick<NotificationEvent, 'kind' | 'phase'>): NotificationEventName {
  return `${ev.kind}.${ev.phase}` as NotificationEventName;
}

const RESOURCE: Record<ObjectKind, string> = {
  MiddlewareOperation: 'middlewareoperations',
  MiddlewareBackup: 'middlewarebackups',
  MiddlewareInstance: 'middlewareinstances',
};
const OBJECT_KINDS = Object.keys(RESOURCE) as ObjectKind[];

const MAX_MESSAGE = 2048;

/**
 * The id is a hash of what the event is about, not random: a restarted operator that reports
 * the same transition again sends the same id, and CloudEvents receivers dedupe on (source, id).
 */
export function toCloudEvent(ev: NotificationEvent, opts: { source: string; now?: Date }): CloudEvent {
  const type = `${TYPE_PREFIX}${eventName(ev)}`;
  const objectKind: ObjectKind =
    ev.objectKind && OBJECT_KINDS.includes(ev.objectKind)
      ? ev.objectKind
      : ev.kind === 'operation'
        ? 'MiddlewareOperation'
        : 'MiddlewareBackup';
  const subject = `namespaces/${ev.namespace}/${RESOURCE[objectKind]}/${ev.name}`;
  const id = createHash('sha256')
    .update([type, subject, ev.uid ?? '', ev.operation ?? '', ev.workflow ?? ''].join('\n'))
    .digest('hex')
    .slice(0, 32);
  const data: Record<string, unknown> = {
    kind: objectKind,
    namespace: ev.namespace,
    name: ev.name,
    phase: ev.phase,
  };
  if (ev.uid !== undefined) data.uid = String(ev.uid);
  if (ev.instance !== undefined) data.instance = String(ev.instance);
  if (ev.operation !== undefined) data.operation = String(ev.operation);
  if (ev.workflow !== undefined) data.workflow = String(ev.workflow);
  if (ev.message !== undefined) data.message = String(ev.message).slice(0, MAX_MESSAGE);
  if (ev.backup) {
    const b: Record<string, unknown> = {};
    if (ev.backup.storage !== undefined) b.storage = String(ev.backup.storage);
    if (ev.backup.location !== undefined) b.location = String(ev.backup.location);
    if (typeof ev.backup.sizeBytes === 'number') b.sizeBytes = ev.backup.sizeBytes;
    if (ev.backup.sha256 !== undefined) b.sha256 = String(ev.backup.sha256);
    data.backup = b;
  }
  return {
    specversion: '1.0',
    id,
    source: opts.source,
    type,
    subject,
    time: (ev.time ?? opts.now ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    data,
  };
}

/** `sha256=<hex>` of HMAC-SHA256 over the exact bytes sent. */
export function signBody(body: string | Buffer, key: string | Buffer): string {
  return `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
}
