// --wait's two renderings, driven by a scripted sequence of reads (no cluster: the reads the
// command makes are replaced by the states an operator would write, one per poll).
import { describe, expect, it } from 'vitest';
import type { MiddlewareInstance } from '../../../src/api/index.ts';
import type { CliContext } from '../../../src/cli/context.ts';
import { CliError } from '../../../src/cli/errors.ts';
import { parseTimeout, waitForInstance } from '../../../src/cli/progress.ts';
import type { KubeRest } from '../../../src/kube/rest.ts';
import { instance } from './type-fixtures.ts';
import { createWorkflow } from './workflow-fixtures.ts';

const ESC = String.fromCharCode(27);

type Poll = { instance: MiddlewareInstance; workflow?: ReturnType<typeof createWorkflow> };

function scripted(polls: Poll[], tty: boolean): { ctx: CliContext; output: () => string } {
  let i = -1;
  let out = '';
  const rest = {
    get: async (path: string) => {
      if (path.includes('/middlewareinstances/')) {
        i = Math.min(i + 1, polls.length - 1);
        return polls[i]!.instance;
      }
      if (path.includes('/workflows/')) {
        const wf = polls[i]!.workflow;
        if (!wf) throw Object.assign(new Error('not found'), { statusCode: 404 });
        return wf;
      }
      throw new Error(`unexpected GET ${path}`);
    },
  } as unknown as KubeRest;
  const ctx: CliContext = {
    rest,
    namespace: 'team-a',
    namespaceExplicit: true,
    contextName: 'test',
    user: 'alice',
    kubeconfigNamespaces: ['team-a'],
    out: {
      write: (t) => {
        out += t;
      },
      isTTY: tty,
    },
    err: { write: () => {}, isTTY: false },
  };
  return { ctx, output: () => out };
}

const running = { name: 'cache-create-g1', type: 'Create', phase: 'Running', workflow: 'cache-create-g1' };
const polls = (): Poll[] => [
  { instance: instance({}, { phase: 'Pending' }) },
  {
    instance: instance({}, { phase: 'Initializing', operations: { current: running } }),
    workflow: createWorkflow({ 'render-config': 'Running' }),
  },
  {
    instance: instance({}, { phase: 'Initializing', operations: { current: running } }),
    workflow: createWorkflow({ 'render-config': 'Succeeded', 'apply-objects': 'Running' }),
  },
  {
    instance: instance(
      {},
      {
        phase: 'Running',
        observedGeneration: 1,
        operations: { recent: [{ ...running, phase: 'Succeeded' }] },
      },
    ),
    workflow: createWorkflow({
      $workflow: 'Succeeded',
      'render-config': 'Succeeded',
      'apply-objects': 'Succeeded',
    }),
  },
];

describe('--wait', () => {
  it('logs one line per phase and step change when the output is not a terminal', async () => {
    const { ctx, output } = scripted(polls(), false);
    const done = await waitForInstance(ctx, 'cache', { timeoutMs: 60_000, intervalMs: 0 });
    expect(done.status?.phase).toBe('Running');
    expect(output()).toBe(
      [
        'cache: phase Pending',
        'cache: phase Initializing',
        'cache: Create runs as workflow cache-create-g1',
        '  ▶ render-config Running',
        '  ✓ render-config Succeeded',
        '  ▶ apply-objects Running',
        'cache: phase Running',
        '  ✓ apply-objects Succeeded',
        '',
      ].join('\n'),
    );
  });

  it('redraws the DAG in place on a terminal', async () => {
    const { ctx, output } = scripted(polls(), true);
    await waitForInstance(ctx, 'cache', { timeoutMs: 60_000, intervalMs: 0 });
    const frames = output().split(new RegExp(`${ESC}\\[\\d+F${ESC}\\[J`));
    expect(frames).toHaveLength(4);
    expect(frames[0]).toBe('cache: Pending\n');
    expect(frames[2]).toContain('  ✓ render-config  Succeeded');
    expect(frames[2]).toContain('  ▶ apply-objects  Running');
    // Each redraw moves up exactly as many lines as the frame before had.
    const ups = [...output().matchAll(new RegExp(`${ESC}\\[(\\d+)F`, 'g'))].map((m) => Number(m[1]));
    expect(ups).toEqual(frames.slice(0, -1).map((f) => f.split('\n').length - 1));
  });

  it('fails with the failed step, its message and what to do next', async () => {
    const failed = instance(
      {},
      {
        phase: 'Failed',
        operations: {
          current: {
            ...running,
            phase: 'Failed',
            failedStep: 'init-1',
            message: 'hook POST /init returned 503',
          },
        },
      },
    );
    const { ctx } = scripted([{ instance: failed }], false);
    const err = await waitForInstance(ctx, 'cache', { timeoutMs: 60_000, intervalMs: 0 }).catch((e) => e);
    expect(err).toBeInstanceOf(CliError);
    expect(err.message).toBe('cache failed at step init-1: hook POST /init returned 503');
    expect(err.hint).toMatch(/^`kubectl mw describe cache -n team-a` shows the DAG/);
  });

  it('gives up after the timeout and says the work goes on', async () => {
    const { ctx } = scripted([{ instance: instance({}, { phase: 'Pending' }) }], false);
    const err = await waitForInstance(ctx, 'cache', { timeoutMs: 0, intervalMs: 0 }).catch((e) => e);
    expect(err.message).toBe('gave up waiting for cache after 0s (phase Pending)');
    expect(err.hint).toMatch(/^it keeps going in the cluster/);
  });

  it('parses --timeout', () => {
    expect([parseTimeout('90s'), parseTimeout('10m'), parseTimeout('1h'), parseTimeout('30')]).toEqual([
      90_000, 600_000, 3_600_000, 30_000,
    ]);
    expect(() => parseTimeout('soon')).toThrow('--timeout soon: not a duration');
  });
});
