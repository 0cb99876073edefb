import { createHash } from 'node:crypto';

/**
 * Deterministic workflow name per (instance, operation, generation): a restarted operator
 * computes the same name and finds the workflow instead of starting a second one. Names stay
 * within 63 characters so they fit in label values; long ones end in a hash.
 */
export function operationName(instance: string, slug: string, generation: number): string {
  const full = `${instance}-${slug}-g${generation}`;
  if (full.length <= 63) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, 63 - 9).replace(/-+$/, '')}-${hash}`;
}

export const FINALIZER = 'mwop.dev/finalizer';
export const LABEL_INSTANCE = 'mwop.dev/instance';
export const LABEL_TYPE = 'mwop.dev/type';
export const LABEL_OPERATION = 'mwop.dev/operation';
export const LABEL_RETAINED_FROM = 'mwop.dev/retained-from';
export const ANNOTATION_CANCEL = 'mwop.dev/cancel';
