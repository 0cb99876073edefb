// The notifications file (FR-035): where operation and backup events are POSTed. Parsed and
// validated as a whole so that one run names every mistake, each with its path, the value given
// and what would be accepted. Pure apart from loadNotificationsConfig, which reads the file.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

export const NOTIFICATION_EVENTS = [
  'operation.started',
  'operation.succeeded',
  'operation.failed',
  'backup.started',
  'backup.succeeded',
  'backup.failed',
] as const;
export type NotificationEventName = (typeof NOTIFICATION_EVENTS)[number];

/** Shorthands accepted in `events`: every phase of one kind, or everything. */
const EVENT_WILDCARDS: Record<string, readonly NotificationEventName[]> = {
  '*': NOTIFICATION_EVENTS,
  'operation.*': ['operation.started', 'operation.succeeded', 'operation.failed'],
  'backup.*': ['backup.started', 'backup.succeeded', 'backup.failed'],
};

export const DEFAULT_TIMEOUT_SECONDS = 5;
export const MAX_TIMEOUT_SECONDS = 60;
export const DEFAULT_MAX_RETRIES = 3;
export const MAX_RETRIES_LIMIT = 10;

/** Where the HMAC key comes from. Never the key itself: the file holds no secret material. */
export type SigningKeySource =
  | { kind: 'file'; path: string }
  | { kind: 'secret'; namespace: string; name: string; key: string };

export interface ReceiverConfig {
  name: string;
  url: string;
  /** Undefined: every namespace. */
  namespaces?: string[];
  /** Always set after parsing; defaults to every event. */
  events: NotificationEventName[];
  signingKey?: SigningKeySource;
  timeoutMs: number;
  maxRetries: number;
}

export interface NotificationsConfig {
  receivers: ReceiverConfig[];
}

export interface NotificationsConfigProblem {
  path: string;
  value: string;
  message: string;
}

export class NotificationsConfigError extends Error {
  readonly problems: NotificationsConfigProblem[];
  constructor(source: string, problems: NotificationsConfigProblem[]) {
    super(
      `${source}: invalid notifications config:\n${problems
        .map((p) => `  ${p.path}: ${p.message} (got ${p.value})`)
        .join('\n')}`,
    );
    this.name = 'NotificationsConfigError';
    this.problems = problems;
  }
}

