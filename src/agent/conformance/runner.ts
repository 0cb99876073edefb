// Runs the conformance checks against a live agent over HTTP and formats a pass/fail table.
import { HOOKS, type HookName, type MemberRef, TIMEOUT_HEADER } from '../contract.ts';
import { type Answer, type Check, type CheckRequest, checksFor, type Facts } from './checks.ts';
import { checkShape } from './shape.ts';

export interface HookOverride {
  path?: string;
  timeoutSeconds?: number;
}

export interface ConformanceOptions {
  url: string;
  type: string;
  hooks: readonly HookName[];
  /** Paths and timeouts a MiddlewareType declares, over the contract's defaults. */
  overrides?: Partial<Record<HookName, HookOverride>>;
  member?: MemberRef;
  fetchImpl?: typeof fetch;
}

export type Outcome = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  id: string;
  hook: HookName | undefined;
  path: string;
  title: string;
  outcome: Outcome;
  statuses: number[];
  problems: string[];
}

export const UNKNOWN_PATH = '/mwop-conformance-no-such-hook';

async function call(
  opts: ConformanceOptions,
  path: string,
  timeoutSeconds: number,
  req: CheckRequest,
): Promise<{ answer?: Answer; problems: string[]; status: number }> {
  const doFetch = opts.fetchImpl ?? fetch;
  const url = new URL(path, opts.url).toString();
  let res: Response;
  try {
    res = await doFetch(url, {
      method: req.method,
      headers: { 'content-type': 'application/json', [TIMEOUT_HEADER]: String(timeoutSeconds) },
      ...(req.method === 'POST' ? { body: req.raw ?? JSON.stringify(req.body ?? {}) } : {}),
      // The agent must answer within the deadline it was given; a little slack for the network.
      signal: AbortSignal.timeout(timeoutSeconds * 1000 + 5000),
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why =
      e.name === 'TimeoutError'
        ? `no answer within ${timeoutSeconds}s + 5s: the agent hangs`
        : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { problems: [`${req.method} ${url}: ${why}`], status: 0 };
  }
  const text = await res.text();
  const hook = (Object.keys(HOOKS) as HookName[]).find(
    (h) => (opts.overrides?.[h]?.path ?? HOOKS[h].path) === path,
  );
  const shape = checkShape(path === UNKNOWN_PATH ? undefined : hook, {
    status: res.status,
    contentType: res.headers.get('content-type'),
    text,
  });
  return {
    problems: shape.problems,
    status: res.status,
    ...(shape.body ? { answer: { status: res.status, body: shape.body } } : {}),
  };
}

function missingFacts(check: Check, facts: Facts): (keyof Facts)[] {
  return (check.needs ?? []).filter((k) => facts[k] === undefined);
}

export async function runConformance(opts: ConformanceOptions): Promise<CheckResult[]> {
  const facts: Facts = { type: opts.type, ...(opts.member ? { member: opts.member } : {}) };
  const results: CheckResult[] = [];
  for (const check of checksFor(opts.hooks)) {
    const path = check.hook ? (opts.overrides?.[check.hook]?.path ?? HOOKS[check.hook].path) : UNKNOWN_PATH;
    const timeout = check.hook
      ? (opts.overrides?.[check.hook]?.timeoutSeconds ?? HOOKS[check.hook].timeoutSeconds)
      : 5;
    const result: CheckResult = {
      id: check.id,
      hook: check.hook,
      path,
      title: check.title,
      outcome: 'pass',
      statuses: [],
      problems: [],
    };
    results.push(result);
    const missing = missingFacts(check, facts);
    if (missing.length > 0) {
      result.outcome = 'skip';
      result.problems.push(
        `needs ${missing.join(', ')}, learnt from an earlier check that did not pass or is not declared`,
      );
      continue;
    }
    const requests = check.requests(facts);
    if (requests.length === 0) {
      result.outcome = 'skip';
      result.problems.push(check.skipNote ?? 'not applicable');
      continue;
    }
    const answers: Answer[] = [];
    for (const req of requests) {
      const r = await call(opts, path, timeout, req);
      result.statuses.push(r.status);
      result.problems.push(...r.problems);
      if (r.answer) answers.push(r.answer);
    }
    if (answers.length === requests.length) result.problems.push(...check.verify(answers, facts));
    if (result.problems.length > 0) result.outcome = 'fail';
    if (results.length === 1 && result.statuses.every((s) => s === 0)) {
      result.problems.push('the agent is unreachable; no further checks were run');
      break;
    }
  }
  return results;
}

export function summarize(results: CheckResult[]): Record<Outcome, number> {
  const out: Record<Outcome, number> = { pass: 0, fail: 0, skip: 0 };
  for (const r of results) out[r.outcome]++;
  return out;
}

/** A plain-text table, one row per check, problems indented under a failing row. */
export function formatResults(results: CheckResult[]): string {
  const rows = results.map((r) => [
    r.outcome.toUpperCase(),
    r.path,
    r.id,
    r.statuses.join(',') || '-',
    r.title,
  ]);
  const header = ['RESULT', 'PATH', 'CHECK', 'STATUS', 'WHAT'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(header)];
  results.forEach((r, i) => {
    out.push(line(rows[i]!));
    for (const p of r.problems) out.push(`${' '.repeat(widths[0]! + 2)}- ${p}`);
  });
  const s = summarize(results);
  out.push('', `${s.pass} passed, ${s.fail} failed, ${s.skip} skipped`);
  return out.join('\n');
}
