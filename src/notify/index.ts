// Notifications (FR-035): the operator's entry points. Controllers call notifier.notify(event);
// nothing here is on the reconcile path beyond building one JSON body.
import type { Registry } from 'prom-client';
import { resourcePath } from '../kube/gvr.ts';
import type { KubeRest } from '../kube/rest.ts';
import type { Logger } from '../log/logger.ts';
import { loadNotificationsConfig } from './config.ts';
import { Notifier, type NotifierOptions, type SecretReader } from './notifier.ts';

export * from './cloudevent.ts';
export * from './config.ts';
export * from './events.ts';
export * from './notifier.ts';

/** Reads one key of a Secret through the API; errors name the Secret and key, never a value. */
export function kubeSecretReader(rest: KubeRest): SecretReader {
  return async (namespace, name, key) => {
    const secret = await rest.get<{ data?: Record<string, string> }>(
      resourcePath('v1', 'Secret', { namespace, name }),
    );
    const value = secret.data?.[key];
    if (value === undefined) {
      throw new Error(
        `Secret ${namespace}/${name} has no key "${key}"; keys present: ${Object.keys(secret.data ?? {}).join(', ') || 'none'}`,
      );
    }
    return Buffer.from(value, 'base64').toString('utf8');
  };
}

/**
 * The operator's notifier: receivers from --notifications-config, or none (notify() is then a
 * no-op). A broken file fails start-up with every problem listed (NotificationsConfigError).
 */
export async function createNotifier(opts: {
  configPath?: string;
  operatorNamespace: string;
  rest?: KubeRest;
  registry?: Registry;
  log?: Logger;
  source?: string;
  tuning?: Pick<NotifierOptions, 'queueCapacity' | 'concurrency' | 'backoff'>;
}): Promise<Notifier> {
  const receivers = opts.configPath
    ? (await loadNotificationsConfig(opts.configPath, { defaultSecretNamespace: opts.operatorNamespace }))
        .receivers
    : [];
  opts.log?.info(
    { receivers: receivers.map((r) => r.name) },
    receivers.length > 0 ? 'notifications configured' : 'no notification receivers configured',
  );
  return new Notifier({
    receivers,
    registry: opts.registry,
    log: opts.log,
    source: opts.source,
    readSecret: opts.rest ? kubeSecretReader(opts.rest) : undefined,
    ...opts.tuning,
  });
}