const RECEIVER_KEYS = [
  'name',
  'url',
  'namespaces',
  'events',
  'secretRef',
  'hmacSecretFile',
  'timeoutSeconds',
  'maxRetries',
];
const SECRET_REF_KEYS = ['name', 'namespace', 'key'];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A value already put into words, shown as is (used where the raw value must not be echoed). */
class Described {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** Renders a value for an error message without dumping whole objects or long strings. */
function show(v: unknown): string {
  if (v instanceof Described) return v.text;
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v);
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (v !== null && typeof v === 'object') return 'an object';
  return String(v);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Validates an already-parsed document. `defaultSecretNamespace` is where a secretRef without a
 * namespace is looked up: the operator's own namespace.
 */
export function validateNotificationsConfig(
  doc: unknown,
  opts: { defaultSecretNamespace: string },
): { ok: true; config: NotificationsConfig } | { ok: false; problems: NotificationsConfigProblem[] } {
  const problems: NotificationsConfigProblem[] = [];
  const fail = (path: string, value: unknown, message: string) =>
    problems.push({ path, value: show(value), message });

  // An empty file means "no receivers", which is a valid way to switch notifications off.
  if (doc === null || doc === undefined) return { ok: true, config: { receivers: [] } };
  if (!isObject(doc)) {
    fail('(root)', doc, 'must be a mapping with a `receivers` list');
    return { ok: false, problems };
  }
  for (const key of Object.keys(doc)) {
    if (key !== 'receivers') fail(key, doc[key], 'unknown field; accepted: receivers');
  }
  const raw = doc.receivers ?? [];
  if (!Array.isArray(raw)) {
    fail('receivers', raw, 'must be a list of receivers');
    return { ok: false, problems };
  }

  const receivers: ReceiverConfig[] = [];
  const seen = new Set<string>();
  raw.forEach((r: unknown, i) => {
    const at = `receivers[${i}]`;
    if (!isObject(r)) {
      fail(at, r, 'must be a mapping with at least name and url');
      return;
    }
    for (const key of Object.keys(r)) {
      if (!RECEIVER_KEYS.includes(key)) {
        fail(`${at}.${key}`, r[key], `unknown field; accepted: ${RECEIVER_KEYS.join(', ')}`);
      }
    }

    const name = r.name;
    if (typeof name !== 'string' || !DNS_LABEL.test(name) || name.length > 63) {
      fail(
        `${at}.name`,
        name,
        'must be a DNS label: lowercase letters, digits and "-", at most 63 characters',
      );
    } else if (seen.has(name)) {
      fail(`${at}.name`, name, 'must be unique; another receiver already has this name');
    } else {
      seen.add(name);
    }

    const url = r.url;
    let urlOk = false;
    if (typeof url !== 'string') {
      fail(`${at}.url`, url, 'must be an absolute http:// or https:// URL');
    } else {
      let parsed: URL | undefined;
      try {
        parsed = new URL(url);
      } catch {
        parsed = undefined;
      }
      if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
        // Do not echo the URL: webhook URLs often carry a token in their path.
        fail(
          `${at}.url`,
          new Described(parsed ? `a ${parsed.protocol} URL` : 'an unparsable URL'),
          'must be an absolute http:// or https:// URL',
        );
      } else if (parsed.username || parsed.password) {
        fail(
          `${at}.url`,
          new Described('a URL with user info'),
          'must not carry credentials; use secretRef or hmacSecretFile',
        );
      } else {
        urlOk = true;
      }
    }

    let namespaces: string[] | undefined;
    if (r.namespaces !== undefined) {
      if (!Array.isArray(r.namespaces) || r.namespaces.length === 0) {
        fail(
          `${at}.namespaces`,
          r.namespaces,
          'must be a non-empty list of namespace names; omit it for all',
        );
      } else {
        namespaces = [];
        r.namespaces.forEach((ns: unknown, j) => {
          if (typeof ns !== 'string' || !DNS_LABEL.test(ns) || ns.length > 63) {
            fail(`${at}.namespaces[${j}]`, ns, 'must be a namespace name (a DNS label)');
          } else namespaces!.push(ns);
        });
      }
    }

    let events: NotificationEventName[] = [...NOTIFICATION_EVENTS];
    if (r.events !== undefined) {
      if (!Array.isArray(r.events) || r.events.length === 0) {
        fail(`${at}.events`, r.events, 'must be a non-empty list of events; omit it for all');
      } else {
        const wanted = new Set<NotificationEventName>();
        r.events.forEach((e: unknown, j) => {
          const expanded =
            typeof e === 'string'
              ? (EVENT_WILDCARDS[e] ??
                ((NOTIFICATION_EVENTS as readonly string[]).includes(e)
                  ? [e as NotificationEventName]
                  : undefined))
              : undefined;
          if (!expanded) {
            fail(
              `${at}.events[${j}]`,
              e,
              `must be one of: ${[...NOTIFICATION_EVENTS, ...Object.keys(EVENT_WILDCARDS)].join(', ')}`,
            );
          } else for (const x of expanded) wanted.add(x);
        });
        events = NOTIFICATION_EVENTS.filter((e) => wanted.has(e));
      }
    }

    let signingKey: SigningKeySource | undefined;
    if (r.secretRef !== undefined && r.hmacSecretFile !== undefined) {
      fail(
        `${at}.secretRef`,
        new Described('both secretRef and hmacSecretFile'),
        'give at most one source for the HMAC key',
      );
    } else if (r.secretRef !== undefined) {
      const ref = r.secretRef;
      if (!isObject(ref)) {
        fail(`${at}.secretRef`, ref, 'must be a mapping with name, key and optionally namespace');
      } else {
        for (const key of Object.keys(ref)) {
          if (!SECRET_REF_KEYS.includes(key)) {
            fail(
              `${at}.secretRef.${key}`,
              ref[key],
              `unknown field; accepted: ${SECRET_REF_KEYS.join(', ')}`,
            );
          }
        }
        const okName = typeof ref.name === 'string' && DNS_SUBDOMAIN.test(ref.name) && ref.name.length <= 253;
        if (!okName) fail(`${at}.secretRef.name`, ref.name, 'must be a Secret name (a DNS subdomain)');
        const ns = ref.namespace ?? opts.defaultSecretNamespace;
        const okNs = typeof ns === 'string' && DNS_LABEL.test(ns) && ns.length <= 63;
        if (!okNs) fail(`${at}.secretRef.namespace`, ref.namespace, 'must be a namespace name (a DNS label)');
        const okKey = typeof ref.key === 'string' && /^[-._a-zA-Z0-9]{1,253}$/.test(ref.key);
        if (!okKey) {
          fail(
            `${at}.secretRef.key`,
            ref.key,
            'must be a key of the Secret: letters, digits, "-", "_" or "."',
          );
        }
        if (okName && okNs && okKey) {
          signingKey = {
            kind: 'secret',
            namespace: ns as string,
            name: ref.name as string,
            key: ref.key as string,
          };
        }
      }
    } else if (r.hmacSecretFile !== undefined) {
      if (typeof r.hmacSecretFile !== 'string' || !r.hmacSecretFile.startsWith('/')) {
        fail(`${at}.hmacSecretFile`, r.hmacSecretFile, 'must be an absolute path to a file holding the key');
      } else signingKey = { kind: 'file', path: r.hmacSecretFile };
    }

    let timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;
    if (r.timeoutSeconds !== undefined) {
      const t = r.timeoutSeconds;
      if (typeof t !== 'number' || !Number.isFinite(t) || t <= 0 || t > MAX_TIMEOUT_SECONDS) {
        fail(`${at}.timeoutSeconds`, t, `must be a number of seconds > 0 and <= ${MAX_TIMEOUT_SECONDS}`);
      } else timeoutSeconds = t;
    }

    let maxRetries = DEFAULT_MAX_RETRIES;
    if (r.maxRetries !== undefined) {
      const m = r.maxRetries;
      if (typeof m !== 'number' || !Number.isInteger(m) || m < 0 || m > MAX_RETRIES_LIMIT) {
        fail(`${at}.maxRetries`, m, `must be an integer from 0 to ${MAX_RETRIES_LIMIT}`);
      } else maxRetries = m;
    }

    if (typeof name === 'string' && urlOk) {
      receivers.push({
        name,
        url: url as string,
        ...(namespaces ? { namespaces } : {}),
        events,
        ...(signingKey ? { signingKey } : {}),
        timeoutMs: Math.round(timeoutSeconds * 1000),
        maxRetries,
      });
    }
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config: { receivers } };
}

/** Parses YAML text (JSON is YAML too). Throws NotificationsConfigError naming every problem. */
export function parseNotificationsConfig(
  text: string,
  opts: { source?: string; defaultSecretNamespace: string },
): NotificationsConfig {
  const source = opts.source ?? 'notifications config';
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new NotificationsConfigError(source, [
      {
        path: '(root)',
        value: 'text that is not YAML',
        message: `must be YAML: ${(err as Error).message.split('\n')[0]}`,
      },
    ]);
  }
  const result = validateNotificationsConfig(doc, opts);
  if (!result.ok) throw new NotificationsConfigError(source, result.problems);
  return result.config;
}

export async function loadNotificationsConfig(
  path: string,
  opts: { defaultSecretNamespace: string },
): Promise<NotificationsConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new NotificationsConfigError(path, [
      {
        path: '(file)',
        value: JSON.stringify(path),
        message: `must be a readable file (--notifications-config): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      },
    ]);
  }
  return parseNotificationsConfig(text, { ...opts, source: path });
}
