// Validation of a hook request body. Pure. Every message names the field, the value and what is accepted.
import {
  type ConfigValue,
  HOOK_REQUEST_FIELDS,
  HOOK_REQUEST_REQUIRED,
  type HookLimits,
  type HookRequest,
  type MemberRef,
} from './contract.ts';
import { badRequest } from './errors.ts';

const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v));

function str(o: Record<string, unknown>, key: string, required: boolean): string | undefined {
  const v = o[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v.length === 0) {
    throw badRequest(`${key}: got ${show(v)}, want a non-empty string`);
  }
  return v;
}

function member(v: unknown, field: string): MemberRef {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw badRequest(`${field}: got ${show(v)}, want an object {host, port}`);
  }
  const m = v as Record<string, unknown>;
  for (const k of Object.keys(m)) {
    if (!['name', 'host', 'port'].includes(k))
      throw badRequest(`${field}.${k}: unknown field; accepted: name, host, port`);
  }
  if (typeof m.host !== 'string' || m.host.length === 0) {
    throw badRequest(`${field}.host: got ${show(m.host)}, want a non-empty string`);
  }
  if (typeof m.port !== 'number' || !Number.isInteger(m.port) || m.port < 1 || m.port > 65535) {
    throw badRequest(`${field}.port: got ${show(m.port)}, want an integer from 1 to 65535`);
  }
  if (m.name !== undefined && typeof m.name !== 'string') {
    throw badRequest(`${field}.name: got ${show(m.name)}, want a string`);
  }
  return { host: m.host, port: m.port, ...(m.name !== undefined ? { name: m.name as string } : {}) };
}

function stringList(v: unknown, field: string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw badRequest(`${field}: got ${show(v)}, want a list of strings`);
  }
  return v as string[];
}

function limits(v: unknown): HookLimits {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw badRequest(`limits: got ${show(v)}, want an object`);
  }
  const out: HookLimits = {};
  for (const [k, x] of Object.entries(v)) {
    if (k !== 'maxReplicationLagSeconds' && k !== 'maxTransactionSeconds') {
      throw badRequest(
        `limits.${k}: unknown field; accepted: maxReplicationLagSeconds, maxTransactionSeconds`,
      );
    }
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) {
      throw badRequest(`limits.${k}: got ${show(x)}, want a number >= 0`);
    }
    out[k] = x;
  }
  return out;
}

function config(v: unknown): Record<string, ConfigValue> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw badRequest(`config: got ${show(v)}, want an object of setting name to string, number or boolean`);
  }
  for (const [k, x] of Object.entries(v)) {
    if (!['string', 'number', 'boolean'].includes(typeof x)) {
      throw badRequest(`config.${k}: got ${show(x)}, want a string, number or boolean`);
    }
  }
  return v as Record<string, ConfigValue>;
}

/** Parses the raw body. An empty body is allowed only when `allowEmpty` (GET /health, GET /role). */
export function parseHookRequest(
  raw: string,
  agentType: string,
  allowEmpty: boolean,
): HookRequest | undefined {
  if (raw.trim() === '') {
    if (allowEmpty) return undefined;
    throw badRequest(`body: empty; want a JSON HookRequest with ${HOOK_REQUEST_REQUIRED.join(', ')}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (err) {
    throw badRequest(`body: not JSON (${(err as Error).message}); want a JSON HookRequest object`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest(`body: got ${show(body)}, want a JSON object`);
  }
  const o = body as Record<string, unknown>;
  const known = new Set<string>(HOOK_REQUEST_FIELDS);
  for (const k of Object.keys(o)) {
    if (!known.has(k)) throw badRequest(`${k}: unknown field; accepted: ${HOOK_REQUEST_FIELDS.join(', ')}`);
  }
  const req: HookRequest = {
    instance: str(o, 'instance', true)!,
    namespace: str(o, 'namespace', true)!,
    type: str(o, 'type', true)!,
  };
  if (req.type !== agentType) {
    throw badRequest(`type: got ${show(req.type)}, this agent serves ${show(agentType)}`);
  }
  for (const k of [
    'pluginVersion',
    'middlewareVersion',
    'targetPluginVersion',
    'targetMiddlewareVersion',
  ] as const) {
    const v = str(o, k, false);
    if (v !== undefined) req[k] = v;
  }
  if (o.allowedUpgradePath !== undefined)
    req.allowedUpgradePath = stringList(o.allowedUpgradePath, 'allowedUpgradePath');
  if (o.restartKeys !== undefined) req.restartKeys = stringList(o.restartKeys, 'restartKeys');
  if (o.replicas !== undefined) {
    if (typeof o.replicas !== 'number' || !Number.isInteger(o.replicas) || o.replicas < 0) {
      throw badRequest(`replicas: got ${show(o.replicas)}, want an integer >= 0`);
    }
    req.replicas = o.replicas;
  }
  for (const k of ['member', 'primary', 'target'] as const) {
    if (o[k] !== undefined) req[k] = member(o[k], k);
  }
  if (o.members !== undefined) {
    if (!Array.isArray(o.members))
      throw badRequest(`members: got ${show(o.members)}, want a list of {host, port}`);
    req.members = o.members.map((m, i) => member(m, `members[${i}]`));
  }
  if (o.config !== undefined) req.config = config(o.config);
  if (o.limits !== undefined) req.limits = limits(o.limits);
  return req;
}

export const sameMember = (a: MemberRef | undefined, b: MemberRef | undefined): boolean =>
  a !== undefined && b !== undefined && a.host === b.host && a.port === b.port;

export const describeMember = (m: MemberRef): string => `${m.name ? `${m.name} ` : ''}(${m.host}:${m.port})`;
