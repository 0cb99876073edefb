// Member 0 of a simulated Redis instance, played by a real redis-server: the part a kubelet plays
// on a real node. It serves from the member's volume (the hostPath PersistentVolume the simulation
// bound to data-<instance>-0) on one fixed port, runs while the StatefulSet asks for replicas, and
// stops when a workflow scales it to 0, as the pod would. So a tool step the simulator runs on the
// host (backup, restore) meets what it would meet in a cluster: a serving member, or a stopped
// one whose dump.rdb a restore may replace and the next start loads.
import { mkdirSync } from 'node:fs';
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { resourcePath } from '../../../src/kube/gvr.ts';
import { freePort } from '../../support/process.ts';
import { type RedisServer, startRedisServer } from '../../support/redis-server.ts';
import { type E2eNamespace, watchStatefulSet } from './e2e.ts';

export interface MemberStandIn {
  host: string;
  port: number;
  /** The member's volume on this host. */
  dir: string;
  /** The running server; throws while the member is scaled to 0. */
  server(): RedisServer;
  /** Every start and stop, in order: ['start', 'stop', 'start'] for one restore in place. */
  events(): string[];
  stop(): Promise<void>;
}

async function memberVolume(ns: E2eNamespace, instance: string): Promise<string> {
  const pvc = await ns.rest.get<V1PersistentVolumeClaim>(
    resourcePath('v1', 'PersistentVolumeClaim', { namespace: ns.name, name: `data-${instance}-0` }),
  );
  // A raw path: the operator never touches PersistentVolumes, so its GVR table has none.
  const pv = await ns.rest.get<V1PersistentVolume>(`/api/v1/persistentvolumes/${pvc.spec?.volumeName}`);
  const dir = pv.spec?.hostPath?.path;
  if (!dir) throw new Error(`data-${instance}-0 is not bound to a simulated hostPath volume`);
  mkdirSync(dir, { recursive: true }); // DirectoryOrCreate, as the kubelet mounts it
  return dir;
}

/** Starts member 0 of a Running instance; call stop() in afterAll. */
export async function standInForMember(
  ns: E2eNamespace,
  instance: string,
  password: string,
): Promise<MemberStandIn> {
  const dir = await memberVolume(ns, instance);
  const port = await freePort();
  const events: string[] = [];
  let running: RedisServer | undefined;
  let lastError: Error | undefined;
  // Starts and stops run one at a time, in the order the StatefulSet changed.
  let chain: Promise<void> = Promise.resolve();
  const want = (replicas: number) => {
    chain = chain.then(async () => {
      try {
        if (replicas > 0 && !running) {
          running = await startRedisServer({ password, dir, port });
          events.push('start');
        } else if (replicas === 0 && running) {
          await running.stop();
          running = undefined;
          events.push('stop');
        }
      } catch (err) {
        lastError = err as Error;
      }
    });
    return chain;
  };
  await want(1);
  const watch = await watchStatefulSet(ns, instance, (sts) => {
    void want(sts ? (sts.spec?.replicas ?? 1) : 0);
  });
  return {
    host: '127.0.0.1',
    port,
    dir,
    server() {
      if (lastError) throw lastError;
      if (!running) throw new Error(`member ${instance}-0 is stopped (the StatefulSet is scaled to 0)`);
      return running;
    },
    events: () => [...events],
    async stop() {
      await watch.stop();
      await want(0);
    },
  };
}
