// Builds a DAG from steps that name what they come after. A step may be absent (a hook the type
// does not declare): it is dropped and the steps after it inherit its dependencies, so the order
// of everything else is kept.
import type { DAGTask } from './argo-types.ts';

export interface Step {
  name: string;
  after: string[];
  /** undefined: the step is skipped and rewired around. */
  task: Omit<DAGTask, 'name' | 'depends'> | undefined;
}

export function step(name: string, after: string | string[], task: Step['task']): Step {
  return { name, after: typeof after === 'string' ? [after] : after, task };
}

/** Steps in order, each after the previous one; `after` is what the first one waits for. */
export function chain(steps: Step[], after: string[] = []): Step[] {
  let prev = after;
  return steps.map((s) => {
    const out = { ...s, after: [...new Set([...prev, ...s.after])] };
    prev = [s.name];
    return out;
  });
}

/** Names a later step should wait for to come after all of `steps` (those without successors). */
export function tails(steps: Step[]): string[] {
  const used = new Set(steps.flatMap((s) => s.after));
  return steps.filter((s) => !used.has(s.name)).map((s) => s.name);
}

export function toTasks(steps: Step[]): DAGTask[] {
  const byName = new Map(steps.map((s) => [s.name, s]));
  if (byName.size !== steps.length) {
    const dup = steps.find((s, i) => steps.findIndex((t) => t.name === s.name) !== i);
    throw new Error(`workflow step names must be unique: ${dup?.name} appears twice`);
  }
  // A skipped step stands for its own dependencies, recursively.
  const expand = (name: string, stack: string[]): string[] => {
    const s = byName.get(name);
    if (!s) throw new Error(`workflow step ${stack.at(-1)} depends on ${name}, which is not a step`);
    if (stack.includes(name))
      throw new Error(`workflow steps form a cycle: ${[...stack, name].join(' -> ')}`);
    if (s.task) return [name];
    return s.after.flatMap((a) => expand(a, [...stack, name]));
  };
  const depsOf = (s: Step): string[] => [...new Set(s.after.flatMap((a) => expand(a, [s.name])))].sort();
  return steps
    .filter((s) => s.task)
    .map((s) => {
      const deps = depsOf(s);
      return { name: s.name, ...(deps.length ? { depends: deps.join(' && ') } : {}), ...s.task };
    });
}
