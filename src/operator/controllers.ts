import type { OperatorContext, Runnable } from './context.ts';

/** Every controller the leader runs. */
export function controllersFor(_ctx: OperatorContext): Runnable[] {
  return [];
}
