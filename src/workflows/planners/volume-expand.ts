// Volume expansion: grow every member's PVC online (the StorageClass allows expansion; the
// controller checked), then wait until each reports the new capacity.
import type { PlanContext } from '../context.ts';
import type { Step } from '../dag.ts';
import { memberPvcName } from '../names.ts';
import type { OperationOf } from '../operations.ts';
import { patchStep, pvcResizedStep } from '../steps.ts';

export function planVolumeExpand(
  ctx: PlanContext,
  op: OperationOf<'VolumeExpand'>,
): { steps: Step[]; deadline: number } {
  const steps: Step[] = [];
  for (let ordinal = 0; ordinal < ctx.running; ordinal++) {
    steps.push(
      patchStep(`grow-pvc-${ordinal}`, [], {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: memberPvcName(ctx.name, ordinal) },
        spec: { resources: { requests: { storage: op.to } } },
      }),
      pvcResizedStep(ctx, ordinal, [`grow-pvc-${ordinal}`], op.to),
    );
  }
  return { steps, deadline: 1800 };
}
