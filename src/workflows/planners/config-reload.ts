// Config reload: the controller has already applied the new ConfigMap. /reload-config on each
// member applies the settings live; a rolling restart follows only when a changed key is one of
// the type's restartKeys (or the type cannot reload at all).
import type { PlanContext } from '../context.ts';
import { chain, type Step, tails } from '../dag.ts';
import { declaredHook, hookStep } from '../hooks.ts';
import type { OperationOf } from '../operations.ts';
import { rollingChange } from '../steps.ts';

export const CONFIG_CHECKSUM = 'mwop.dev/config-checksum';

/** The restart keys among the changed ones; unknown changes count as all of the restart keys. */
export function restartKeysHit(
  restartKeys: readonly string[],
  changedKeys: readonly string[] | undefined,
): string[] {
  if (changedKeys === undefined) return [...restartKeys];
  return restartKeys.filter((k) => changedKeys.includes(k));
}

export function planConfigReload(
  ctx: PlanContext,
  op: OperationOf<'ConfigReload'>,
): { steps: Step[]; deadline: number } {
  const restartKeys = ctx.plugin.version.restartKeys ?? [];
  const hit = restartKeysHit(restartKeys, ctx.observed.config?.changedKeys);
  const canReload = declaredHook(ctx, 'reloadConfig') !== undefined;
  const settings = ctx.observed.config?.settings ?? {};
  const reloads = chain(
    Array.from({ length: ctx.running }, (_, ordinal) =>
      hookStep(ctx, 'reloadConfig', ordinal, [], {
        config: settings,
        ...(hit.length ? { restartKeys: hit } : {}),
      }),
    ),
  );
  const restart =
    !canReload || hit.length > 0
      ? rollingChange(
          ctx,
          tails(reloads),
          { metadata: { annotations: { [CONFIG_CHECKSUM]: op.checksum } } },
          'annotate-template',
        )
      : [];
  return { steps: [...reloads, ...restart], deadline: 900 + 600 * ctx.running };
}
