// Parsing of Redis INFO output. Pure.

export type InfoFields = Record<string, string>;

/** Flattens every section of INFO into key -> value; section headers and blank lines are dropped. */
export function parseInfo(text: string): InfoFields {
  const out: InfoFields = {};
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

export interface ReplicaLink {
  host: string;
  port: number;
  state: string;
  offset: number;
  lagSeconds: number;
}

export type Replication =
  | { role: 'primary'; offset: number; replicas: ReplicaLink[] }
  | {
      role: 'replica';
      primaryHost: string;
      primaryPort: number;
      linkUp: boolean;
      lastIoSecondsAgo: number;
      syncInProgress: boolean;
      offset: number;
    };

const num = (v: string | undefined, fallback = 0): number => {
  const n = Number(v);
  return v === undefined || v === '' || !Number.isFinite(n) ? fallback : n;
};

/** "ip=127.0.0.1,port=6380,state=online,offset=42,lag=0" */
export function parseReplicaLine(value: string): ReplicaLink {
  const kv = Object.fromEntries(
    value.split(',').map((p) => {
      const i = p.indexOf('=');
      return [p.slice(0, i), p.slice(i + 1)];
    }),
  );
  return {
    host: kv.ip ?? '',
    port: num(kv.port),
    state: kv.state ?? 'unknown',
    offset: num(kv.offset),
    lagSeconds: num(kv.lag),
  };
}

export function parseReplication(info: InfoFields): Replication {
  if (info.role === 'slave') {
    return {
      role: 'replica',
      primaryHost: info.master_host ?? '',
      primaryPort: num(info.master_port),
      linkUp: info.master_link_status === 'up',
      // -1 before the first contact; Redis reports it only while the link is up.
      lastIoSecondsAgo: num(info.master_last_io_seconds_ago, -1),
      syncInProgress: info.master_sync_in_progress === '1',
      offset: num(info.slave_repl_offset),
    };
  }
  if (info.role !== 'master')
    throw new Error(`INFO replication: role is ${JSON.stringify(info.role)}, want master or slave`);
  const replicas = Object.keys(info)
    .filter((k) => /^slave\d+$/.test(k))
    .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))
    .map((k) => parseReplicaLine(info[k]!));
  return { role: 'primary', offset: num(info.master_repl_offset), replicas };
}

export interface Persistence {
  rdbSaveInProgress: boolean;
  aofRewriteInProgress: boolean;
  aofRewriteScheduled: boolean;
}

export function parsePersistence(info: InfoFields): Persistence {
  return {
    rdbSaveInProgress: info.rdb_bgsave_in_progress === '1',
    aofRewriteInProgress: info.aof_rewrite_in_progress === '1',
    aofRewriteScheduled: info.aof_rewrite_scheduled === '1',
  };
}
