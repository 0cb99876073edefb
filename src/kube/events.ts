// Kubernetes Events on our objects (events.k8s.io/v1). Identical events within the dedupe window
// are dropped, so a reconcile loop that retries does not flood the namespace. Notes must never
// carry secret material; callers pass human text only.
import type { KubernetesObject } from '@kubernetes/client-node';
import { type Clock, systemClock } from './clock.ts';
import { resourcePath } from './gvr.ts';
import type { KubeRest } from './rest.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  record(obj: KubernetesObject, type: EventType, reason: string, note: string, action?: string): void;
}

export const REPORTING_CONTROLLER = 'mwop.dev/operator';

export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function buildEvent(
  obj: KubernetesObject,
  type: EventType,
  reason: string,
  note: string,
  action: string,
  nowMs: number,
  reportingInstance: string,
) {
  const namespace = obj.metadata?.namespace ?? 'default';
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    // '-', not '.': the apiserver validates generateName as a DNS subdomain prefix, and only a
    // trailing dash is allowed there ("first." is refused, so no Event was ever written).
    metadata: { generateName: `${obj.metadata?.name ?? 'object'}-`, namespace },
    eventTime: microTime(nowMs),
    reportingController: REPORTING_CONTROLLER,
    reportingInstance,
    action,
    reason,
    type,
    note: note.slice(0, 1024),
    regarding: {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      name: obj.metadata?.name,
      namespace: obj.metadata?.namespace,
      uid: obj.metadata?.uid,
      resourceVersion: obj.metadata?.resourceVersion,
    },
  };
}

export class ApiEventRecorder implements EventRecorder {
  private readonly recent = new Map<string, number>();
  private readonly rest: KubeRest;
  private readonly clock: Clock;
  private readonly instance: string;
  private readonly windowMs: number;
  private readonly onError: (err: unknown) => void;

  constructor(opts: {
    rest: KubeRest;
    reportingInstance: string;
    clock?: Clock;
    dedupeWindowMs?: number;
    onError?: (err: unknown) => void;
  }) {
    this.rest = opts.rest;
    this.clock = opts.clock ?? systemClock;
    this.instance = opts.reportingInstance;
    this.windowMs = opts.dedupeWindowMs ?? 300_000;
    this.onError = opts.onError ?? (() => {});
  }

  record(obj: KubernetesObject, type: EventType, reason: string, note: string, action = reason): void {
    const now = this.clock.now();
    const key = `${obj.metadata?.uid}|${type}|${reason}|${note}`;
    const last = this.recent.get(key);
    if (last !== undefined && now - last < this.windowMs) return;
    this.recent.set(key, now);
    if (this.recent.size > 10_000) this.prune(now);
    const ev = buildEvent(obj, type, reason, note, action, now, this.instance);
    // Fire and forget: an event that cannot be written must never block or fail a reconcile.
    this.rest
      .post(resourcePath('events.k8s.io/v1', 'Event', { namespace: ev.metadata.namespace }), ev)
      .catch(this.onError);
  }

  private prune(now: number): void {
    for (const [k, t] of this.recent) if (now - t >= this.windowMs) this.recent.delete(k);
  }
}
