// The agent's configuration from its environment. Pure: takes the env, returns the config or
// throws with the variable, the value and what is accepted.
import { AGENT_ENV, DEFAULT_CREDENTIALS_DIR, DEFAULT_HOOK_PORT } from './contract.ts';

/** The reference drivers. The served type name is free: a `valkey` type may run the redis driver. */
export const AGENT_DRIVERS = ['redis', 'mysql'] as const;
export type AgentDriver = (typeof AGENT_DRIVERS)[number];

const DEFAULT_MIDDLEWARE_PORT: Record<AgentDriver, number> = { redis: 6379, mysql: 3306 };

export interface AgentConfig {
  /** The MiddlewareType name requests must carry. */
  type: string;
  driver: AgentDriver;
  listenHost: string;
  listenPort: number;
  middlewareHost: string;
  middlewarePort: number;
  middlewareSocket: string | undefined;
  credentialsDir: string;
}

function port(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new Error(`${name}: got ${JSON.stringify(raw)}, want an integer from 1 to 65535`);
  }
  return n;
}

export function loadAgentConfig(env: Record<string, string | undefined>): AgentConfig {
  const type = env[AGENT_ENV.type];
  if (!type)
    throw new Error(`${AGENT_ENV.type}: missing; want the MiddlewareType name this agent serves, e.g. redis`);
  const driver = env[AGENT_ENV.driver] || type;
  if (!AGENT_DRIVERS.includes(driver as AgentDriver)) {
    const from = env[AGENT_ENV.driver] ? AGENT_ENV.driver : `${AGENT_ENV.type} (no ${AGENT_ENV.driver} set)`;
    throw new Error(`${from}: got ${JSON.stringify(driver)}, want a driver: ${AGENT_DRIVERS.join(', ')}`);
  }
  const t = driver as AgentDriver;
  return {
    type,
    driver: t,
    listenHost: env[AGENT_ENV.listenHost] || '0.0.0.0',
    listenPort: port(env, AGENT_ENV.listenPort, DEFAULT_HOOK_PORT),
    middlewareHost: env[AGENT_ENV.middlewareHost] || '127.0.0.1',
    middlewarePort: port(env, AGENT_ENV.middlewarePort, DEFAULT_MIDDLEWARE_PORT[t]),
    middlewareSocket: env[AGENT_ENV.middlewareSocket] || undefined,
    credentialsDir: env[AGENT_ENV.credentialsDir] || DEFAULT_CREDENTIALS_DIR,
  };
}
