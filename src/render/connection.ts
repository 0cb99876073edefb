// status.connection and the client command line shown by `kubectl mw connect`.
import Handlebars from 'handlebars';
import type { MiddlewareInstance } from '../api/index.ts';
import type { ResolvedPlugin } from '../plugins/types.ts';
import { clientPort, credentialRefs } from './effective.ts';
import { RenderError } from './errors.ts';
import { names } from './meta.ts';

export interface ConnectionInfo {
  host: string;
  port: number;
  secretName: string;
  /** Username when the type fixes one; otherwise it is in the Secret. */
  username?: string;
  /** A client command line; it never contains the password. */
  command: string;
}

/** Default command lines per scheme, for types without a cliTemplate. */
function defaultCommand(scheme: string, v: { host: string; port: number; username?: string }): string {
  switch (scheme) {
    case 'redis':
    case 'rediss':
      return `redis-cli -h ${v.host} -p ${v.port}${v.username ? ` --user ${v.username}` : ''} --askpass`;
    case 'mysql':
    case 'mariadb':
      return `mysql -h ${v.host} -P ${v.port} -u ${v.username ?? 'root'} -p`;
    case 'postgres':
    case 'postgresql':
      return `psql -h ${v.host} -p ${v.port} -U ${v.username ?? 'postgres'} -W`;
    case 'mongodb':
      return `mongosh --host ${v.host} --port ${v.port}${v.username ? ` -u ${v.username}` : ''} -p`;
    case 'kafka':
      return `kafka-topics.sh --bootstrap-server ${v.host}:${v.port} --list`;
    default:
      return `${scheme}://${v.username ? `${v.username}@` : ''}${v.host}:${v.port}`;
  }
}

export function connectionInfo(instance: MiddlewareInstance, plugin: ResolvedPlugin): ConnectionInfo {
  const host = `${names(instance).clientService}.${instance.metadata.namespace}.svc`;
  const port = clientPort(plugin).port;
  const refs = credentialRefs(instance, plugin);
  const conn = plugin.version.connection;
  const values = {
    host,
    port,
    secretName: refs.secretName,
    namespace: instance.metadata.namespace,
    name: instance.metadata.name,
    // Always present, so templates in strict mode may test it with {{#if username}}.
    username: refs.fixedUsername ?? '',
  };
  let command: string;
  if (conn?.cliTemplate) {
    try {
      command = Handlebars.compile(conn.cliTemplate, { noEscape: true, strict: true })(values).trim();
    } catch (err) {
      throw new RenderError(
        `MiddlewareType ${plugin.typeName} ${plugin.version.pluginVersion} connection.cliTemplate`,
        conn.cliTemplate,
        `a Handlebars template over host, port, username, secretName, namespace and name (${(err as Error).message.split('\n')[0]})`,
      );
    }
  } else {
    command = defaultCommand(conn?.scheme ?? plugin.typeName, {
      host,
      port,
      ...(refs.fixedUsername ? { username: refs.fixedUsername } : {}),
    });
  }
  return {
    host,
    port,
    secretName: refs.secretName,
    ...(refs.fixedUsername ? { username: refs.fixedUsername } : {}),
    command,
  };
}
