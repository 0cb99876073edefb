import { describe, expect, it } from 'vitest';
import { parseInfo, parsePersistence, parseReplication } from '../../../src/agent/redis/info.ts';

const primaryInfo = [
  '# Replication',
  'role:master',
  'connected_slaves:2',
  'slave0:ip=10.0.0.2,port=6379,state=online,offset=1234,lag=0',
  'slave1:ip=10.0.0.3,port=6379,state=wait_bgsave,offset=0,lag=7',
  'master_repl_offset:1234',
  '',
  '# Persistence',
  'rdb_bgsave_in_progress:1',
  'aof_rewrite_in_progress:0',
  'aof_rewrite_scheduled:0',
].join('\r\n');

const replicaInfo = [
  '# Replication',
  'role:slave',
  'master_host:cache-0.cache',
  'master_port:6379',
  'master_link_status:up',
  'master_last_io_seconds_ago:3',
  'master_sync_in_progress:0',
  'slave_repl_offset:1200',
].join('\n');

describe('parseInfo', () => {
  it('flattens sections and keeps values with colons', () => {
    expect(
      parseInfo('# Server\r\nredis_version:7.0.15\r\nexecutable:/usr/bin/redis-server\r\nx:a:b\r\n'),
    ).toEqual({
      redis_version: '7.0.15',
      executable: '/usr/bin/redis-server',
      x: 'a:b',
    });
  });
});

describe('parseReplication', () => {
  it('reads a primary and its replicas in order', () => {
    expect(parseReplication(parseInfo(primaryInfo))).toEqual({
      role: 'primary',
      offset: 1234,
      replicas: [
        { host: '10.0.0.2', port: 6379, state: 'online', offset: 1234, lagSeconds: 0 },
        { host: '10.0.0.3', port: 6379, state: 'wait_bgsave', offset: 0, lagSeconds: 7 },
      ],
    });
  });

  it('reads a replica', () => {
    expect(parseReplication(parseInfo(replicaInfo))).toEqual({
      role: 'replica',
      primaryHost: 'cache-0.cache',
      primaryPort: 6379,
      linkUp: true,
      lastIoSecondsAgo: 3,
      syncInProgress: false,
      offset: 1200,
    });
  });

  it('reports -1 for the last contact of a replica whose link is down', () => {
    const down = parseReplication(
      parseInfo('role:slave\nmaster_host:h\nmaster_port:1\nmaster_link_status:down\n'),
    );
    expect(down).toMatchObject({ linkUp: false, lastIoSecondsAgo: -1 });
  });

  it('names an unknown role', () => {
    expect(() => parseReplication({ role: 'sentinel' })).toThrow(
      'INFO replication: role is "sentinel", want master or slave',
    );
  });
});

describe('parsePersistence', () => {
  it('reads save and rewrite flags', () => {
    expect(parsePersistence(parseInfo(primaryInfo))).toEqual({
      rdbSaveInProgress: true,
      aofRewriteInProgress: false,
      aofRewriteScheduled: false,
    });
  });
});
