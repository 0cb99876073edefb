// Every controller the leader runs, over one set of shared caches, plus the lifecycle observer
// that turns status transitions into notifications and metrics.
import type { Controller } from '../kube/controller.ts';
import { createNotifier, type Notifier } from '../notify/index.ts';
import { type Caches, createCaches } from './caches.ts';
import type { OperatorContext, Runnable } from './context.ts';
import { detectIntegrations } from './integrations.ts';
import { observeLifecycle } from './observer.ts';
import { wireControllers } from './wiring.ts';

/** How long queued notifications may still go out on shutdown; a hung receiver gets no more. */
const NOTIFY_DRAIN_MS = 2_000;

export function controllersFor(ctx: OperatorContext): Runnable[] {
  let caches: Caches | undefined;
  let controllers: Controller[] = [];
  let notifier: Notifier | undefined;
  return [
    {
      name: 'controllers',
      async start() {
        notifier = await createNotifier({
          configPath: ctx.config.notificationsConfig,
          operatorNamespace: ctx.config.leaseNamespace,
          rest: ctx.rest,
          registry: ctx.registry,
          log: ctx.log.child({ component: 'notifier' }),
        });
        caches = createCaches(ctx);
        controllers = wireControllers(ctx, caches, await detectIntegrations(ctx.rest));
        observeLifecycle({ caches, notifier, registry: ctx.registry, log: ctx.log });
        await caches.start();
        for (const c of controllers) c.start();
        ctx.log.info({ controllers: controllers.map((c) => c.name) }, 'caches synced; controllers running');
      },
      async stop(graceMs) {
        await Promise.all(controllers.map((c) => c.stop(graceMs)));
        await caches?.stop();
        await notifier?.close(Math.min(graceMs, NOTIFY_DRAIN_MS));
      },
    },
  ];
}
