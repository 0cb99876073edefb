// kubectl mw scale <name> --replicas N: edits spec.replicas; the operator runs the scale workflow.
import type { Command } from 'commander';
import type { MiddlewareInstance } from '../../api/index.ts';
import { checkReplicas } from '../change-plan.ts';
import { cliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { objectName } from '../output.ts';
import { parseTimeout, waitForInstance } from '../progress.ts';
import { denied, getInstance, getType, instancePath } from '../resources.ts';
import { parseReplicas } from './create.ts';

const MERGE = 'application/merge-patch+json';

export function register(program: Command): void {
  program
    .command('scale <name>')
    .description('Change the number of members; the operator runs the scale-out or scale-in workflow')
    .requiredOption('--replicas <n>', 'desired number of members')
    .option('--wait', 'follow the scale workflow until it finishes')
    .option('--timeout <duration>', 'how long --wait waits', '10m')
    .action(
      async (name: string, opts: { replicas: string; wait?: boolean; timeout: string }, cmd: Command) => {
        const ctx = cliContext(cmd);
        const replicas = parseReplicas(opts.replicas) as number;
        const timeoutMs = parseTimeout(opts.timeout);
        const instance = await getInstance(ctx, name);
        checkReplicas(await getType(ctx, instance.spec.type), instance, replicas);
        const from = instance.spec.replicas ?? 1;
        if (from === replicas) {
          throw new CliError(
            `${name} already has spec.replicas ${replicas}`,
            `pass a different --replicas; \`kubectl mw describe ${name}\` shows what is running`,
          );
        }
        await patchSpec(ctx, instance, { replicas });
        ctx.out.write(`${objectName('MiddlewareInstance', name)} scaled (${from} -> ${replicas})\n`);
        if (opts.wait) await waitForInstance(ctx, name, { timeoutMs });
        else
          ctx.out.write(
            `next: \`kubectl mw describe ${name} -n ${ctx.namespace}\` follows the ${from < replicas ? 'scale-out' : 'scale-in'}\n`,
          );
      },
    );
}

/** A merge patch of the spec guarded by resourceVersion, so a concurrent edit is not overwritten. */
export async function patchSpec(
  ctx: ReturnType<typeof cliContext>,
  instance: MiddlewareInstance,
  spec: Record<string, unknown>,
): Promise<MiddlewareInstance> {
  const ns = instance.metadata.namespace ?? ctx.namespace;
  try {
    return await ctx.rest.patch<MiddlewareInstance>(
      instancePath(ns, instance.metadata.name),
      { metadata: { resourceVersion: instance.metadata.resourceVersion }, spec },
      MERGE,
      { query: { fieldManager: 'kubectl-mw' } },
    );
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 409) {
      throw new CliError(
        `${instance.metadata.name} changed while this command ran`,
        'run the command again; it re-reads the instance',
      );
    }
    throw denied(ctx, err, 'update', 'middlewareinstances', ns);
  }
}
