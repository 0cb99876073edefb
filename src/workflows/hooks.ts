// Hook steps: a call to one member's hook agent through mwop-hook-call. A hook the plugin version
// does not declare gives no step (the DAG is rewired around it). Deadlines and retry behaviour
// come from the contract (src/agent/contract.ts) unless the type sets timeoutSeconds.
import { HOOKS, type HookRequest, type MemberRef } from '../agent/contract.ts';
import type { HookName } from '../api/index.ts';
import type { PlanContext } from './context.ts';
import type { Step } from './dag.ts';
import { step } from './dag.ts';
import { memberHost, memberPodName } from './names.ts';
import { CWT, hookCallTemplate, hookTimeoutClass, NO_HEALTH_URL, ref } from './templates/catalog.ts';

export function declaredHook(ctx: PlanContext, hook: HookName) {
  const declared = ctx.plugin.version.lifecycleHooks?.[hook];
  if (!declared) return undefined;
  return {
    path: declared.path,
    method: declared.method ?? 'POST',
    timeoutSeconds: declared.timeoutSeconds ?? HOOKS[hook].timeoutSeconds,
  };
}

export function memberRef(ctx: PlanContext, ordinal: number): MemberRef {
  const port = ctx.plugin.version.workload.ports[0]?.port ?? 0;
  return { name: memberPodName(ctx.name, ordinal), host: memberHost(ctx.name, ctx.namespace, ordinal), port };
}

export function hookUrl(ctx: PlanContext, ordinal: number, path: string): string {
  return `http://${memberHost(ctx.name, ctx.namespace, ordinal)}:${ctx.plugin.hookPort}${path}`;
}

/** The /health URL of a member, or NO_HEALTH_URL when the type declares no health hook. */
export function healthUrl(ctx: PlanContext, ordinal: number): string {
  const h = declaredHook(ctx, 'health');
  return h ? hookUrl(ctx, ordinal, h.path) : NO_HEALTH_URL;
}

export function baseRequest(ctx: PlanContext): HookRequest {
  return {
    instance: ctx.name,
    namespace: ctx.namespace,
    type: ctx.plugin.typeName,
    pluginVersion: ctx.plugin.version.pluginVersion,
    middlewareVersion: ctx.plugin.middleware.version,
    replicas: ctx.replicas,
  };
}

/** One hook call on the member with this ordinal; task undefined when the hook is not declared. */
export function hookStep(
  ctx: PlanContext,
  hook: HookName,
  ordinal: number,
  after: string[],
  request: Partial<HookRequest> = {},
  name = `${hookSlug(hook)}-${ordinal}`,
): Step {
  const declared = declaredHook(ctx, hook);
  if (!declared) return step(name, after, undefined);
  const body: HookRequest = { ...baseRequest(ctx), member: memberRef(ctx, ordinal), ...request };
  return step(name, after, {
    templateRef: ref(CWT.hookCall, hookCallTemplate(hookTimeoutClass(declared.timeoutSeconds))),
    arguments: {
      parameters: [
        { name: 'url', value: hookUrl(ctx, ordinal, declared.path) },
        { name: 'method', value: declared.method },
        { name: 'body', value: JSON.stringify(body) },
        { name: 'timeout-seconds', value: String(declared.timeoutSeconds) },
      ],
    },
  });
}

/** preUpgrade -> pre-upgrade */
export function hookSlug(hook: HookName): string {
  return hook.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
}
