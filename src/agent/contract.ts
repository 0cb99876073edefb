// The hook contract in TypeScript: the facts of docs/hook-api.yaml that code needs (hook names,
// paths, deadlines, which status codes a workflow may retry) plus the request and response types.
// test/unit/agent/contract.test.ts proves this file and the YAML say the same thing.
import type { HookName } from '../api/middleware-type.ts';

export type { HookName };

export const DEFAULT_HOOK_PORT = 8080;
export const CONTRACT_VERSION = '1.0.0';

export interface HookSpec {
  /** Default HTTP path; a MiddlewareType may override it per plugin version. */
  readonly path: string;
  /** Deadline for one call, in seconds, unless the MiddlewareType sets timeoutSeconds. */
  readonly timeoutSeconds: number;
  /** Calling the hook again with the same request is safe and leads to the same end state. */
  readonly idempotent: true;
  /** Methods the agent accepts. Every hook takes POST with a JSON body; the read-only ones also GET. */
  readonly methods: readonly ('GET' | 'POST')[];
  /** Status codes the hook may answer with, besides the common ones. */
  readonly statusCodes: readonly number[];
}

const READ_ONLY = [200, 400, 503, 504] as const;
const MUTATING = [200, 400, 409, 503, 504] as const;

export const HOOKS: Readonly<Record<HookName, HookSpec>> = {
  health: {
    path: '/health',
    timeoutSeconds: 5,
    idempotent: true,
    methods: ['GET', 'POST'],
    statusCodes: READ_ONLY,
  },
  role: {
    path: '/role',
    timeoutSeconds: 5,
    idempotent: true,
    methods: ['GET', 'POST'],
    statusCodes: READ_ONLY,
  },
  init: { path: '/init', timeoutSeconds: 60, idempotent: true, methods: ['POST'], statusCodes: MUTATING },
  preUpgrade: {
    path: '/pre-upgrade',
    timeoutSeconds: 30,
    idempotent: true,
    methods: ['POST'],
    statusCodes: MUTATING,
  },
  postUpgrade: {
    path: '/post-upgrade',
    timeoutSeconds: 60,
    idempotent: true,
    methods: ['POST'],
    statusCodes: MUTATING,
  },
  preScaleIn: {
    path: '/pre-scale-in',
    timeoutSeconds: 120,
    idempotent: true,
    methods: ['POST'],
    statusCodes: MUTATING,
  },
  postScaleOut: {
    path: '/post-scale-out',
    timeoutSeconds: 300,
    idempotent: true,
    methods: ['POST'],
    statusCodes: MUTATING,
  },
  switchover: {
    path: '/switchover',
    timeoutSeconds: 60,
    idempotent: true,
    methods: ['POST'],
    statusCodes: MUTATING,
  },
  failover: {
    path: '/failover',
    timeoutSeconds: 60,
    idempotent: true,
    methods: ['POST'],
    statusCodes: MUTATING,
  },
  reloadConfig: {
    path: '/reload-config',
    timeoutSeconds: 30,
    idempotent: true,
    methods: ['POST'],
    statusCodes: MUTATING,
  },
};

export const HOOK_NAMES_IN_CONTRACT = Object.keys(HOOKS) as HookName[];

/** Status codes every hook may answer with, whatever its own list says. */
export const COMMON_STATUS_CODES = [404, 405, 500] as const;

/** A workflow retries a hook call (with backoff, within the hook's deadline budget) only on these. */
export const RETRYABLE_STATUS_CODES = [503, 504] as const;

export const STATUS = {
  ok: 200,
  badRequest: 400,
  notFound: 404,
  methodNotAllowed: 405,
  refused: 409,
  internal: 500,
  unreachable: 503,
  timeout: 504,
} as const;

export function isRetryableStatus(status: number): boolean {
  return (RETRYABLE_STATUS_CODES as readonly number[]).includes(status);
}

/** The caller's deadline, in whole seconds; the agent answers 504 before it runs out. */
export const TIMEOUT_HEADER = 'x-mwop-timeout-seconds';

/** Hooks the reference agents serve, and the conformance kit's default when no type file is given. */
export const DEFAULT_HOOKS_BY_TYPE: Readonly<Record<string, readonly HookName[]>> = {
  redis: [
    'health',
    'role',
    'init',
    'preUpgrade',
    'postUpgrade',
    'preScaleIn',
    'switchover',
    'failover',
    'reloadConfig',
  ],
  mysql: [
    'health',
    'role',
    'init',
    'preUpgrade',
    'postUpgrade',
    'preScaleIn',
    'postScaleOut',
    'switchover',
    'failover',
    'reloadConfig',
  ],
};

export interface MemberRef {
  /** Pod name, for messages. */
  name?: string;
  /** Address other members use to reach this member's middleware port. */
  host: string;
  port: number;
}

