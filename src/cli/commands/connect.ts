// kubectl mw connect <name> [--show-secret]: the connection string and a ready client command.
import type { Command } from 'commander';
import type { MiddlewareInstance } from '../../api/index.ts';
import { isForbidden, isNotFound } from '../../kube/errors.ts';
import { connectView, schemeOf } from '../connect-view.ts';
import { type CliContext, cliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { getInstance, getType } from '../resources.ts';

interface SecretLike {
  data?: Record<string, string>;
}

export function register(program: Command): void {
  program
    .command('connect <name>')
    .description('Print the connection string and a ready-made client command (redis-cli, mysql, ...)')
    .option('--show-secret', 'print the password itself instead of a command that reads it from the Secret')
    .option('-o, --output <format>', 'json: host, port, uri and command as JSON')
    .action(async (name: string, opts: { showSecret?: boolean; output?: string }, cmd: Command) => {
      const ctx = cliContext(cmd);
      const instance = await getInstance(ctx, name);
      ctx.out.write(await connectionText(ctx, instance, opts));
    });
}

/** What `connect` prints; `create --wait` prints it too once the instance is Running. */
export async function connectionText(
  ctx: CliContext,
  instance: MiddlewareInstance,
  opts: { showSecret?: boolean; output?: string },
): Promise<string> {
  const name = instance.metadata.name ?? '';
  const conn = instance.status?.connection;
  if (!conn) {
    throw new CliError(
      `instance ${name} has no connection details yet (phase ${instance.status?.phase ?? 'Pending'})`,
      `wait until it is Running: \`kubectl mw describe ${name} -n ${ctx.namespace}\` shows its progress`,
    );
  }
  const type = await getType(ctx, instance.spec.type).catch(() => undefined);
  const version = type?.spec.versions.find((v) => v.pluginVersion === instance.spec.pluginVersion);
  const passwordKey = instance.spec.credentials?.passwordKey ?? 'password';
  const usernameKey = instance.spec.credentials?.usernameKey ?? 'username';
  let username = version?.connection?.username;
  let password: string | undefined;
  if (opts.showSecret) {
    let secret: SecretLike;
    try {
      secret = await ctx.rest.get<SecretLike>(
        `/api/v1/namespaces/${encodeURIComponent(ctx.namespace)}/secrets/${encodeURIComponent(conn.secretName)}`,
      );
    } catch (err) {
      if (isForbidden(err)) {
        throw new CliError(
          `you may not read Secret ${conn.secretName} in namespace ${ctx.namespace}`,
          'leave out --show-secret to get a command that reads it with your kubectl access, or ask a namespace admin for read access to Secrets',
        );
      }
      if (isNotFound(err)) {
        throw new CliError(
          `Secret ${conn.secretName} of instance ${name} does not exist yet`,
          `wait until the instance is Running (\`kubectl mw describe ${name}\`)`,
        );
      }
      throw err;
    }
    const b64 = secret.data?.[passwordKey];
    if (b64 === undefined) {
      throw new CliError(
        `Secret ${conn.secretName} has no key ${passwordKey}`,
        `set spec.credentials.passwordKey to one of: ${Object.keys(secret.data ?? {}).join(', ') || '(the Secret is empty)'}`,
      );
    }
    password = Buffer.from(b64, 'base64').toString('utf8');
    const u = secret.data?.[usernameKey];
    if (u !== undefined) username = Buffer.from(u, 'base64').toString('utf8');
  }
  const view = connectView({
    name,
    namespace: ctx.namespace,
    host: conn.host,
    port: conn.port,
    secretName: conn.secretName,
    passwordKey,
    scheme: schemeOf(instance.spec.type, version?.connection),
    ...(username ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(version?.connection?.cliTemplate ? { cliTemplate: version.connection.cliTemplate } : {}),
  });
  if (opts.output === 'json') {
    return `${JSON.stringify({ host: conn.host, port: conn.port, secretName: conn.secretName, ...view }, null, 2)}\n`;
  }
  return [
    `Connection:  ${view.uri}`,
    `Host:        ${conn.host}`,
    `Port:        ${conn.port}`,
    `Secret:      ${conn.secretName} (key ${passwordKey})${opts.showSecret ? '' : '; --show-secret prints the password'}`,
    '',
    'Inside the cluster:',
    `  ${view.command}`,
    '',
    'From your machine:',
    `  ${view.portForward}`,
    '',
  ].join('\n');
}
