// kubectl mw switchover <name> [--target pod]: creates a MiddlewareOperation of type Switchover;
// the operator calls the plugin's switchover hook to promote the target (or the best replica).
import type { Command } from 'commander';
import { isForbidden, isNotFound } from '../../kube/errors.ts';
import { checkSwitchover, operationFor } from '../change-plan.ts';
import { type CliContext, cliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { objectName } from '../output.ts';
import { getInstance, getType, listAll } from '../resources.ts';
import { createOperation } from './restart.ts';

export function register(program: Command): void {
  program
    .command('switchover <name>')
    .description('Promote another member to primary (creates a MiddlewareOperation)')
    .option('--target <pod>', 'pod to promote (default: the agent picks the most up-to-date replica)')
    .action(async (name: string, opts: { target?: string }, cmd: Command) => {
      const ctx = cliContext(cmd);
      const instance = await getInstance(ctx, name);
      checkSwitchover(await getType(ctx, instance.spec.type), instance);
      if (opts.target) await checkTarget(ctx, name, opts.target);
      const op = await createOperation(
        ctx,
        operationFor(instance, {
          type: 'Switchover',
          switchover: opts.target ? { target: opts.target } : {},
        }),
      );
      ctx.out.write(
        `${objectName('MiddlewareOperation', op.metadata.name ?? '')} created (Switchover of ${name}${opts.target ? ` to ${opts.target}` : ''})\n`,
      );
      ctx.out.write(`next: \`kubectl mw describe ${name} -n ${ctx.namespace}\` follows it\n`);
    });
}

/** A target that is not a pod is refused with the members' names; unreadable pods are not checked. */
async function checkTarget(ctx: CliContext, name: string, target: string): Promise<void> {
  const podsPath = `/api/v1/namespaces/${encodeURIComponent(ctx.namespace)}/pods`;
  try {
    await ctx.rest.get(`${podsPath}/${encodeURIComponent(target)}`);
    return;
  } catch (err) {
    // A user who may not read pods still gets the operation; the agent rejects a bad target.
    if (isForbidden(err)) return;
    if (!isNotFound(err)) throw err;
  }
  const pods = await listAll<{ metadata: { name: string } }>(ctx.rest, podsPath, {
    labelSelector: `mwop.dev/instance=${name}`,
  }).catch(() => []);
  throw new CliError(
    `--target ${target}: no such pod in namespace ${ctx.namespace}`,
    pods.length > 0
      ? `use one of the members of ${name}: ${pods
          .map((p) => p.metadata.name)
          .sort()
          .join(', ')}`
      : 'leave --target out to let the agent pick the best replica',
  );
}
