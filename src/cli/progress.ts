// `--wait`: follows an instance until its operation finishes, drawing the workflow's steps as
// they change. On a terminal the DAG is redrawn in place; in a log (CI, pipes) each step change
// is one line, so the output stays readable and diffable.
import type { MiddlewareInstance } from '../api/index.ts';
import type { CliContext } from './context.ts';
import {
  phaseSymbol,
  renderDag,
  type StepState,
  stepChanges,
  type WorkflowLike,
  workflowSteps,
} from './dag-view.ts';
import { CliError } from './errors.ts';
import { getInstance, readWorkflow, workflowForbiddenNote } from './resources.ts';

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Done when this holds for the instance; defaults to Running with no operation in flight. */
  done?: (i: MiddlewareInstance) => boolean;
}

export const isSettledRunning = (i: MiddlewareInstance): boolean =>
  i.status?.phase === 'Running' &&
  !i.status.operations?.current &&
  (i.status.observedGeneration ?? 0) >= (i.metadata.generation ?? 0);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Parses --timeout: 90s, 5m, 1h, or plain seconds. */
export function parseTimeout(value: string): number {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) {
    throw new CliError(`--timeout ${value}: not a duration`, 'write it like 90s, 10m or 1h');
  }
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000);
}

/** Waits for the instance; returns it when done, throws a CliError when it fails or times out. */
export async function waitForInstance(
  ctx: CliContext,
  name: string,
  opts: WaitOptions,
): Promise<MiddlewareInstance> {
  const done = opts.done ?? isSettledRunning;
  const deadline = Date.now() + opts.timeoutMs;
  const tty = ctx.out.isTTY;
  let drawn = 0;
  let lastPhase = '';
  let lastSteps: StepState[] = [];
  let lastWorkflow = '';
  let noted = false;
  for (;;) {
    const instance = await getInstance(ctx, name);
    const st = instance.status ?? {};
    const op = st.operations?.current ?? st.operations?.recent?.[0];
    const wfName = st.operations?.current?.workflow ?? (lastWorkflow || undefined);
    const read = wfName ? await readWorkflow(ctx, ctx.namespace, wfName) : undefined;
    const wf: WorkflowLike | undefined = read && 'workflow' in read ? read.workflow : undefined;
    if (wfName && read && 'missing' in read && read.missing === 'forbidden' && !noted) {
      ctx.err.write(`note: ${workflowForbiddenNote(ctx.namespace, wfName)}\n`);
      noted = true;
    }
    const phase = st.phase ?? 'Pending';
    if (tty) {
      const lines = [
        `${name}: ${phase}${st.message ? ` - ${st.message}` : ''}`,
        ...(wf ? renderDag(wf, { now: new Date() }) : []),
      ];
      // Lines longer than the terminal would wrap and break the redraw, so they are cut.
      const width = process.stdout.columns || 200;
      for (const [i, l] of lines.entries()) {
        if ([...l].length > width) lines[i] = `${[...l].slice(0, width - 1).join('')}…`;
      }
      if (drawn > 0) ctx.out.write(`\x1b[${drawn}F\x1b[J`);
      ctx.out.write(`${lines.join('\n')}\n`);
      drawn = lines.length;
    } else {
      if (phase !== lastPhase)
        ctx.out.write(`${name}: phase ${phase}${st.message ? ` (${st.message})` : ''}\n`);
      if (wfName && wfName !== lastWorkflow) {
        ctx.out.write(`${name}: ${op?.type ?? 'operation'} runs as workflow ${wfName}\n`);
        lastSteps = [];
      }
      if (wf) {
        const steps = workflowSteps(wf);
        for (const s of stepChanges(lastSteps, steps)) {
          ctx.out.write(
            `  ${phaseSymbol(s.phase)} ${s.path} ${s.phase}${s.message ? `: ${s.message}` : ''}\n`,
          );
        }
        lastSteps = steps;
      }
    }
    lastPhase = phase;
    if (wfName) lastWorkflow = wfName;
    if (done(instance)) return instance;
    const failed = phase === 'Failed' || st.operations?.current?.phase === 'Failed';
    if (failed) {
      const rec = st.operations?.current ?? st.operations?.recent?.[0];
      throw new CliError(
        `${name} failed${rec?.failedStep ? ` at step ${rec.failedStep}` : ''}: ${rec?.message ?? st.message ?? 'no message'}`,
        `\`kubectl mw describe ${name} -n ${ctx.namespace}\` shows the DAG and conditions; fix the cause, then edit the instance or delete and recreate it`,
      );
    }
    if (Date.now() >= deadline) {
      throw new CliError(
        `gave up waiting for ${name} after ${Math.round(opts.timeoutMs / 1000)}s (phase ${phase})`,
        `it keeps going in the cluster: follow it with \`kubectl mw describe ${name} -n ${ctx.namespace}\`, or wait longer with --timeout`,
      );
    }
    await sleep(opts.intervalMs ?? 1000);
  }
}
