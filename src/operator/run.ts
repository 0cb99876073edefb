// The operator process: probes and metrics on every replica, controllers only on the leader,
// and a shutdown that stops taking work, lets in-flight reconciles finish, and releases the lease.
import type { Server } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { cueEvaluator } from '../config/cue-evaluator.ts';
import { ApiEventRecorder } from '../kube/events.ts';
import { apiLeaseStore, LeaderElector } from '../kube/leader-election.ts';
import { KubeRest } from '../kube/rest.ts';
import { createLogger, type Logger } from '../log/logger.ts';
import type { OperatorConfig } from './config.ts';
import type { OperatorContext, Runnable } from './context.ts';
import { startHttpServer } from './http-server.ts';
import { loadKubeConfig } from './kubeconfig.ts';
import { type RunningWebhook, startOperatorWebhook } from './webhook.ts';

export interface RunningOperator {
  ctx: OperatorContext;
  elector?: LeaderElector;
  /** The admission webhook, served by every replica. */
  webhook: RunningWebhook;
  isLeader(): boolean;
  /** Graceful stop: as on SIGTERM. Resolves when everything is down. */
  shutdown(reason: string): Promise<void>;
  done: Promise<number>;
}

export async function runOperator(
  config: OperatorConfig,
  buildRunnables: (ctx: OperatorContext) => Runnable[],
  opts: { log?: Logger; exitOnLostLease?: boolean } = {},
): Promise<RunningOperator> {
  const log = opts.log ?? createLogger({ level: config.logLevel });
  const kc = loadKubeConfig(config);
  const rest = new KubeRest(kc);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const events = new ApiEventRecorder({
    rest,
    reportingInstance: config.identity,
    onError: (err) => log.debug({ err: (err as Error).message }, 'could not record event'),
  });
  const ctx: OperatorContext = { config, rest, log, registry, events };
  const runnables = buildRunnables(ctx);

  let leading = false;
  let stopping = false;
  let started: Promise<void> | undefined;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => {
    resolveDone = r;
  });

  const startAll = () => {
    leading = true;
    log.info({ identity: config.identity }, 'became leader; starting controllers');
    started = cueWorkersReady(log)
      .then(() => Promise.all(runnables.map((r) => r.start())))
      .then(() => undefined);
    started.catch((err) => log.error({ err: (err as Error).message }, 'a controller failed to start'));
  };
  const stopAll = async (graceMs: number) => {
    leading = false;
    // A SIGTERM right after winning the lease lands while the controllers still start; stopping
    // them before that finishes would let them come up afterwards and run (and lead) forever.
    await started?.catch(() => undefined);
    await Promise.all(runnables.map((r) => r.stop(graceMs)));
  };

  const servers: Server[] = [];
  servers.push(
    await startHttpServer(config.healthPort, registry, {
      healthy: () => !stopping,
      ready: () => !stopping,
    }),
  );
  if (config.metricsPort !== config.healthPort) {
    servers.push(
      await startHttpServer(config.metricsPort, registry, { healthy: () => true, ready: () => true }),
    );
  }

  const webhook = await startOperatorWebhook(ctx);

  let elector: LeaderElector | undefined;
  if (config.leaderElection) {
    elector = new LeaderElector({
      store: apiLeaseStore(rest, config.leaseNamespace, config.leaseName),
      namespace: config.leaseNamespace,
      name: config.leaseName,
      identity: config.identity,
      onStartedLeading: startAll,
      onStoppedLeading: () => {
        if (stopping) return;
        // controller-runtime exits here: a replica that lost its lease must not reconcile even
        // one more key, and a fresh process is the simplest way to guarantee clean caches.
        log.error({ identity: config.identity }, 'lost the leader lease; stopping reconciliation at once');
        void stopAll(0).then(() => {
          if (opts.exitOnLostLease ?? true) process.exit(1);
        });
      },
      onNewLeader: (id) => log.info({ leader: id }, 'observed leader'),
      onError: (err) => log.warn({ err: (err as Error).message }, 'leader election round failed'),
    });
    elector.start();
  } else {
    startAll();
  }

  const shutdown = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    log.info(
      { reason, graceMs: config.shutdownGraceMs },
      'shutting down: no new work, finishing in-flight reconciles',
    );
    await stopAll(config.shutdownGraceMs);
    await elector?.stop();
    await webhook.stop();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    log.info('shutdown complete; lease released');
    resolveDone(0);
  };

  return { ctx, elector, webhook, isLeader: () => leading, shutdown, done };
}

/** Longest wait for the CUE workers before the controllers start anyway. */
const CUE_WARM_LIMIT_MS = 60_000;

/**
 * With CUE worker threads (the webhook starts them), the controllers start once a worker has
 * loaded its runtime (the lease is contended as before). Started earlier, their first validations would load one in this thread too,
 * about 120 MB that is never given back (issue #13). Past the limit they start anyway.
 */
async function cueWorkersReady(log: Logger): Promise<void> {
  const evaluator = cueEvaluator();
  if (evaluator.workers === 0) return;
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<'limit'>((resolve) => {
    timer = setTimeout(() => resolve('limit'), CUE_WARM_LIMIT_MS);
  });
  const outcome = await Promise.race([evaluator.warm().then(() => 'ready' as const), limit]);
  clearTimeout(timer);
  const ms = Date.now() - started;
  if (outcome === 'ready') log.info({ ms, workers: evaluator.workers }, 'CUE workers ready');
  else log.warn({ ms }, 'CUE workers not ready yet; starting the controllers anyway');
}
