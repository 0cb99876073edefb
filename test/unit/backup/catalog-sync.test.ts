// The operator's periodic catalog sync: its flag, and which namespaces it may create backups in.
import { describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../../../src/backup/catalog.ts';
import { syncableEntries } from '../../../src/backup/catalog-sync.ts';
import { parseOperatorConfig } from '../../../src/operator/config.ts';

describe('--backup-catalog-sync-interval', () => {
  const parse = (argv: string[], env: Record<string, string> = {}) => parseOperatorConfig(argv, env);

  it('is off by default and with 0', () => {
    const off = parse([]);
    expect(off.ok && off.config.backupCatalogSyncMs).toBe(0);
    const zero = parse(['--backup-catalog-sync-interval', '0']);
    expect(zero.ok && zero.config.backupCatalogSyncMs).toBe(0);
  });

  it('takes a duration from the flag or MWOP_BACKUP_CATALOG_SYNC_INTERVAL (the flag wins)', () => {
    const flag = parse(['--backup-catalog-sync-interval', '15m']);
    expect(flag.ok && flag.config.backupCatalogSyncMs).toBe(15 * 60_000);
    const env = parse([], { MWOP_BACKUP_CATALOG_SYNC_INTERVAL: '1h' });
    expect(env.ok && env.config.backupCatalogSyncMs).toBe(3_600_000);
    const both = parse(['--backup-catalog-sync-interval', '2h'], { MWOP_BACKUP_CATALOG_SYNC_INTERVAL: '1h' });
    expect(both.ok && both.config.backupCatalogSyncMs).toBe(7_200_000);
  });

  it('refuses a malformed or too short interval, naming the flag, the value and what is accepted', () => {
    for (const value of ['soon', '30s', '-5m']) {
      const r = parse(['--backup-catalog-sync-interval', value]);
      expect(r).toEqual({
        ok: false,
        problems: [
          {
            flag: '--backup-catalog-sync-interval',
            value,
            message: 'must be 0 (off) or a duration of at least 1m, for example 15m or 1h',
          },
        ],
      });
    }
  });
});

const entry = (namespace: string, name: string) =>
  ({ metadataKey: `p/${namespace}/i/${name}/metadata.json`, metadata: { namespace, name } }) as CatalogEntry;

describe('syncableEntries', () => {
  const all = [entry('team-a', 'b1'), entry('team-b', 'b2'), entry('team-c', 'b3')];

  it('every entry when the operator watches all namespaces', () => {
    expect(syncableEntries(all, [])).toEqual(all);
  });

  it('only the watched namespaces otherwise', () => {
    expect(syncableEntries(all, ['team-a', 'team-c']).map((e) => e.metadata.name)).toEqual(['b1', 'b3']);
  });
});
