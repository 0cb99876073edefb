// The thin Kubernetes side of the registry: a MiddlewareType informer (src/kube/informer.ts, with
// relist, watch restarts and a watchdog) whose events feed a TypeRegistry.
import type { MiddlewareType } from '../api/index.ts';
import { API_VERSION } from '../api/index.ts';
import { Informer } from '../kube/informer.ts';
import type { KubeRest } from '../kube/rest.ts';
import { TypeRegistry } from './registry.ts';

export interface RunningTypeRegistry {
  registry: TypeRegistry;
  informer: Informer<MiddlewareType>;
  stop(): Promise<void>;
}

/** Starts the informer and resolves once the first list is in the registry. */
export async function startTypeRegistry(
  rest: KubeRest,
  opts: { registry?: TypeRegistry; onError?: (err: unknown, context: string) => void } = {},
): Promise<RunningTypeRegistry> {
  const registry = opts.registry ?? new TypeRegistry();
  const informer = new Informer<MiddlewareType>({
    rest,
    apiVersion: API_VERSION,
    kind: 'MiddlewareType',
    // The registry reads spec only; status and managed fields would just take memory.
    transform: (o) => ({ ...o, metadata: { ...o.metadata, managedFields: undefined } }) as MiddlewareType,
    ...(opts.onError ? { onError: opts.onError } : {}),
  });
  informer.on((type, obj) => registry.apply(type, obj));
  await informer.start();
  return { registry, informer, stop: () => informer.stop() };
}
