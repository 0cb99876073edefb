// MySQL/MariaDB backup tool: a consistent logical dump.
// Backup: mariadb-dump (or mysqldump) --single-transaction (a consistent InnoDB snapshot without
// locking writers) with routines, triggers and events, all databases, streamed to S3.
// Restore: the verified dump is piped into the mariadb (or mysql) client.
// The password goes through a private --defaults-extra-file, never argv (visible in ps) or env.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ToolDriver } from './driver.ts';
import { runWithStdinFile, startProducer } from './process.ts';

export interface MysqlConnection {
  host?: string;
  port?: number;
  socket?: string;
  user: string;
  password?: string;
}

export interface MysqlSource extends MysqlConnection {
  /** Defaults to mariadb-dump; set mysqldump for MySQL images. */
  dumpBin?: string;
}

export interface MysqlTarget extends MysqlConnection {
  /** Defaults to mariadb; set mysql for MySQL images. */
  clientBin?: string;
  /** Where the verified dump is staged before it is loaded; defaults to the OS temp dir. */
  workDir?: string;
}

function optionValue(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Connection arguments; the defaults file (if any) must come first. */
async function connectionArgs(c: MysqlConnection): Promise<{ args: string[]; cleanup: () => Promise<void> }> {
  const args: string[] = [];
  let dir: string | undefined;
  if (c.password !== undefined) {
    dir = await mkdtemp(join(tmpdir(), 'mwop-mysql-'));
    const file = join(dir, 'client.cnf');
    await writeFile(file, `[client]\npassword=${optionValue(c.password)}\n`, { mode: 0o600 });
    args.push(`--defaults-extra-file=${file}`);
  }
  if (c.socket) args.push(`--socket=${c.socket}`);
  else {
    args.push(`--host=${c.host ?? '127.0.0.1'}`, `--port=${c.port ?? 3306}`, '--protocol=TCP');
  }
  args.push(`--user=${c.user}`);
  const d = dir;
  return { args, cleanup: async () => (d ? rm(d, { recursive: true, force: true }) : undefined) };
}

export const mysqlDriver: ToolDriver<MysqlSource, MysqlTarget> = {
  type: 'mysql',
  format: 'mysql-sql',
  dataFile: 'dump.sql',
  contentType: 'application/sql',

  async dump(src) {
    const conn = await connectionArgs(src);
    const args = [
      ...conn.args,
      '--single-transaction',
      '--routines',
      '--triggers',
      '--events',
      '--all-databases',
      '--hex-blob',
      '--flush-privileges',
    ];
    try {
      const p = startProducer({ cmd: src.dumpBin ?? 'mariadb-dump', args });
      return { ...p, cleanup: conn.cleanup };
    } catch (err) {
      await conn.cleanup();
      throw err;
    }
  },

  async restore(target, fetch) {
    const dir = await mkdtemp(join(target.workDir ?? tmpdir(), 'mwop-restore-'));
    try {
      const file = join(dir, 'dump.sql');
      await fetch(file); // throws on a mismatch before the client is even started
      const conn = await connectionArgs(target);
      try {
        await runWithStdinFile({ cmd: target.clientBin ?? 'mariadb', args: [...conn.args, '--batch'] }, file);
      } finally {
        await conn.cleanup();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
