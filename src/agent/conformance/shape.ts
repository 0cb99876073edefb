// Does an answer follow the contract's response shape? Pure; returns the problems, empty when it does.
import { COMMON_STATUS_CODES, HOOKS, type HookName, isRetryableStatus } from '../contract.ts';

export interface Observed {
  status: number;
  contentType: string | null;
  text: string;
}

export interface ParsedAnswer {
  problems: string[];
  body: Record<string, unknown> | undefined;
}

export function checkShape(hook: HookName | undefined, observed: Observed): ParsedAnswer {
  const problems: string[] = [];
  const allowed = new Set<number>([...(hook ? HOOKS[hook].statusCodes : []), ...COMMON_STATUS_CODES]);
  if (!allowed.has(observed.status)) {
    problems.push(`status: got ${observed.status}, the contract allows ${[...allowed].sort().join(', ')}`);
  }
  if (!/^application\/json\b/i.test(observed.contentType ?? '')) {
    problems.push(`content-type: got ${JSON.stringify(observed.contentType)}, want application/json`);
  }
  let body: unknown;
  try {
    body = JSON.parse(observed.text);
  } catch {
    problems.push(
      `body: not JSON (${JSON.stringify(observed.text.slice(0, 80))}), want a HookResponse object`,
    );
    return { problems, body: undefined };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    problems.push(`body: got ${JSON.stringify(body).slice(0, 80)}, want a HookResponse object`);
    return { problems, body: undefined };
  }
  const b = body as Record<string, unknown>;
  if (typeof b.ok !== 'boolean') problems.push(`body.ok: got ${JSON.stringify(b.ok)}, want a boolean`);
  else if (b.ok !== (observed.status === 200)) {
    problems.push(`body.ok: got ${b.ok} with status ${observed.status}, want ok true exactly on 200`);
  }
  if (typeof b.message !== 'string' || b.message.length === 0) {
    problems.push(`body.message: got ${JSON.stringify(b.message)}, want a non-empty string`);
  }
  if (typeof b.retryable !== 'boolean')
    problems.push(`body.retryable: got ${JSON.stringify(b.retryable)}, want a boolean`);
  else if (b.retryable !== isRetryableStatus(observed.status)) {
    problems.push(
      `body.retryable: got ${b.retryable} with status ${observed.status}, want true exactly on 503 and 504`,
    );
  }
  if (b.reason !== undefined && (typeof b.reason !== 'string' || !/^[A-Z][A-Za-z]*$/.test(b.reason))) {
    problems.push(`body.reason: got ${JSON.stringify(b.reason)}, want a CamelCase word`);
  }
  if (
    b.details !== undefined &&
    (typeof b.details !== 'object' || b.details === null || Array.isArray(b.details))
  ) {
    problems.push(`body.details: got ${JSON.stringify(b.details).slice(0, 80)}, want an object`);
  }
  return { problems, body: b };
}
