// One planned Workflow per operation, for the table-driven tests.

import type { ResolvedPlugin } from '../../../src/plugins/types.ts';
import type { Observed, Workflow, WorkflowOperation } from '../../../src/workflows/index.ts';
import { planWorkflow } from '../../../src/workflows/index.ts';
import { instance, plugin, storage } from './support/fixtures.ts';

export const OPERATIONS: { op: WorkflowOperation; observed?: Observed }[] = [
  { op: { kind: 'Create', replicas: 3 } },
  { op: { kind: 'ScaleOut', from: 3, to: 5 } },
  { op: { kind: 'ScaleIn', from: 3, to: 1 } },
  { op: { kind: 'VerticalScale', resources: { limits: { cpu: '2', memory: '4Gi' } } } },
  { op: { kind: 'VolumeExpand', from: '10Gi', to: '20Gi' } },
  { op: { kind: 'Upgrade', fromPlugin: 'v1', toPlugin: 'v2', fromVersion: '7.2.11', toVersion: '7.4.2' } },
  { op: { kind: 'VersionSwitch', from: '7.2.11', to: '7.4.2' } },
  {
    op: { kind: 'ConfigReload', checksum: 'sha256-abc' },
    observed: {
      config: { settings: { 'maxmemory-policy': 'allkeys-lru' }, changedKeys: ['maxmemory-policy'] },
    },
  },
  { op: { kind: 'Restart' } },
  { op: { kind: 'Switchover', target: 1 } },
  { op: { kind: 'Failover' } },
  { op: { kind: 'Backup', backup: 'cache-20261129-0300', ...storage } },
  {
    op: {
      kind: 'Restore',
      backup: 'cache-20261128-0300',
      metadataKey: 'team-a/cache/cache-20261128-0300/metadata.json',
      safetyBackup: 'cache-before-restore-g4',
      ...storage,
    },
  },
  {
    op: {
      kind: 'RetentionCleanup',
      maxCount: 7,
      maxAge: '720h',
      targets: [{ storageName: 'main', ...storage }],
    },
  },
];

export function planAll(p: ResolvedPlugin = plugin()): { op: WorkflowOperation; wf: Workflow }[] {
  return OPERATIONS.map(({ op, observed }) => ({
    op,
    wf: planWorkflow(
      op,
      p,
      op.kind === 'ScaleIn' || op.kind === 'ScaleOut' ? instance(op.to, {}, op.from) : instance(3),
      observed,
    ),
  }));
}
