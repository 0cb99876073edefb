// Entry point of the hook agent sidecar: `node src/agent/main.ts`, configured by environment
// (see docs/hook-api.yaml, x-mwop-agent). Stops cleanly on SIGTERM so a pod shutdown never cuts
// a hook call in half.
import type { Server } from 'node:http';
import { type AgentConfig, loadAgentConfig } from './config.ts';
import type { Driver } from './driver.ts';
import { createMysqlDriver } from './mysql/driver.ts';
import { createRedisDriver } from './redis/driver.ts';
import { createAgentServer } from './server.ts';

export function driverFor(config: AgentConfig, env: Record<string, string | undefined>): Driver {
  const credentials = { dir: config.credentialsDir, env };
  if (config.driver === 'redis') {
    return createRedisDriver({ host: config.middlewareHost, port: config.middlewarePort, credentials });
  }
  return createMysqlDriver({
    host: config.middlewareHost,
    port: config.middlewarePort,
    ...(config.middlewareSocket ? { socket: config.middlewareSocket } : {}),
    credentials,
  });
}

export async function startAgentFromEnv(env: Record<string, string | undefined>): Promise<Server> {
  const config = loadAgentConfig(env);
  const server = createAgentServer(driverFor(config, env), { servedType: config.type });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.listenPort, config.listenHost, resolve);
  });
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), msg: 'hook agent listening', type: config.type, driver: config.driver, port: config.listenPort, middleware: config.middlewareSocket ?? `${config.middlewareHost}:${config.middlewarePort}` })}\n`,
  );
  return server;
}

if (import.meta.main) {
  try {
    const server = await startAgentFromEnv(process.env);
    const stop = () => {
      server.close(() => process.exit(0));
      // In-flight calls end by their own deadline; do not wait beyond the longest one.
      setTimeout(() => process.exit(0), 65_000).unref();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  } catch (err) {
    process.stderr.write(`mwop hook agent: ${(err as Error).message}\n`);
    process.exit(2);
  }
}
