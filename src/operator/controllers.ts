// Every controller the leader runs, over one set of shared caches.
import type { Controller } from '../kube/controller.ts';
import { type Caches, createCaches } from './caches.ts';
import type { OperatorContext, Runnable } from './context.ts';
import { detectIntegrations } from './integrations.ts';
import { wireControllers } from './wiring.ts';

export function controllersFor(ctx: OperatorContext): Runnable[] {
  let caches: Caches | undefined;
  let controllers: Controller[] = [];
  return [
    {
      name: 'controllers',
      async start() {
        caches = createCaches(ctx);
        controllers = wireControllers(ctx, caches, await detectIntegrations(ctx.rest));
        await caches.start();
        for (const c of controllers) c.start();
        ctx.log.info({ controllers: controllers.map((c) => c.name) }, 'caches synced; controllers running');
      },
      async stop(graceMs) {
        await Promise.all(controllers.map((c) => c.stop(graceMs)));
        await caches?.stop();
      },
    },
  ];
}
