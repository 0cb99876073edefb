// Scheduled backups with an injectable clock: the operator runs in process on a FakeClock, and the
// test moves time to the next cron slot instead of waiting for it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MiddlewareBackup, MiddlewareInstance } from '../../../src/api/index.ts';
import { scheduledBackupName } from '../../../src/backup/schedule.ts';
import type { RunningOperator } from '../../../src/operator/run.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { type S3Server, startS3Server } from '../../support/s3-server.ts';
import { eventually, useNamespace } from '../support/cluster.ts';
import { adminRest, installMwop } from '../support/install.ts';
import {
  backupPath,
  createRunning,
  createStorage,
  deleteStorage,
  instancePath,
  redisInstance,
  startOperatorWithClock,
} from './support.ts';

const ns = useNamespace('schedule');
const rest = adminRest();
// Real time now, so the instance's creationTimestamp (the schedule's starting point) is in the past.
const clock = new FakeClock(Date.now());
let s3: S3Server;
let operator: RunningOperator;
let storageName: string;

beforeAll(async () => {
  await installMwop();
  s3 = await startS3Server();
  await s3.createBucket('scheduled');
  storageName = `s3-${ns.name}`;
  await createStorage(rest, ns.name, storageName, s3, { bucket: 'scheduled' });
  operator = await startOperatorWithClock(ns.name, clock);
}, 600_000);
afterAll(async () => {
  await operator?.shutdown('test done');
  if (storageName) await deleteStorage(rest, storageName);
  await s3?.stop();
});

const HOUR = 3_600_000;
const nextHour = (t: number) => Math.floor(t / HOUR) * HOUR + HOUR;

/**
 * Polls on the fake clock: each attempt moves it one second (well inside the cron slot), so a
 * reconcile that was queued with a delay after the big step (a retry backoff on a busy apiserver,
 * or a requeue computed just after it) still runs.
 */
function ticking<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  return eventually(what, async () => {
    clock.advance(1_000);
    return probe();
  });
}

async function scheduledBackups(instance: string): Promise<MiddlewareBackup[]> {
  const list = await rest.get<{ items: MiddlewareBackup[] }>(backupPath(ns.name), {
    query: { labelSelector: `mwop.dev/instance=${instance}` },
  });
  return list.items.filter((b) => b.metadata.labels?.['mwop.dev/scheduled'] === 'true');
}

describe('backup schedule', () => {
  it('creates one MiddlewareBackup per cron slot when the clock reaches it, never two, and records lastScheduleTime', async () => {
    await createRunning(
      rest,
      redisInstance(ns.name, 'hourly', { backup: { storage: storageName, schedule: '0 * * * *' } }),
    );
    // The schedule controller has planned its next run on the fake clock; nothing is due yet.
    await eventually('the schedule waits on the clock', async () => (clock.pending() > 0 ? true : undefined));
    expect(await scheduledBackups('hourly')).toEqual([]);

    const slot1 = nextHour(clock.now());
    clock.advance(slot1 - clock.now() + 1_000);
    const first = await ticking('the first scheduled backup', async () => {
      const items = await scheduledBackups('hourly');
      return items.length > 0 ? items : undefined;
    });
    expect(first.map((b) => b.metadata.name)).toEqual([scheduledBackupName('hourly', slot1)]);
    expect(first[0]!.metadata.annotations?.['mwop.dev/scheduled-at']).toBe(new Date(slot1).toISOString());
    expect(first[0]!.spec).toMatchObject({ instanceRef: { name: 'hourly' }, storage: storageName });
    const inst = await ticking('lastScheduleTime recorded', async () => {
      const i = await rest.get<MiddlewareInstance>(instancePath(ns.name, 'hourly'));
      return i.status?.lastScheduleTime ? i : undefined;
    });
    expect(new Date(inst.status!.lastScheduleTime!).getTime()).toBe(slot1);

    // Moving a few minutes within the same slot creates nothing more.
    clock.advance(5 * 60_000);
    await eventually('the schedule waits again', async () => (clock.pending() > 0 ? true : undefined));
    expect((await scheduledBackups('hourly')).length).toBe(1);

    // The next slot brings exactly the next backup.
    const slot2 = slot1 + HOUR;
    clock.advance(slot2 - clock.now() + 1_000);
    const both = await ticking('the second scheduled backup', async () => {
      const items = await scheduledBackups('hourly');
      return items.length >= 2 ? items : undefined;
    });
    expect(both.map((b) => b.metadata.name).sort()).toEqual(
      [scheduledBackupName('hourly', slot1), scheduledBackupName('hourly', slot2)].sort(),
    );
  });
});
