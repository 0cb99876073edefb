// metav1.Condition bookkeeping, as apimachinery's meta.SetStatusCondition does it: the transition
// time moves only when the status flips.
import type { Condition } from '../api/index.ts';

export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

export function setCondition(
  conditions: Condition[] | undefined,
  next: ConditionInput,
  now: string,
): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const prev = i >= 0 ? list[i] : undefined;
  const merged: Condition = {
    ...next,
    lastTransitionTime: prev && prev.status === next.status ? prev.lastTransitionTime : now,
  };
  if (i >= 0) list[i] = merged;
  else list.push(merged);
  return list;
}

export function removeCondition(conditions: Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

export function findCondition(conditions: Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
