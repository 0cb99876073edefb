// Remembers which objects this process has server-side applied, per owner, so a reconcile that
// renders exactly the same object again skips the request. Without it every reconcile (each
// instance every 10 minutes, on the informers' periodic resync) re-applies every child, which is
// most of an idle operator's API traffic (issue #13: about 6 requests per instance per resync).
//
// What it gives up, and how it is bounded: an object the operator does not watch (Service,
// ConfigMap, Secret) that someone else changes or deletes is repaired on the next re-apply, which
// happens at the latest `refreshMs` (default 2 h, spread by +-25 % so all objects do not come due at
// once) after the last one, or at once when the rendered object changes, the owner is forgotten
// (an operation starts or ends), or the process restarts. controller-runtime's default resync
// period, which is what repairs such drift there, is 10 hours.
import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';

export interface AppliedMemoOptions {
  /** Re-apply an unchanged object at the latest this long after the last apply (default 2 h). */
  refreshMs?: number;
  /** Fraction of refreshMs by which each entry's expiry is moved, either way (default 0.25). */
  jitter?: number;
  now?: () => number;
  random?: () => number;
}

interface Entry {
  digest: string;
  expires: number;
}

export const DEFAULT_REFRESH_MS = 2 * 60 * 60_000;

function objectKey(obj: KubernetesObject): string {
  return `${obj.apiVersion}/${obj.kind}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}`;
}

function digest(obj: KubernetesObject): string {
  return createHash('sha256').update(JSON.stringify(obj)).digest('base64');
}

export class AppliedMemo {
  private readonly owners = new Map<string, Map<string, Entry>>();
  private readonly refreshMs: number;
  private readonly jitter: number;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(opts: AppliedMemoOptions = {}) {
    this.refreshMs = opts.refreshMs ?? DEFAULT_REFRESH_MS;
    this.jitter = opts.jitter ?? 0.25;
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
  }

  /**
   * True when exactly `obj` was applied for `owner`, has not come due for a re-apply, and (with
   * `version`) the live object is still at the version the apply left it at.
   */
  isFresh(owner: string, obj: KubernetesObject, version?: string): boolean {
    const e = this.owners.get(owner)?.get(objectKey(obj));
    if (e === undefined || e.expires <= this.now() || e.digest === '') return false;
    return e.digest === digest(obj) + (version === undefined ? '' : `@${version}`);
  }

  /** True when some version of the object is known to exist (it was applied, or seen), not yet due. */
  knows(owner: string, obj: Pick<KubernetesObject, 'apiVersion' | 'kind' | 'metadata'>): boolean {
    const e = this.owners.get(owner)?.get(objectKey(obj));
    return e !== undefined && e.expires > this.now();
  }

  /**
   * After a successful apply of `obj`; with `exact: false`, after a read that found the object
   * (knows() is then true, isFresh() is not). `version`: what the object's own state was after the
   * apply (a StatefulSet's generation), for isFresh() to compare with what a cache shows now.
   */
  record(owner: string, obj: KubernetesObject, opts: { exact?: boolean; version?: string } = {}): void {
    let entries = this.owners.get(owner);
    if (!entries) {
      entries = new Map();
      this.owners.set(owner, entries);
    }
    const spread = 1 + this.jitter * (2 * this.random() - 1);
    entries.set(objectKey(obj), {
      digest:
        opts.exact === false ? '' : digest(obj) + (opts.version === undefined ? '' : `@${opts.version}`),
      expires: this.now() + this.refreshMs * spread,
    });
  }

  /** Everything about `owner`: the next reconcile applies all its objects again. */
  forget(owner: string): void {
    this.owners.delete(owner);
  }

  get size(): number {
    let n = 0;
    for (const e of this.owners.values()) n += e.size;
    return n;
  }
}
