import { describe, expect, it } from 'vitest';
import { slimWorkflow } from '../../../src/operator/caches.ts';
import { decodeCompressedNodes } from '../../../src/workflows/compressed-nodes.ts';
import type { NodeStatus, Workflow } from '../../../src/workflows/index.ts';
import {
  encodeCompressedNodes,
  mirrorWorkflow as mirrorFull,
  planWorkflow,
} from '../../../src/workflows/index.ts';
import { instance, plugin } from './support/fixtures.ts';

const T0 = '2026-11-29T03:00:00Z';

/**
 * mirrorWorkflow, checked against the operator's workflow cache too: what slimWorkflow keeps
 * (issue #13) must mirror exactly as the whole object does, in every case below.
 */
function mirrorWorkflow(wf: Workflow): ReturnType<typeof mirrorFull> {
  const whole = mirrorFull(wf);
  expect(mirrorFull(slimWorkflow(wf as never) as Workflow)).toEqual(whole);
  return whole;
}
const T1 = '2026-11-29T03:01:00Z';
const T2 = '2026-11-29T03:02:00Z';

/** An upgrade of a 2-member instance: pre-upgrade-0/1, update-template, roll-1, roll-0, post-upgrade-0/1 (7 tasks). */
function upgrade(): Workflow {
  return planWorkflow(
    { kind: 'Upgrade', fromPlugin: 'v1', toPlugin: 'v2', fromVersion: '7.2.11', toVersion: '7.4.2' },
    plugin(),
    instance(2),
  );
}

function node(
  wf: Workflow,
  task: string,
  phase: NodeStatus['phase'],
  extra: Partial<NodeStatus> = {},
): NodeStatus {
  return {
    id: `${wf.metadata.name}-${task}`,
    name: `${wf.metadata.name}.${task}`,
    displayName: task,
    type: 'HTTP',
    phase,
    boundaryID: wf.metadata.name as string,
    startedAt: T0,
    ...(phase === 'Running' ? {} : { finishedAt: T1 }),
    ...extra,
  };
}

function withNodes(wf: Workflow, status: Workflow['status'], nodes: NodeStatus[]): Workflow {
  const root: NodeStatus = {
    id: wf.metadata.name as string,
    name: wf.metadata.name as string,
    displayName: wf.metadata.name,
    type: 'DAG',
    phase: status?.phase === 'Succeeded' ? 'Succeeded' : status?.phase === 'Failed' ? 'Failed' : 'Running',
    children: nodes.filter((n) => n.boundaryID === wf.metadata.name).map((n) => n.id),
  };
  return { ...wf, status: { ...status, nodes: Object.fromEntries([root, ...nodes].map((n) => [n.id, n])) } };
}

