// Pure: how to connect to an instance. The secret is shown only when asked for; otherwise the
// command line reads it from the Secret itself, so it can be pasted without ever being printed.
import Handlebars from 'handlebars';
import type { Connection } from '../api/index.ts';

export interface ConnectInput {
  name: string;
  namespace: string;
  host: string;
  port: number;
  secretName: string;
  passwordKey: string;
  scheme: string;
  /** The user name: from the type's connection, or the Secret when it was read. */
  username?: string;
  /** Only with --show-secret. */
  password?: string;
  cliTemplate?: string;
}

export interface ConnectView {
  uri: string;
  command: string;
  portForward: string;
}

export function secretCommand(secret: string, key: string, namespace: string): string {
  return `kubectl get secret ${secret} -n ${namespace} -o jsonpath='{.data.${key.replace(/\./g, '\\.')}}' | base64 -d`;
}

/** The scheme from the type's connection, else the type name (redis, mysql, ...). */
export function schemeOf(typeName: string, conn: Connection | undefined): string {
  return conn?.scheme ?? typeName;
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function connectView(input: ConnectInput): ConnectView {
  const secretCmd = secretCommand(input.secretName, input.passwordKey, input.namespace);
  const shown = input.password !== undefined;
  const pw = shown ? encodeURIComponent(input.password as string) : '****';
  const userPart = input.username ? encodeURIComponent(input.username) : '';
  const uri = `${input.scheme}://${userPart}:${pw}@${input.host}:${input.port}`;
  const passwordExpr = shown ? shellQuote(input.password as string) : `"$(${secretCmd})"`;
  let command: string;
  if (input.cliTemplate) {
    command = Handlebars.compile(input.cliTemplate, { noEscape: true })({
      name: input.name,
      host: input.host,
      port: input.port,
      username: input.username ?? '',
      secretName: input.secretName,
      namespace: input.namespace,
      password: passwordExpr,
    });
  } else if (input.scheme === 'redis' || input.scheme === 'rediss') {
    const user =
      input.username && input.username !== 'default' ? ` --user ${shellQuote(input.username)}` : '';
    command = `REDISCLI_AUTH=${passwordExpr} redis-cli -h ${input.host} -p ${input.port}${user}${input.scheme === 'rediss' ? ' --tls' : ''}`;
  } else if (input.scheme === 'mysql' || input.scheme === 'mariadb') {
    command = `MYSQL_PWD=${passwordExpr} mysql -h ${input.host} -P ${input.port} -u ${shellQuote(input.username ?? 'root')}`;
  } else {
    command = `# no client command is known for ${input.scheme}; connect to ${input.host}:${input.port} with password ${shown ? passwordExpr : `from: ${secretCmd}`}`;
  }
  const svc = input.host.split('.')[0] as string;
  return {
    uri,
    command,
    portForward: `kubectl port-forward -n ${input.namespace} svc/${svc} ${input.port}:${input.port}   # then use -h 127.0.0.1`,
  };
}
