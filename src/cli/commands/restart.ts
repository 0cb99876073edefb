// kubectl mw restart <name>: creates a MiddlewareOperation of type Restart (a rolling restart
// that the operator runs as a workflow, replicas before the primary).
import type { Command } from 'commander';
import type { MiddlewareOperation } from '../../api/index.ts';
import { operationFor } from '../change-plan.ts';
import { cliContext } from '../context.ts';
import { objectName } from '../output.ts';
import { denied, getInstance, operationPath } from '../resources.ts';

export function register(program: Command): void {
  program
    .command('restart <name>')
    .description('Restart every member of an instance, one at a time (creates a MiddlewareOperation)')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const ctx = cliContext(cmd);
      const instance = await getInstance(ctx, name);
      const op = await createOperation(ctx, operationFor(instance, { type: 'Restart' }));
      ctx.out.write(
        `${objectName('MiddlewareOperation', op.metadata.name ?? '')} created (Restart of ${name})\n`,
      );
      ctx.out.write(
        `next: \`kubectl get mwo ${op.metadata.name} -n ${ctx.namespace} -w\` follows it; \`kubectl mw cancel ${op.metadata.name}\` stops it\n`,
      );
    });
}

export async function createOperation(
  ctx: ReturnType<typeof cliContext>,
  op: MiddlewareOperation,
): Promise<MiddlewareOperation> {
  const ns = op.metadata.namespace || ctx.namespace;
  try {
    return await ctx.rest.post<MiddlewareOperation>(operationPath(ns), op, {
      query: { fieldManager: 'kubectl-mw' },
    });
  } catch (err) {
    throw denied(ctx, err, 'create', 'middlewareoperations', ns);
  }
}