describe('mirrorWorkflow', () => {
  it('Pending: a workflow the controller has not picked up yet', () => {
    expect(mirrorWorkflow(upgrade())).toEqual({ phase: 'Pending', progress: '0/7' });
  });

  it('Running: progress counts finished DAG tasks of the operation', () => {
    const wf = upgrade();
    const m = mirrorWorkflow(
      withNodes(wf, { phase: 'Running', startedAt: T0 }, [
        node(wf, 'pre-upgrade-0', 'Succeeded'),
        node(wf, 'pre-upgrade-1', 'Succeeded'),
        node(wf, 'update-template', 'Running', { type: 'Pod' }),
      ]),
    );
    expect(m).toEqual({ phase: 'Running', progress: '2/7', startedAt: T0 });
  });

  it('Succeeded, with start and finish', () => {
    const wf = upgrade();
    const names = [
      'pre-upgrade-0',
      'pre-upgrade-1',
      'update-template',
      'roll-1',
      'roll-0',
      'post-upgrade-0',
      'post-upgrade-1',
    ];
    const m = mirrorWorkflow(
      withNodes(
        wf,
        { phase: 'Succeeded', startedAt: T0, finishedAt: T2 },
        names.map((n) => node(wf, n, 'Succeeded')),
      ),
    );
    expect(m).toEqual({ phase: 'Succeeded', progress: '7/7', startedAt: T0, finishedAt: T2 });
  });

  it('a failed hook: the step and the agent message reach the status (retries show the last attempt)', () => {
    const wf = upgrade();
    const retry = node(wf, 'pre-upgrade-1', 'Failed', {
      type: 'Retry',
      message: 'No more retries left',
      children: [`${wf.metadata.name}-a0`],
    });
    const attempt: NodeStatus = {
      ...node(wf, 'pre-upgrade-1(0)', 'Failed'),
      id: `${wf.metadata.name}-a0`,
      message: 'received non-2xx response code: 409',
      inputs: {
        parameters: [{ name: 'url', value: 'http://cache-1.cache-headless.team-a.svc:8080/pre-upgrade' }],
      },
      outputs: {
        result: JSON.stringify({
          ok: false,
          retryable: false,
          reason: 'ReplicationLag',
          message: 'replica lag 42s is above the limit of 10s',
        }),
      },
    };
    const m = mirrorWorkflow(
      withNodes(wf, { phase: 'Failed', startedAt: T0, finishedAt: T2, message: 'child failed' }, [
        node(wf, 'pre-upgrade-0', 'Succeeded'),
        retry,
        attempt,
        node(wf, 'update-template', 'Omitted'),
      ]),
    );
    expect(m).toEqual({
      phase: 'Failed',
      progress: '2/7',
      failedStep: 'pre-upgrade-1',
      message:
        'hook http://cache-1.cache-headless.team-a.svc:8080/pre-upgrade answered 409 (ReplicationLag): replica lag 42s is above the limit of 10s',
      startedAt: T0,
      finishedAt: T2,
    });
  });

  it('a timeout: activeDeadlineSeconds exceeded, with the step it stopped in', () => {
    const wf = upgrade();
    const m = mirrorWorkflow(
      withNodes(
        wf,
        { phase: 'Failed', startedAt: T0, finishedAt: T2, message: 'Step exceeded its deadline' },
        [
          node(wf, 'pre-upgrade-0', 'Succeeded'),
          node(wf, 'pre-upgrade-1', 'Succeeded'),
          node(wf, 'update-template', 'Failed', { type: 'Pod', message: 'Step exceeded its deadline' }),
        ],
      ),
    );
    expect(m.phase).toBe('Failed');
    expect(m.failedStep).toBe('update-template');
    expect(m.message).toBe(
      `timed out: the operation ran longer than activeDeadlineSeconds (${wf.spec.activeDeadlineSeconds}s) during step update-template: Step exceeded its deadline`,
    );
  });

  it('a cancelled workflow is Cancelled, not Failed', () => {
    const wf = upgrade();
    wf.spec.shutdown = 'Terminate';
    const m = mirrorWorkflow(
      withNodes(
        wf,
        { phase: 'Failed', startedAt: T0, finishedAt: T2, message: "Stopped with strategy 'Terminate'" },
        [node(wf, 'pre-upgrade-0', 'Failed', { message: "Stopped with strategy 'Terminate'" })],
      ),
    );
    expect(m).toEqual({
      phase: 'Cancelled',
      progress: '0/7',
      message: "cancelled: Stopped with strategy 'Terminate'",
      startedAt: T0,
      finishedAt: T2,
    });
  });

  it('a workflow that is stopping says so', () => {
    const wf = upgrade();
    wf.spec.shutdown = 'Stop';
    expect(mirrorWorkflow(withNodes(wf, { phase: 'Running', startedAt: T0 }, [])).message).toBe(
      'stopping (spec.shutdown: Stop)',
    );
  });

  it('reads status.compressedNodes when the controller compressed the nodes', () => {
    const wf = upgrade();
    const plain = withNodes(wf, { phase: 'Failed', startedAt: T0, finishedAt: T2 }, [
      node(wf, 'pre-upgrade-0', 'Succeeded'),
      node(wf, 'pre-upgrade-1', 'Failed', { message: 'received non-2xx response code: 500' }),
    ]);
    const compressed: Workflow = {
      ...plain,
      status: {
        ...plain.status,
        nodes: undefined,
        compressedNodes: encodeCompressedNodes(plain.status?.nodes ?? {}),
      },
    };
    expect(compressed.status?.nodes).toBeUndefined();
    expect(mirrorWorkflow(compressed)).toEqual(mirrorWorkflow(plain));
    expect(mirrorWorkflow(compressed)).toMatchObject({ failedStep: 'pre-upgrade-1', progress: '1/7' });
  });

  it('names the field when compressedNodes is not what Argo writes', () => {
    expect(() => decodeCompressedNodes('bm90IGd6aXA=')).toThrow(
      /^status.compressedNodes: not base64 of gzip/,
    );
  });

  it('a failed Kubernetes step reports its own message', () => {
    const wf = upgrade();
    const m = mirrorWorkflow(
      withNodes(wf, { phase: 'Failed', message: 'child failed' }, [
        node(wf, 'update-template', 'Error', {
          type: 'Pod',
          message: 'statefulsets.apps "cache" is forbidden',
        }),
      ]),
    );
    expect(m).toMatchObject({
      phase: 'Failed',
      failedStep: 'update-template',
      message: 'statefulsets.apps "cache" is forbidden',
    });
  });

  it('a rollout halted by a health gate names the member step and the health URL', () => {
    const wf = planWorkflow({ kind: 'Restart' }, plugin(), instance(2));
    const id = (x: string) => `${wf.metadata.name}-${x}`;
    const roll1: NodeStatus = { ...node(wf, 'roll-1', 'Failed', { type: 'DAG' }), children: [id('health')] };
    const health: NodeStatus = {
      id: id('health'),
      name: `${wf.metadata.name}.roll-1.health`,
      displayName: 'health',
      type: 'Retry',
      phase: 'Failed',
      boundaryID: roll1.id,
      message: 'No more retries left',
      children: [id('health-0')],
    };
    const attempt: NodeStatus = {
      id: id('health-0'),
      name: `${wf.metadata.name}.roll-1.health(29)`,
      displayName: 'health(29)',
      type: 'HTTP',
      phase: 'Failed',
      boundaryID: roll1.id,
      finishedAt: T2,
      message: 'received non-2xx response code: 503',
      inputs: {
        parameters: [{ name: 'url', value: 'http://cache-1.cache-headless.team-a.svc:8080/health' }],
      },
      outputs: {
        result:
          '{"ok":false,"retryable":true,"reason":"MiddlewareUnreachable","message":"redis at 127.0.0.1:6379 refused the connection"}',
      },
    };
    const m = mirrorWorkflow(
      withNodes(wf, { phase: 'Failed', startedAt: T0, finishedAt: T2 }, [
        node(wf, 'annotate-template', 'Succeeded', { type: 'Pod' }),
        roll1,
        health,
        attempt,
      ]),
    );
    expect(m).toMatchObject({
      phase: 'Failed',
      progress: '1/3',
      failedStep: 'roll-1',
      message:
        'hook http://cache-1.cache-headless.team-a.svc:8080/health answered 503 (MiddlewareUnreachable): redis at 127.0.0.1:6379 refused the connection',
    });
  });
});
