// What a per-type driver provides: one handler per hook it serves.
import type { HookName, HookRequest } from './contract.ts';

export interface HookContext {
  /** Epoch milliseconds by which the handler must have answered. */
  readonly deadline: number;
  /** Aborted when the deadline passes or the caller goes away; handlers stop and close connections. */
  readonly signal: AbortSignal;
}

export interface HookOutcome {
  message: string;
  details?: Record<string, unknown>;
}

/** `req` is undefined only for GET /health and GET /role, which carry no body. */
export type HookHandler = (req: HookRequest | undefined, ctx: HookContext) => Promise<HookOutcome>;

export interface Driver {
  readonly type: string;
  readonly hooks: Partial<Record<HookName, HookHandler>>;
}

/** Milliseconds left before the deadline, never below 1 so client timeouts stay valid. */
export const remainingMs = (ctx: HookContext): number => Math.max(1, ctx.deadline - Date.now());
