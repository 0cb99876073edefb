// kubectl mw tenant init <ns> --mode dedicated|shared --group <g> [--quota cpu=4,memory=8Gi,...]
// Sets a namespace up for middleware (FR-002, FR-005; docs/tenancy.md): the namespace with its
// tenancy labels, a RoleBinding of the group to the aggregated mwop-edit role, and a
// ResourceQuota that the admission webhook checks every instance against (FR-004).
//   dedicated: one namespace per team. A namespace already given to another group is refused.
//   shared:    one namespace for many groups; run init once per group. Everyone bound there sees
//              and may edit every instance in it.
import type { Command } from 'commander';
import { isNotFound } from '../../kube/errors.ts';
import type { KubeRest } from '../../kube/rest.ts';
import { parseQuantity } from '../../render/quantity.ts';
import { cliContext } from '../context.ts';
import { CliError } from '../errors.ts';

export type TenancyMode = 'dedicated' | 'shared';
export const MODE_LABEL = 'mwop.dev/tenancy';
export const TENANT_LABEL = 'mwop.dev/tenant';
export const QUOTA_NAME = 'mwop-tenant';
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const RESOURCE = /^[a-z0-9]([-a-z0-9./]*[a-z0-9])?$/;

export interface TenantObject {
  path: string;
  what: string;
  body: Record<string, unknown>;
}

/** `cpu=4,memory=8Gi` -> hard limits; every problem named with what is accepted. */
export function parseQuota(text: string): Record<string, string> {
  const hard: Record<string, string> = {};
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq).trim();
    const value = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (eq < 0 || !value)
      throw new CliError(
        `--quota: "${part}" has no value`,
        'write resource=quantity pairs, e.g. --quota cpu=4,memory=8Gi,requests.storage=100Gi,pods=20',
      );
    if (!RESOURCE.test(key))
      throw new CliError(
        `--quota: "${key}" is not a ResourceQuota resource name`,
        'use names such as cpu, memory, requests.cpu, limits.memory, requests.storage, pods, services, persistentvolumeclaims',
      );
    try {
      parseQuantity(value, `--quota ${key}`);
    } catch {
      throw new CliError(
        `--quota: ${key}=${value}: "${value}" is not a quantity`,
        'write a Kubernetes quantity, e.g. 4, 500m, 8Gi, 100Gi',
      );
    }
    hard[key] = value;
  }
  if (Object.keys(hard).length === 0)
    throw new CliError('--quota: no limits given', 'e.g. --quota cpu=4,memory=8Gi; or leave --quota out');
  return hard;
}

export function bindingName(group: string): string {
  return `mwop-edit-${group
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')}`.slice(0, 63);
}

/** The objects `tenant init` applies, in order. Pure. */
export function planTenant(opts: {
  namespace: string;
  mode: TenancyMode;
  group: string;
  quota?: Record<string, string>;
}): TenantObject[] {
  const { namespace, mode, group } = opts;
  const labels = {
    'app.kubernetes.io/managed-by': 'kubectl-mw',
    [MODE_LABEL]: mode,
    // A shared namespace has many groups; only a dedicated one names its tenant.
    ...(mode === 'dedicated' ? { [TENANT_LABEL]: bindingName(group).slice('mwop-edit-'.length) } : {}),
  };
  const objects: TenantObject[] = [
    {
      path: `/api/v1/namespaces/${namespace}`,
      what: `namespace/${namespace}`,
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels } },
    },
    {
      path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings/${bindingName(group)}`,
      what: `rolebinding/${bindingName(group)} (group ${group} -> clusterrole mwop-edit)`,
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: bindingName(group), namespace, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'mwop-edit' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group }],
      },
    },
  ];
  if (opts.quota) {
    objects.push({
      path: `/api/v1/namespaces/${namespace}/resourcequotas/${QUOTA_NAME}`,
      what: `resourcequota/${QUOTA_NAME} (${Object.entries(opts.quota)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')})`,
      body: {
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        metadata: { name: QUOTA_NAME, namespace, labels },
        spec: { hard: opts.quota },
      },
    });
  }
  return objects;
}

