import { describe, expect, it } from 'vitest';
import type { MiddlewareBackup } from '../../../src/api/index.ts';
import { backupTable, describeInstance, humanBytes, instanceTable } from '../../../src/cli/views.ts';
import { instance } from './type-fixtures.ts';
import { createWorkflow } from './workflow-fixtures.ts';

const now = new Date('2026-01-01T04:00:00Z');
const created = { creationTimestamp: new Date('2026-01-01T03:00:00Z') };

describe('instance table', () => {
  const running = instance(
    { replicas: 3 },
    {
      phase: 'Scaling',
      readyReplicas: 2,
      middlewareVersion: '7.2.11',
      pluginVersion: 'v1',
      message: 'ScaleOut in progress (2/5 steps)',
      operations: {
        current: { name: 'cache-scale-out-g2', type: 'ScaleOut', phase: 'Running', progress: '2/5' },
      },
    },
  );
  running.metadata = { ...running.metadata, ...created };
  const other = instance({ type: 'mysql', middlewareVersion: '8.0.40' });
  other.metadata = {
    name: 'orders',
    namespace: 'team-b',
    creationTimestamp: new Date('2026-01-01T03:58:00Z'),
  };

  it('shows type, version, phase, ready/desired, current operation and age', () => {
    expect(instanceTable([other, running], { now })).toBe(
      [
        'NAME     TYPE    VERSION   PHASE     REPLICAS   OPERATION      AGE',
        'cache    redis   7.2.11    Scaling   2/3        ScaleOut 2/5   60m',
        'orders   mysql   8.0.40    Pending   0/1        <none>         2m',
        '',
      ].join('\n'),
    );
  });

  it('adds NAMESPACE with -A and PLUGIN/MESSAGE with -o wide', () => {
    const lines = instanceTable([running], { now, allNamespaces: true, wide: true }).split('\n');
    expect(lines[0]).toBe(
      'NAMESPACE   NAME    TYPE    PLUGIN   VERSION   PHASE     REPLICAS   OPERATION      AGE   MESSAGE',
    );
    expect(lines[1]).toBe(
      'team-a      cache   redis   v1       7.2.11    Scaling   2/3        ScaleOut 2/5   60m   ScaleOut in progress (2/5 steps)',
    );
  });
});

describe('backup table', () => {
  it('shows instance, type, phase, size, storage and completion', () => {
    const b: MiddlewareBackup = {
      apiVersion: 'mwop.dev/v1alpha1',
      kind: 'MiddlewareBackup',
      metadata: { name: 'cache-20260101', namespace: 'team-a', ...created },
      spec: { instanceRef: { name: 'cache' } },
      status: {
        phase: 'Succeeded',
        size: 5_242_880,
        storage: 'minio',
        type: 'redis',
        middlewareVersion: '7.2.11',
        completionTime: '2026-01-01T03:10:00Z',
      },
    };
    expect(backupTable([b], { now })).toBe(
      [
        'NAME             INSTANCE   TYPE           PHASE       SIZE     STORAGE   COMPLETED   AGE',
        'cache-20260101   cache      redis 7.2.11   Succeeded   5.0MiB   minio     50m ago     60m',
        '',
      ].join('\n'),
    );
  });

  it('formats sizes', () => {
    expect([0, 1023, 1024, 1536, 10 * 1024 * 1024, 3 * 1024 ** 3].map(humanBytes)).toEqual([
      '0B',
      '1023B',
      '1.0KiB',
      '1.5KiB',
      '10MiB',
      '3.0GiB',
    ]);
  });
});

describe('describe', () => {
  it('shows status, conditions, the current operation with its DAG, recent operations and events', () => {
    const i = instance(
      { replicas: 2 },
      {
        phase: 'Initializing',
        message: 'Create in progress',
        readyReplicas: 1,
        connection: { host: 'cache.team-a.svc', port: 6379, secretName: 'cache-credentials' },
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'Creating',
            message: 'create workflow running',
            lastTransitionTime: '2026-01-01T03:50:00Z',
          },
        ],
        operations: {
          current: {
            name: 'cache-create-g1',
            type: 'Create',
            phase: 'Failed',
            workflow: 'cache-create-g1',
            progress: '4/6',
            failedStep: 'init-1',
            message: 'replica not yet synced',
            startedAt: '2026-01-01T03:55:00Z',
          },
          recent: [
            {
              name: 'cache-config-reload-g0',
              type: 'ConfigReload',
              phase: 'Succeeded',
              startedAt: '2026-01-01T03:10:00Z',
              finishedAt: '2026-01-01T03:10:42Z',
            },
          ],
        },
      },
    );
    i.metadata = { ...i.metadata, ...created };
    const wf = createWorkflow(
      { $workflow: 'Failed', 'render-config': 'Succeeded', 'init-1': 'Failed' },
      { 'init-1': 'replica not yet synced' },
    );
    const text = describeInstance({
      instance: i,
      workflow: wf,
      events: [
        {
          type: 'Warning',
          reason: 'HookFailed',
          message: 'init on cache-1: 503',
          lastTimestamp: '2026-01-01T03:59:00Z',
        },
      ],
      now,
    });
    expect(text).toContain('Name:          cache\n');
    expect(text).toContain('Type:          redis (plugin v1)\n');
    expect(text).toContain('Replicas:      1/2 ready\n');
    expect(text).toContain('Connection:    cache.team-a.svc:6379 (secret cache-credentials)\n');
    expect(text).toContain(
      'Conditions:\n  TYPE    STATUS   REASON     AGE   MESSAGE\n  Ready   False    Creating   10m   create workflow running\n',
    );
    expect(text).toContain(
      'Current operation:\n  Create cache-create-g1, Failed, 4/6 steps, started 5m ago, workflow cache-create-g1\n  failed at init-1: replica not yet synced\n',
    );
    expect(text).toContain('Current operation DAG:\n  Workflow cache-create-g1: Failed (1/6 steps)\n');
    expect(text).toContain('       └─ replica not yet synced\n');
    expect(text).toContain('  cache-config-reload-g0   ConfigReload   Succeeded   50m ago   42s');
    expect(text).toContain(
      'Events:\n  TYPE      REASON       AGE   MESSAGE\n  Warning   HookFailed   60s   init on cache-1: 503\n',
    );
  });

  it('says so when the workflow is gone, and shows <none> for empty sections', () => {
    const i = instance(
      {},
      {
        phase: 'Running',
        operations: {
          recent: [{ name: 'op', type: 'Create', phase: 'Succeeded', workflow: 'cache-create-g1' }],
        },
      },
    );
    const text = describeInstance({ instance: i, now });
    expect(text).toContain('Conditions:\n  <none>\n');
    expect(text).toContain('Current operation:\n  <none>\n');
    expect(text).toContain(
      'Workflow cache-create-g1 is gone or not readable; the status above is what the operator recorded.',
    );
    expect(text).not.toContain('Events:');
  });

  it('says why the DAG is missing when the user may not read the workflow', () => {
    const i = instance(
      {},
      {
        phase: 'Scaling',
        operations: { current: { name: 'op', type: 'ScaleOut', phase: 'Running', workflow: 'w' } },
      },
    );
    const text = describeInstance({
      instance: i,
      now,
      workflowNote: 'you may not read Workflow w in namespace team-a',
    });
    expect(text).toContain('\nNote: you may not read Workflow w in namespace team-a.\n');
    expect(text).not.toContain('is gone');
  });
});
