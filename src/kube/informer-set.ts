// One informer per watched namespace (or one cluster-wide), behind a single cache interface, so
// an operator restricted to some namespaces never needs cluster-wide list permission.
import type { KubernetesObject } from '@kubernetes/client-node';
import { type Cache, Informer, type InformerHandler, type InformerOptions } from './informer.ts';

export class InformerSet<T extends KubernetesObject> implements Cache<T> {
  private readonly members: Informer<T>[];
  private readonly byNamespace = new Map<string, Informer<T>>();

  constructor(namespaces: string[], opts: Omit<InformerOptions<T>, 'namespace'>) {
    if (namespaces.length === 0) {
      this.members = [new Informer<T>(opts)];
    } else {
      this.members = namespaces.map((namespace) => {
        const inf = new Informer<T>({ ...opts, namespace });
        this.byNamespace.set(namespace, inf);
        return inf;
      });
    }
  }

  on(handler: InformerHandler<T>): this {
    for (const m of this.members) m.on(handler);
    return this;
  }

  async start(): Promise<void> {
    await Promise.all(this.members.map((m) => m.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.members.map((m) => m.stop()));
  }

  get(namespace: string | undefined, name: string): T | undefined {
    if (this.byNamespace.size === 0) return this.members[0]!.get(namespace, name);
    return namespace ? this.byNamespace.get(namespace)?.get(namespace, name) : undefined;
  }

  list(namespace?: string): T[] {
    return this.members.flatMap((m) => m.list(namespace));
  }

  get size(): number {
    return this.members.reduce((n, m) => n + m.size, 0);
  }
}
