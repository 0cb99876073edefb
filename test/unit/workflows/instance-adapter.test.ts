// The planners plug into the instance controller's dependency interface as they are.
import { describe, expect, it } from 'vitest';
import type { InstanceDeps } from '../../../src/controllers/instance/deps.ts';
import { mirrorInstanceWorkflow, planInstanceWorkflow } from '../../../src/workflows/index.ts';
import { instance, plugin } from './support/fixtures.ts';

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