/** Refuses to turn another team's dedicated namespace, or a shared one, into something else. */
export function checkExisting(
  namespace: string,
  mode: TenancyMode,
  group: string,
  labels: Record<string, string> | undefined,
): void {
  const had = labels?.[MODE_LABEL];
  if (!had) return;
  if (had !== mode)
    throw new CliError(
      `namespace ${namespace} is already set up in ${had} mode`,
      `run again with --mode ${had}, or pick another namespace for ${mode} mode`,
    );
  const tenant = labels?.[TENANT_LABEL];
  const wanted = bindingName(group).slice('mwop-edit-'.length);
  if (mode === 'dedicated' && tenant && tenant !== wanted)
    throw new CliError(
      `namespace ${namespace} is the dedicated namespace of group ${tenant}`,
      `give group ${group} its own namespace, or set ${namespace} up as shared (docs/tenancy.md)`,
    );
}

async function exists(rest: KubeRest, path: string): Promise<boolean> {
  try {
    await rest.get(path);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

export function register(program: Command): void {
  const tenant = program.command('tenant').description('Set namespaces up for teams (docs/tenancy.md)');
  tenant
    .command('init <namespace>')
    .description(
      'Create or update a tenant namespace: its RoleBinding to mwop-edit for a group and, with --quota, its ResourceQuota',
    )
    .requiredOption(
      '--mode <mode>',
      'dedicated (one namespace per team) or shared (many groups, all see all)',
    )
    .requiredOption('--group <group>', 'the group (as your authenticator names it) that gets mwop-edit')
    .option('--quota <limits>', 'ResourceQuota hard limits, e.g. cpu=4,memory=8Gi,requests.storage=100Gi')
    .action(
      async (namespace: string, opts: { mode: string; group: string; quota?: string }, cmd: Command) => {
        const ctx = cliContext(cmd);
        if (opts.mode !== 'dedicated' && opts.mode !== 'shared')
          throw new CliError(
            `--mode: "${opts.mode}" is not a tenancy mode`,
            'pass --mode dedicated or --mode shared',
          );
        if (!NAME.test(namespace) || namespace.length > 63)
          throw new CliError(
            `"${namespace}" is not a valid namespace name`,
            'use lower-case letters, digits and "-", at most 63 characters, starting and ending with a letter or digit',
          );
        if (!opts.group.trim())
          throw new CliError('--group is empty', 'name the group that should use this namespace');
        const mode = opts.mode as TenancyMode;
        const quota = opts.quota === undefined ? undefined : parseQuota(opts.quota);
        const objects = planTenant({ namespace, mode, group: opts.group, ...(quota ? { quota } : {}) });
        try {
          const ns = await ctx.rest
            .get<{ metadata?: { labels?: Record<string, string> } }>(`/api/v1/namespaces/${namespace}`)
            .catch((err) => {
              if (isNotFound(err)) return undefined;
              throw err;
            });
          checkExisting(namespace, mode, opts.group, ns?.metadata?.labels);
          for (const o of objects) {
            const existed = await exists(ctx.rest, o.path);
            await ctx.rest.patch(o.path, o.body, 'application/apply-patch+yaml', {
              query: { fieldManager: 'kubectl-mw', force: true },
            });
            ctx.out.write(`${o.what} ${existed ? 'configured' : 'created'}\n`);
          }
        } catch (err) {
          const status = (err as { statusCode?: number }).statusCode;
          if (status === 403)
            throw new CliError(
              `not allowed: ${(err as Error).message}`,
              'tenant init creates namespaces, RoleBindings to mwop-edit and ResourceQuotas: run it as a cluster admin (or with those rights and `bind` on clusterrole mwop-edit)',
            );
          if (status === 404 && String((err as Error).message).includes('mwop-edit'))
            throw new CliError(
              'clusterrole mwop-edit does not exist',
              'install mwop first (kubectl apply -k deploy/operator); it ships the mwop-view/edit/admin roles',
            );
          throw err;
        }
        ctx.out.write(
          mode === 'dedicated'
            ? `namespace ${namespace} belongs to group ${opts.group}: its members may create and edit middleware here, no one else's bindings were added\n`
            : `namespace ${namespace} is shared: every member of group ${opts.group} (and of any other group bound here) sees and may edit every instance in it\n`,
        );
        if (!quota)
          ctx.out.write(
            'note: no --quota given, so instances here are limited only by other quotas in the namespace; add one with --quota cpu=4,memory=8Gi\n',
          );
        ctx.out.write(
          `next: members of ${opts.group} can run \`kubectl mw create <type> <name> -n ${namespace}\`; \`kubectl mw types\` lists the types\n`,
        );
      },
    );
}
