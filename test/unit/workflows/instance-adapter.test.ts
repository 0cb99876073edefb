// The planners plug into the instance controller's dependency interface as they are.
import { describe, expect, it } from 'vitest';
import type { InstanceDeps } from '../../../src/controllers/instance/deps.ts';
import { mirrorInstanceWorkflow, planInstanceWorkflow } from '../../../src/workflows/index.ts';
import { instance, plugin, storage } from './support/fixtures.ts';
import { mainTasks } from './support/graph.ts';

describe('instance controller adapter', () => {
  const deps: Pick<InstanceDeps, 'planWorkflow' | 'mirrorWorkflow'> = {
    planWorkflow: (input) => {
      // A Restore names its source by key; the operator resolves the S3 location first (src/operator/wiring.ts).
      if (input.operation.kind === 'Restore') throw new Error('Restore needs its S3 source resolved');
      return planInstanceWorkflow({ ...input, operation: input.operation });
    },
    mirrorWorkflow: mirrorInstanceWorkflow,
  };
  it("uses the controller's workflow name and mirrors into an operation record", async () => {
    const wf = await deps.planWorkflow({
      operation: { kind: 'ScaleOut', from: 1, to: 2 },
      plugin: plugin(),
      currentPlugin: plugin(),
      instance: instance(2, {}, 1),
      name: 'cache-scale-out-g9',
    });
    expect(wf.metadata?.name).toBe('cache-scale-out-g9');
    expect(deps.mirrorWorkflow(wf)).toEqual({ phase: 'Pending', progress: '0/4' });
  });
});

describe('restore of a new instance (spec.restoreFrom)', () => {
  const input = {
    operation: { kind: 'Restore' as const, source: 'cache-20261128' },
    plugin: plugin(),
    currentPlugin: plugin(),
    instance: instance(1),
    name: 'cache-restore-g1',
  };
  it('restores from the resolved S3 location, without a safety backup', () => {
    const wf = planInstanceWorkflow(input, {
      restoreTarget: (source) => ({
        backup: source,
        metadataKey: `team-a/cache/${source}/metadata.json`,
        ...storage,
      }),
    });
    const names = mainTasks(wf).map((t) => t.name);
    expect(names[0]).toBe('stop-members');
    expect(names).not.toContain('safety-backup');
  });
  it('names the field when the location was not resolved', () => {
    expect(() => planInstanceWorkflow(input)).toThrow(
      /^spec.restoreFrom: cannot plan the restore of cache-20261128/,
    );
  });
});
