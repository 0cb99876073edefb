// The reads every subcommand shares, with the errors a user needs: an unknown type lists the
// types that exist, a missing instance points at `kubectl mw list`, a denied read says whom to ask.
import type {
  MiddlewareBackup,
  MiddlewareInstance,
  MiddlewareOperation,
  MiddlewareType,
} from '../api/index.ts';
import { API_VERSION } from '../api/index.ts';
import { isForbidden, isNotFound } from '../kube/errors.ts';
import { resourcePath } from '../kube/gvr.ts';
import type { KubeRest } from '../kube/rest.ts';
import type { CliContext } from './context.ts';
import type { WorkflowLike } from './dag-view.ts';
import { CliError } from './errors.ts';

export interface List<T> {
  items: T[];
  metadata?: { continue?: string; resourceVersion?: string };
}

export const instancePath = (namespace?: string, name?: string) =>
  resourcePath(API_VERSION, 'MiddlewareInstance', {
    ...(namespace ? { namespace } : {}),
    ...(name ? { name } : {}),
  });
export const operationPath = (namespace?: string, name?: string) =>
  resourcePath(API_VERSION, 'MiddlewareOperation', {
    ...(namespace ? { namespace } : {}),
    ...(name ? { name } : {}),
  });
export const backupPath = (namespace?: string, name?: string) =>
  resourcePath(API_VERSION, 'MiddlewareBackup', {
    ...(namespace ? { namespace } : {}),
    ...(name ? { name } : {}),
  });
export const typePath = (name?: string) => resourcePath(API_VERSION, 'MiddlewareType', name ? { name } : {});
export const storagePath = (name?: string) =>
  resourcePath(API_VERSION, 'BackupStorage', name ? { name } : {});
export const workflowPath = (namespace: string, name?: string) =>
  resourcePath('argoproj.io/v1alpha1', 'Workflow', { namespace, ...(name ? { name } : {}) });

/** Every page of a list. */
export async function listAll<T>(
  rest: KubeRest,
  path: string,
  query: Record<string, string> = {},
): Promise<T[]> {
  const items: T[] = [];
  let cont: string | undefined;
  do {
    const page = await rest.get<List<T>>(path, { query: { ...query, limit: 500, continue: cont } });
    items.push(...(page.items ?? []));
    cont = page.metadata?.continue || undefined;
  } while (cont);
  return items;
}

function forbidden(ctx: CliContext, verb: string, resource: string, namespace?: string): CliError {
  const where = namespace ? ` in namespace ${namespace}` : ' cluster-wide';
  return new CliError(
    `you${ctx.user ? ` (${ctx.user})` : ''} may not ${verb} ${resource}${where}`,
    namespace
      ? `ask an admin of namespace ${namespace} for the mwop-view role (mwop-edit to change things), or use a namespace you have: \`kubectl mw list -A\` shows them`
      : 'ask a cluster admin for access, or work in a namespace you have access to with -n <namespace>',
  );
}

export async function getInstance(
  ctx: CliContext,
  name: string,
  namespace = ctx.namespace,
): Promise<MiddlewareInstance> {
  try {
    return await ctx.rest.get<MiddlewareInstance>(instancePath(namespace, name));
  } catch (err) {
    if (isNotFound(err)) {
      throw new CliError(
        `middleware instance ${JSON.stringify(name)} not found in namespace ${namespace}`,
        `\`kubectl mw list -n ${namespace}\` shows the instances there; add -n <namespace> if it lives elsewhere`,
      );
    }
    if (isForbidden(err)) throw forbidden(ctx, 'get', 'middlewareinstances', namespace);
    throw err;
  }
}

export async function listTypes(ctx: CliContext): Promise<MiddlewareType[]> {
  try {
    return await listAll<MiddlewareType>(ctx.rest, typePath());
  } catch (err) {
    if (isForbidden(err)) throw forbidden(ctx, 'list', 'middlewaretypes');
    throw err;
  }
}

export async function getType(ctx: CliContext, name: string): Promise<MiddlewareType> {
  try {
    return await ctx.rest.get<MiddlewareType>(typePath(name));
  } catch (err) {
    if (isForbidden(err)) throw forbidden(ctx, 'get', 'middlewaretypes');
    if (!isNotFound(err)) throw err;
  }
  const names = (await listTypes(ctx)).map((t) => t.metadata.name ?? '').sort();
  throw new CliError(
    `unknown middleware type ${JSON.stringify(name)}`,
    names.length > 0
      ? `use one of: ${names.join(', ')} (\`kubectl mw types\` shows their versions)`
      : 'no MiddlewareTypes are installed; a platform admin installs them with `kubectl apply -f plugins/<type>/middlewaretype.yaml`',
  );
}

export async function getOperation(
  ctx: CliContext,
  name: string,
  namespace = ctx.namespace,
): Promise<MiddlewareOperation | undefined> {
  try {
    return await ctx.rest.get<MiddlewareOperation>(operationPath(namespace, name));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    if (isForbidden(err)) throw forbidden(ctx, 'get', 'middlewareoperations', namespace);
    throw err;
  }
}

export async function getBackup(
  ctx: CliContext,
  name: string,
  namespace = ctx.namespace,
): Promise<MiddlewareBackup> {
  try {
    return await ctx.rest.get<MiddlewareBackup>(backupPath(namespace, name));
  } catch (err) {
    if (isNotFound(err)) {
      throw new CliError(
        `backup ${JSON.stringify(name)} not found in namespace ${namespace}`,
        `\`kubectl mw backup list -n ${namespace}\` shows the backups there; \`kubectl mw backup sync --storage <name>\` rebuilds the ones that exist only in S3`,
      );
    }
    if (isForbidden(err)) throw forbidden(ctx, 'get', 'middlewarebackups', namespace);
    throw err;
  }
}

export type WorkflowRead = { workflow: WorkflowLike } | { missing: 'gone' | 'forbidden' };

/** The workflow; or why it cannot be shown (gone, Argo not installed, or not readable by the user). */
export async function readWorkflow(ctx: CliContext, namespace: string, name: string): Promise<WorkflowRead> {
  try {
    return { workflow: await ctx.rest.get<WorkflowLike>(workflowPath(namespace, name)) };
  } catch (err) {
    if (isNotFound(err)) return { missing: 'gone' };
    if (isForbidden(err)) return { missing: 'forbidden' };
    throw err;
  }
}

/** The workflow, or undefined when it cannot be read. */
export async function getWorkflow(
  ctx: CliContext,
  namespace: string,
  name: string,
): Promise<WorkflowLike | undefined> {
  const r = await readWorkflow(ctx, namespace, name);
  return 'workflow' in r ? r.workflow : undefined;
}

/** Why the DAG is not shown, for a user who may not read Argo Workflows. */
export function workflowForbiddenNote(namespace: string, name: string): string {
  return `you may not read Workflow ${name} in namespace ${namespace}, so its DAG is not shown; ask a namespace admin for get on workflows.argoproj.io (the mwop-view role should include it)`;
}

/** Maps a write's 403 to a clear message; other errors pass through. */
export function denied(
  ctx: CliContext,
  err: unknown,
  verb: string,
  resource: string,
  namespace: string,
): unknown {
  return isForbidden(err) ? forbidden(ctx, verb, resource, namespace) : err;
}
