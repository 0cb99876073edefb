// The safety backup of an in-place restore, as a CR: its shape, and how its step's outcome is read
// from the restore workflow.
import { describe, expect, it } from 'vitest';
import type { MiddlewareInstance, MiddlewareOperation } from '../../../src/api/index.ts';
import { MiddlewareBackupKind, validateAgainstSchema } from '../../../src/api/index.ts';
import {
  safetyBackupName,
  safetyBackupObject,
  workflowStepOutcome,
} from '../../../src/controllers/backup/safety-backup.ts';
import { encodeCompressedNodes } from '../../../src/workflows/compressed-nodes.ts';

const instance = {
  apiVersion: 'mwop.dev/v1alpha1',
  kind: 'MiddlewareInstance',
  metadata: { name: 'cache', namespace: 'team-a' },
  spec: { type: 'redis', pluginVersion: 'v1', storage: { size: '1Gi' } },
} as MiddlewareInstance;
const operation = {
  apiVersion: 'mwop.dev/v1alpha1',
  kind: 'MiddlewareOperation',
  metadata: { name: 'undo-friday', namespace: 'team-a' },
  spec: { instanceRef: { name: 'cache' }, type: 'Restore', restore: { backup: 'cache-20261127' } },
} as MiddlewareOperation;

describe('safetyBackupObject', () => {
  it('is a valid MiddlewareBackup labelled as a safety backup of the instance, taken by the restore workflow', () => {
    const b = safetyBackupObject({ operation, instance, storage: 's3-main', workflow: 'undo-friday' });
    expect(validateAgainstSchema(MiddlewareBackupKind, b)).toEqual([]);
    expect(b.metadata).toMatchObject({
      name: 'undo-friday-safety',
      namespace: 'team-a',
      labels: {
        'mwop.dev/instance': 'cache',
        'mwop.dev/type': 'redis',
        'mwop.dev/safety-backup': 'true',
        'mwop.dev/operation': 'undo-friday',
      },
      annotations: {
        'mwop.dev/taken-by-workflow': 'undo-friday',
        'mwop.dev/taken-by-step': 'safety-backup',
        'mwop.dev/restore-of': 'cache-20261127',
      },
    });
    expect(b.spec).toEqual({ instanceRef: { name: 'cache' }, storage: 's3-main' });
  });

  it('names stay within 63 characters', () => {
    expect(safetyBackupName('x'.repeat(80)).length).toBeLessThanOrEqual(63);
  });
});

const wf = (phase: string | undefined, nodes: Record<string, unknown>, message?: string) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Workflow',
  metadata: { name: 'undo-friday', namespace: 'team-a' },
  spec: {},
  status: { ...(phase ? { phase } : {}), ...(message ? { message } : {}), nodes },
});
const node = (task: string, phase: string, message?: string, boundaryID = 'undo-friday') => ({
  [`undo-friday-${task}`]: {
    id: `undo-friday-${task}`,
    name: `undo-friday.${task}`,
    displayName: task,
    type: 'Pod',
    boundaryID,
    phase,
    ...(message ? { message } : {}),
  },
});

describe('workflowStepOutcome', () => {
  it('Running until the step ends; Succeeded when its node did, while the rest of the workflow runs', () => {
    expect(workflowStepOutcome(wf(undefined, {}), 'safety-backup')).toEqual({ phase: 'Running' });
    expect(workflowStepOutcome(wf('Running', node('safety-backup', 'Running')), 'safety-backup')).toEqual({
      phase: 'Running',
    });
    expect(workflowStepOutcome(wf('Running', node('safety-backup', 'Succeeded')), 'safety-backup')).toEqual({
      phase: 'Succeeded',
    });
  });

  it('a failed step is Failed with the step and its message', () => {
    const w = wf('Failed', { ...node('safety-backup', 'Failed', 'exit code 1: auth failed') });
    expect(workflowStepOutcome(w, 'safety-backup')).toEqual({
      phase: 'Failed',
      message: 'step safety-backup: exit code 1: auth failed',
    });
  });

  it('a workflow that ended without the step (cancelled, an earlier failure) fails it', () => {
    const w = wf('Failed', {}, "Stopped with strategy 'Terminate'");
    expect(workflowStepOutcome(w, 'safety-backup')).toEqual({
      phase: 'Failed',
      message:
        "workflow undo-friday ended (Failed: Stopped with strategy 'Terminate') before step safety-backup succeeded",
    });
  });

  it('ignores a node of the same name inside another boundary, and reads compressed nodes', () => {
    const inner = wf('Running', node('safety-backup', 'Succeeded', undefined, 'some-template'));
    expect(workflowStepOutcome(inner, 'safety-backup')).toEqual({ phase: 'Running' });
    const compressed = {
      ...wf('Running', {}),
      status: {
        phase: 'Running',
        compressedNodes: encodeCompressedNodes(node('safety-backup', 'Succeeded') as never),
      },
    };
    expect(workflowStepOutcome(compressed, 'safety-backup')).toEqual({ phase: 'Succeeded' });
  });
});
