// Binds the pure planners and renderers to the controllers. The only place that knows them all.
import type { Controller } from '../kube/controller.ts';
import type { Caches } from './caches.ts';
import type { OperatorContext } from './context.ts';

export function wireControllers(_ctx: OperatorContext, _caches: Caches): Controller[] {
  // Filled in as the registry (issue 4) and the workflow planners (issue 6) land.
  return [];
}