export interface HookLimits {
  /** preUpgrade and preScaleIn refuse when a replica is further behind than this. Default 10. */
  maxReplicationLagSeconds?: number;
  /** preUpgrade (mysql) refuses while a transaction older than this runs. Default 60. */
  maxTransactionSeconds?: number;
}

export type ConfigValue = string | number | boolean;

export interface HookRequest {
  instance: string;
  namespace: string;
  type: string;
  pluginVersion?: string;
  middlewareVersion?: string;
  targetPluginVersion?: string;
  targetMiddlewareVersion?: string;
  /** Middleware versions the current one may upgrade to in one step (from the MiddlewareType). */
  allowedUpgradePath?: string[];
  replicas?: number;
  /** The member whose agent receives the call. */
  member?: MemberRef;
  /** init, postScaleOut: the member to replicate from. Absent or equal to member: this member is the primary. */
  primary?: MemberRef;
  /** switchover, failover: the member to promote. preScaleIn: the leaving member (default: member). */
  target?: MemberRef;
  /** switchover, failover: every member of the instance, repointed to the new primary. */
  members?: MemberRef[];
  /** reloadConfig: middleware settings to apply. */
  config?: Record<string, ConfigValue>;
  /** reloadConfig: keys the plugin already knows need a restart; reported, not applied. */
  restartKeys?: string[];
  limits?: HookLimits;
}

export interface HookResponse {
  ok: boolean;
  /** One sentence a human can act on: what happened or what was wrong, with the values involved. */
  message: string;
  /** True exactly when the status code is in RETRYABLE_STATUS_CODES. */
  retryable: boolean;
  /** Machine-readable cause, CamelCase, for example SaveInProgress or MiddlewareUnreachable. */
  reason?: string;
  details?: Record<string, unknown>;
}

/** Keys of the request and response schemas, checked against the YAML by the unit test. */
export const HOOK_REQUEST_FIELDS = [
  'instance',
  'namespace',
  'type',
  'pluginVersion',
  'middlewareVersion',
  'targetPluginVersion',
  'targetMiddlewareVersion',
  'allowedUpgradePath',
  'replicas',
  'member',
  'primary',
  'target',
  'members',
  'config',
  'restartKeys',
  'limits',
] as const satisfies readonly (keyof HookRequest)[];
export const HOOK_REQUEST_REQUIRED = ['instance', 'namespace', 'type'] as const;
export const HOOK_RESPONSE_FIELDS = [
  'ok',
  'message',
  'retryable',
  'reason',
  'details',
] as const satisfies readonly (keyof HookResponse)[];
export const HOOK_RESPONSE_REQUIRED = ['ok', 'message', 'retryable'] as const;

/** How the agent finds its configuration and the credentials Secret (see docs/hook-api.yaml, x-mwop-agent). */
export const AGENT_ENV = {
  type: 'MWOP_AGENT_TYPE',
  driver: 'MWOP_AGENT_DRIVER',
  listenPort: 'MWOP_AGENT_PORT',
  listenHost: 'MWOP_AGENT_HOST',
  middlewareHost: 'MWOP_MIDDLEWARE_HOST',
  middlewarePort: 'MWOP_MIDDLEWARE_PORT',
  middlewareSocket: 'MWOP_MIDDLEWARE_SOCKET',
  credentialsDir: 'MWOP_CREDENTIALS_DIR',
  username: 'MWOP_USERNAME',
  password: 'MWOP_PASSWORD',
  database: 'MWOP_DATABASE',
  adminUsername: 'MWOP_ADMIN_USERNAME',
  adminPassword: 'MWOP_ADMIN_PASSWORD',
} as const;

/** File names inside the credentials directory; a file wins over the matching environment variable. */
export const CREDENTIAL_FILES = {
  username: 'username',
  password: 'password',
  database: 'database',
  adminUsername: 'admin-username',
  adminPassword: 'admin-password',
} as const;

export const DEFAULT_CREDENTIALS_DIR = '/etc/mwop/credentials';

/** What a caller (the workflow generator) needs to call one hook: declared values over the contract's defaults. */
export interface ResolvedHook {
  name: HookName;
  path: string;
  method: 'GET' | 'POST';
  timeoutSeconds: number;
  retryOnStatus: readonly number[];
}

export function resolveHook(
  name: HookName,
  declared: { path?: string; method?: 'GET' | 'POST'; timeoutSeconds?: number } = {},
): ResolvedHook {
  return {
    name,
    path: declared.path ?? HOOKS[name].path,
    method: declared.method ?? 'POST',
    timeoutSeconds: declared.timeoutSeconds ?? HOOKS[name].timeoutSeconds,
    retryOnStatus: RETRYABLE_STATUS_CODES,
  };
}
