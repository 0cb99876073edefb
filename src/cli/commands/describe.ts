// kubectl mw describe <name>: status, conditions, operations and the current operation's DAG.
import type { Command } from 'commander';
import { cliContext } from '../context.ts';
import { formatObjects } from '../output.ts';
import { getInstance, listAll, readWorkflow, workflowForbiddenNote } from '../resources.ts';
import { describeInstance, type EventLike } from '../views.ts';

export function register(program: Command): void {
  program
    .command('describe <name>')
    .description("Show an instance's status, conditions, recent operations and the running operation's DAG")
    .option('-o, --output <format>', 'yaml or json: the instance object instead of the description')
    .option('--ascii', 'draw the DAG with ASCII symbols only')
    .action(async (name: string, opts: { output?: string; ascii?: boolean }, cmd: Command) => {
      const ctx = cliContext(cmd);
      const instance = await getInstance(ctx, name);
      if (opts.output === 'yaml' || opts.output === 'json') {
        ctx.out.write(formatObjects([instance], opts.output, true));
        return;
      }
      const ops = instance.status?.operations;
      const wfName = ops?.current?.workflow ?? ops?.recent?.[0]?.workflow;
      const read = wfName ? await readWorkflow(ctx, ctx.namespace, wfName) : undefined;
      const workflow = read && 'workflow' in read ? read.workflow : undefined;
      const workflowNote =
        wfName && read && 'missing' in read && read.missing === 'forbidden'
          ? workflowForbiddenNote(ctx.namespace, wfName)
          : undefined;
      const events = await instanceEvents(ctx.rest, ctx.namespace, name);
      ctx.out.write(
        describeInstance({
          instance,
          ...(workflow ? { workflow } : {}),
          ...(workflowNote ? { workflowNote } : {}),
          ...(events ? { events } : {}),
          now: new Date(),
          ascii: Boolean(opts.ascii),
        }),
      );
    });
}

/** The instance's events, oldest first; undefined when the user may not read events. */
async function instanceEvents(
  rest: ReturnType<typeof cliContext>['rest'],
  namespace: string,
  name: string,
): Promise<EventLike[] | undefined> {
  try {
    const events = await listAll<EventLike>(
      rest,
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`,
      {
        fieldSelector: `involvedObject.kind=MiddlewareInstance,involvedObject.name=${name}`,
      },
    );
    const at = (e: EventLike) =>
      Date.parse(e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '') || 0;
    return events.sort((a, b) => at(a) - at(b)).slice(-10);
  } catch {
    return undefined;
  }
}
