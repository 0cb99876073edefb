// The mysql plugin as deployed (deploy/plugins/mysql.yaml): defaults, presets, overrides, and the
// exact message for each kind of bad input.
import { describe, expect, it } from 'vitest';
import { accepted, errorsOf, loadPlugin, registryOf } from './support.ts';

const KEYS =
  'binlog_expire_logs_seconds, character_set_server, collation_server, innodb_buffer_pool_size, innodb_flush_log_at_trx_commit, innodb_log_buffer_size, innodb_redo_log_capacity, long_query_time, max_allowed_packet, max_connections, performance_schema, skip_name_resolve, slow_query_log, sql_mode, sync_binlog, table_open_cache, tmp_table_size, transaction_isolation, wait_timeout';

describe('mysql plugin config', () => {
  const plugin = loadPlugin('mysql');

  it('renders the defaults: the default preset (small) over the CUE defaults', async () => {
    const c = await accepted(plugin);
    expect(c.values).toMatchObject({
      innodb_buffer_pool_size: '256M',
      max_connections: 100,
      innodb_flush_log_at_trx_commit: 1,
      transaction_isolation: 'REPEATABLE-READ',
      slow_query_log: false,
      long_query_time: 10,
    });
    const cnf = c.files['my.cnf']!;
    expect(cnf.startsWith('# my.cnf rendered by mwop')).toBe(true);
    expect(cnf).toContain('\n[mysqld]\n');
    expect(cnf).toContain('\ninnodb_buffer_pool_size = 256M\n');
    expect(cnf).toContain('\nmax_connections = 100\n');
    expect(cnf).toContain('\ngtid_mode = ON\n');
    expect(cnf).toContain('\nslow_query_log = OFF\n');
    expect(cnf).toContain(
      '\nsql_mode = "ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"\n',
    );
    expect(cnf).toContain('(mysql v1, MySQL 8.4.6)');
    expect(cnf).not.toMatch(/\{\{|undefined|\[object/);
  });

  it.each([
    ['small', '256M', 100],
    ['medium', '3G', 500],
    ['large', '12G', 2000],
  ])('renders preset %s', async (preset, pool, connections) => {
    const c = await accepted(plugin, { preset });
    expect(c.files['my.cnf']).toContain(`\ninnodb_buffer_pool_size = ${pool}\n`);
    expect(c.files['my.cnf']).toContain(`\nmax_connections = ${connections}\n`);
  });

  it('merges overrides key by key over the preset', async () => {
    const c = await accepted(plugin, {
      preset: 'medium',
      overrides: { max_connections: 800, transaction_isolation: 'READ-COMMITTED', long_query_time: 0.5 },
    });
    expect(c.values).toMatchObject({
      max_connections: 800,
      transaction_isolation: 'READ-COMMITTED',
      long_query_time: 0.5,
      innodb_buffer_pool_size: '3G',
      slow_query_log: true,
      wait_timeout: 28800,
    });
    expect(c.files['my.cnf']).toContain('\nlong_query_time = 0.5\n');
    expect(c.files['my.cnf']).toContain('\nslow_query_log = ON\n');
  });

  it.each([
    [
      'wrong type',
      { max_connections: 'many' },
      'spec.config.overrides.max_connections: expected an integer from 1 to 100000, not a string (got "many")',
    ],
    [
      'below the minimum',
      { max_connections: 0 },
      'spec.config.overrides.max_connections: out of range: expected an integer from 1 to 100000 (got 0)',
    ],
    [
      'pattern',
      { innodb_buffer_pool_size: '1GB' },
      'spec.config.overrides.innodb_buffer_pool_size: expected a string matching ^[0-9]+[KMG]?$ (InnoDB buffer pool size: bytes with an optional K, M or G suffix, e.g. 1G. Size it to about 70% of the container memory limit.) (got "1GB")',
    ],
    [
      'integer enum',
      { innodb_flush_log_at_trx_commit: 3 },
      'spec.config.overrides.innodb_flush_log_at_trx_commit: expected one of 1, 0, 2 (got 3)',
    ],
    [
      'string enum',
      { transaction_isolation: 'SNAPSHOT' },
      'spec.config.overrides.transaction_isolation: expected one of "REPEATABLE-READ", "READ-COMMITTED", "READ-UNCOMMITTED", "SERIALIZABLE" (got "SNAPSHOT")',
    ],
    [
      'character set not offered',
      { character_set_server: 'utf16' },
      'spec.config.overrides.character_set_server: expected one of "utf8mb4", "utf8mb3", "latin1", "ascii", "binary" (got "utf16")',
    ],
    [
      'integer for a boolean',
      { slow_query_log: 1 },
      'spec.config.overrides.slow_query_log: expected true or false, not an integer (got 1)',
    ],
    [
      'negative number',
      { long_query_time: -1 },
      'spec.config.overrides.long_query_time: out of range: expected a number from 0 to 31536000 (got -1)',
    ],
    [
      'unknown key, with a suggestion',
      { max_connection: 10 },
      `spec.config.overrides.max_connection: unknown key for mysql v1; did you mean "max_connections"? accepted keys: ${KEYS} (got 10)`,
    ],
    [
      'unknown key',
      { innodb_file_per_table: true },
      `spec.config.overrides.innodb_file_per_table: unknown key for mysql v1; accepted keys: ${KEYS} (got true)`,
    ],
    [
      'sql_mode format',
      { sql_mode: 'strict' },
      'spec.config.overrides.sql_mode: expected a string matching ^[A-Z_]*(,[A-Z_]+)*$ (SQL modes, comma separated.) (got "strict")',
    ],
    [
      'zero timeout',
      { wait_timeout: 0 },
      'spec.config.overrides.wait_timeout: out of range: expected an integer from 1 to 31536000 (got 0)',
    ],
  ])('rejects %s', async (_what, overrides, message) => {
    expect(await errorsOf(plugin, { overrides })).toEqual([message]);
  });

  it('rejects an unknown preset and an unsupported middleware version', async () => {
    expect(await errorsOf(plugin, { preset: 'xl' })).toEqual([
      'spec.config.preset: unknown preset for mysql v1; accepted: small, medium, large (got "xl")',
    ]);
    expect(() => registryOf('mysql').resolve('mysql', 'v1', '5.7.44')).toThrow(
      'spec.middlewareVersion: middleware version 5.7.44 is not supported by mysql v1; supported: 8.0.40, 8.0.43, 8.4.3, 8.4.6',
    );
  });
});
