// The conformance checks, as data: which request to send and what the answer must be. Pure; the
// runner (runner.ts) does the I/O. Checks learn facts from earlier answers (the running version,
// the member's role), so later checks can ask for outcomes that hold on any healthy member.
import type { HookName, HookRequest, MemberRef } from '../contract.ts';

export interface Facts {
  type: string;
  version?: string;
  role?: 'primary' | 'replica';
  /** The primary a replica follows, from /role. */
  primary?: MemberRef;
  /** This member's address, when the user passed --member. */
  member?: MemberRef;
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

export interface CheckRequest {
  method: 'GET' | 'POST';
  /** A JSON value to send, or a raw string sent as is (to test bad bodies). */
  body?: unknown;
  raw?: string;
}

export interface Check {
  id: string;
  hook: HookName | undefined;
  title: string;
  /** Facts the check needs; it is skipped as "not applicable" when they are missing. */
  needs?: (keyof Facts)[];
  /** Why the check is skipped when `requests` returns no call. */
  skipNote?: string;
  /** One or more calls, in order (two for idempotency checks). */
  requests(f: Facts): CheckRequest[];
  /** Problems with the answers, empty when the check passes. May record facts. */
  verify(answers: Answer[], f: Facts): string[];
}

export const base = (f: Facts): HookRequest => ({
  instance: 'conformance',
  namespace: 'conformance',
  type: f.type,
});
const post = (body: unknown): CheckRequest => ({ method: 'POST', body });

function expectStatus(answers: Answer[], want: number[], what: string): string[] {
  return answers.flatMap((a, i) =>
    want.includes(a.status)
      ? []
      : [
          `${answers.length > 1 ? `call ${i + 1}: ` : ''}${what}: got status ${a.status} (${String(a.body.message ?? '')}), want ${want.join(' or ')}`,
        ],
  );
}

const details = (a: Answer | undefined): Record<string, unknown> =>
  (a?.body.details && typeof a.body.details === 'object' ? a.body.details : {}) as Record<string, unknown>;

function asMember(v: unknown): MemberRef | undefined {
  const m = v as { host?: unknown; port?: unknown } | undefined;
  return typeof m?.host === 'string' && typeof m.port === 'number'
    ? { host: m.host, port: m.port }
    : undefined;
}

/** The current primary as the member sees it: itself (when --member was given) or the one it follows. */
function currentPrimary(f: Facts): MemberRef | undefined {
  return f.role === 'primary' ? f.member : f.primary;
}

const UNKNOWN_SETTING = 'mwop-conformance-no-such-setting';
const FAR_VERSION = '999.0.0';

export function checksFor(hooks: readonly HookName[]): Check[] {
  const declared = new Set(hooks);
  const checks: Check[] = [
    {
      id: 'unknown-path',
      hook: undefined,
      title: 'an unknown path answers 404 in the contract shape',
      requests: (f) => [post(base(f))],
      verify: (a) => expectStatus(a, [404], 'unknown path'),
    },
  ];
  const add = (c: Check) => {
    if (c.hook && declared.has(c.hook)) checks.push(c);
  };

  add({
    id: 'health',
    hook: 'health',
    title: 'POST answers 200 with details.middlewareVersion',
    requests: (f) => [post(base(f))],
    verify: (a, f) => {
      const p = expectStatus(a, [200], 'health');
      const v = details(a[0]).middlewareVersion;
      if (typeof v !== 'string' || v === '')
        p.push(`details.middlewareVersion: got ${JSON.stringify(v)}, want the running version`);
      else f.version = v;
      return p;
    },
  });
  add({
    id: 'health-get',
    hook: 'health',
    title: 'GET without a body answers 200',
    requests: () => [{ method: 'GET' }],
    verify: (a) => expectStatus(a, [200], 'GET health'),
  });
  add({
    id: 'role',
    hook: 'role',
    title: 'answers 200 with details.role primary or replica',
    requests: (f) => [post(base(f))],
    verify: (a, f) => {
      const p = expectStatus(a, [200], 'role');
      const d = details(a[0]);
      if (d.role !== 'primary' && d.role !== 'replica') {
        p.push(`details.role: got ${JSON.stringify(d.role)}, want primary or replica`);
        return p;
      }
      f.role = d.role;
      if (d.role === 'replica') {
        const primary = asMember(d.primary);
        if (!primary)
          p.push(
            `details.primary: got ${JSON.stringify(d.primary)}, want {host, port} of the primary a replica follows`,
          );
        else f.primary = primary;
      }
      return p;
    },
  });

  for (const hook of hooks) {
    add({
      id: `${hook}-bad-body`,
      hook,
      title: 'a body that is not JSON answers 400',
      requests: () => [{ method: 'POST', raw: '{"instance": not json' }],
      verify: (a) => expectStatus(a, [400], 'bad body'),
    });
    add({
      id: `${hook}-wrong-type`,
      hook,
      title: 'a request for another type answers 400',
      requests: (f) => [post({ ...base(f), type: 'mwop-conformance-other-type' })],
      verify: (a) => expectStatus(a, [400], 'wrong type'),
    });
  }

  for (const hook of ['init', 'postScaleOut'] as const) {
    add({
      id: `${hook}-twice`,
      hook,
      title: 'calling it twice answers 200 both times (idempotent)',
      needs: ['role'],
      requests: (f) => {
        const req: HookRequest = { ...base(f), ...(f.member ? { member: f.member } : {}) };
        if (f.role === 'replica' && f.primary) req.primary = f.primary;
        if (f.role === 'primary' && f.member) req.primary = f.member;
        return [post(req), post(req)];
      },
      verify: (a) => expectStatus(a, [200], hook),
    });
  }

  add({
    id: 'preUpgrade-missing-target',
    hook: 'preUpgrade',
    title: 'without targetMiddlewareVersion answers 400',
    requests: (f) => [post(base(f))],
    verify: (a) => expectStatus(a, [400], 'pre-upgrade without target'),
  });
  add({
    id: 'preUpgrade-off-path',
    hook: 'preUpgrade',
    title: 'a target outside allowedUpgradePath is refused with 409',
    requests: (f) => [
      post({ ...base(f), targetMiddlewareVersion: FAR_VERSION, allowedUpgradePath: ['998.0.0'] }),
    ],
    verify: (a) => expectStatus(a, [409], 'pre-upgrade off the path'),
  });
  add({
    id: 'preUpgrade-same-version',
    hook: 'preUpgrade',
    title: 'the running version as target answers 200 (or 409 with a reason, e.g. a save runs)',
    needs: ['version'],
    requests: (f) => [
      post({ ...base(f), targetMiddlewareVersion: f.version, allowedUpgradePath: [f.version] }),
    ],
    verify: (a) => [
      ...expectStatus(a, [200, 409], 'pre-upgrade to the running version'),
      ...(a[0]?.status === 409 && !a[0].body.reason ? ['a 409 must carry a reason'] : []),
    ],
  });
  add({
    id: 'postUpgrade-running-version',
    hook: 'postUpgrade',
    title: 'the running version as target answers 200',
    needs: ['version'],
    requests: (f) => [post({ ...base(f), targetMiddlewareVersion: f.version })],
    verify: (a) => expectStatus(a, [200], 'post-upgrade with the running version'),
  });
  add({
    id: 'postUpgrade-other-version',
    hook: 'postUpgrade',
    title: 'a version the member does not run is refused with 409',
    requests: (f) => [post({ ...base(f), targetMiddlewareVersion: FAR_VERSION })],
    verify: (a) => expectStatus(a, [409], 'post-upgrade with another version'),
  });
  add({
    id: 'preScaleIn-by-role',
    hook: 'preScaleIn',
    title: 'refuses (409) on the primary, allows (200) on a replica',
    needs: ['role'],
    requests: (f) => [post({ ...base(f), ...(f.member ? { member: f.member } : {}) })],
    verify: (a, f) => expectStatus(a, [f.role === 'primary' ? 409 : 200], `pre-scale-in on a ${f.role}`),
  });
  for (const hook of ['switchover', 'failover'] as const) {
    add({
      id: `${hook}-missing-target`,
      hook,
      title: 'without target answers 400',
      requests: (f) => [post(base(f))],
      verify: (a) => expectStatus(a, [400], `${hook} without target`),
    });
    add({
      id: `${hook}-to-current-primary`,
      hook,
      title: 'to the member that already is the primary answers 200 and changes nothing',
      needs: ['role'],
      requests: (f) => {
        const target = currentPrimary(f);
        return target ? [post({ ...base(f), target, members: [] })] : [];
      },
      skipNote: 'needs the primary address: pass --member host:port when the agent serves the primary',
      verify: (a) => expectStatus(a, [200], `${hook} to the current primary`),
    });
  }
  add({
    id: 'reloadConfig-empty',
    hook: 'reloadConfig',
    title: 'an empty config answers 200 with applied and needsRestart lists',
    requests: (f) => [post({ ...base(f), config: {} })],
    verify: (a) => {
      const p = expectStatus(a, [200], 'reload-config with no settings');
      const d = details(a[0]);
      for (const k of ['applied', 'needsRestart']) {
        if (!Array.isArray(d[k])) p.push(`details.${k}: got ${JSON.stringify(d[k])}, want a list`);
      }
      return p;
    },
  });
  add({
    id: 'reloadConfig-unknown-key',
    hook: 'reloadConfig',
    title: 'an unknown setting answers 400 naming it',
    requests: (f) => [post({ ...base(f), config: { [UNKNOWN_SETTING]: 1 } })],
    verify: (a) => [
      ...expectStatus(a, [400], 'reload-config with an unknown setting'),
      ...(String(a[0]?.body.message ?? '').includes(UNKNOWN_SETTING)
        ? []
        : [`message: got ${JSON.stringify(a[0]?.body.message)}, want it to name ${UNKNOWN_SETTING}`]),
    ],
  });
  return checks;
}
