// Structural checks of a Workflow against the ClusterWorkflowTemplates it references: the DAG is
// acyclic, every depends names a task, every template and templateRef resolves, the arguments
// match the referenced template's inputs, and every {{inputs.parameters.x}} is declared.
import type {
  ClusterWorkflowTemplate,
  DAGTask,
  Template,
  Workflow,
} from '../../../../src/workflows/index.ts';

const PARAM_USE = /inputs\.parameters(?:\.([A-Za-z0-9_-]+)|\['([A-Za-z0-9_-]+)'\])/g;

/** Task names a depends expression mentions (`a && (b.Succeeded || c.Failed)` -> a, b, c). */
export function dependsNames(expr: string | undefined): string[] {
  if (!expr) return [];
  return [
    ...expr
      .replace(/\.(Succeeded|Failed|Errored|Skipped|Omitted|Daemoned|AnySucceeded|AllFailed)\b/g, '')
      .matchAll(/[A-Za-z0-9][A-Za-z0-9-]*/g),
  ]
    .map((m) => m[0])
    .filter((n) => n !== 'true' && n !== 'false');
}

export function topoOrder(tasks: DAGTask[]): string[] | undefined {
  const deps = new Map(tasks.map((t) => [t.name, dependsNames(t.depends)]));
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (n: string): boolean => {
    if (state.get(n) === 'done') return true;
    if (state.get(n) === 'visiting') return false;
    state.set(n, 'visiting');
    for (const d of deps.get(n) ?? []) if (!visit(d)) return false;
    state.set(n, 'done');
    order.push(n);
    return true;
  };
  for (const t of tasks) if (!visit(t.name)) return undefined;
  return order;
}

function paramsUsed(template: Template): string[] {
  const { inputs: _inputs, ...rest } = template;
  const text = JSON.stringify(rest);
  return [...text.matchAll(PARAM_USE)].map((m) => (m[1] ?? m[2]) as string);
}

export function checkTemplates(
  owner: string,
  templates: Template[],
  cwts: ClusterWorkflowTemplate[],
): string[] {
  const problems: string[] = [];
  const local = new Map(templates.map((t) => [t.name, t]));
  const resolve = (task: DAGTask): Template | undefined => {
    if (task.templateRef) {
      const cwt = cwts.find((c) => c.metadata.name === task.templateRef?.name);
      if (!cwt) return undefined;
      if (!task.templateRef.clusterScope)
        problems.push(`${owner}: task ${task.name}: templateRef without clusterScope`);
      return cwt.spec.templates?.find((t) => t.name === task.templateRef?.template);
    }
    return task.template ? local.get(task.template) : undefined;
  };
  for (const t of templates) {
    const declared = new Set((t.inputs?.parameters ?? []).map((p) => p.name));
    for (const used of paramsUsed(t)) {
      if (!declared.has(used))
        problems.push(`${owner}/${t.name}: uses inputs.parameters.${used}, which it does not declare`);
    }
    const tasks = t.dag?.tasks ?? [];
    const names = new Set(tasks.map((x) => x.name));
    if (names.size !== tasks.length) problems.push(`${owner}/${t.name}: duplicate task names`);
    if (t.dag && !topoOrder(tasks)) problems.push(`${owner}/${t.name}: the DAG has a cycle`);
    for (const task of tasks) {
      for (const d of dependsNames(task.depends)) {
        if (!names.has(d))
          problems.push(`${owner}/${t.name}: task ${task.name} depends on unknown task ${d}`);
      }
      const target = resolve(task);
      if (!target) {
        problems.push(
          `${owner}/${t.name}: task ${task.name} references ${JSON.stringify(task.templateRef ?? task.template)}, which does not exist`,
        );
        continue;
      }
      const inputs = target.inputs?.parameters ?? [];
      const given = new Set((task.arguments?.parameters ?? []).map((p) => p.name));
      for (const g of given) {
        if (!inputs.some((i) => i.name === g))
          problems.push(
            `${owner}/${t.name}: task ${task.name} passes ${g}, which ${target.name} does not declare`,
          );
      }
      for (const i of inputs) {
        if (i.default === undefined && i.value === undefined && !given.has(i.name)) {
          problems.push(
            `${owner}/${t.name}: task ${task.name} does not pass required input ${i.name} of ${target.name}`,
          );
        }
      }
    }
  }
  return problems;
}

export function checkWorkflow(wf: Workflow, cwts: ClusterWorkflowTemplate[]): string[] {
  const templates = wf.spec.templates ?? [];
  const problems = checkTemplates(wf.metadata.name ?? 'workflow', templates, cwts);
  if (!templates.some((t) => t.name === wf.spec.entrypoint))
    problems.push(`entrypoint ${wf.spec.entrypoint} does not exist`);
  return problems;
}

export function mainTasks(wf: Workflow): DAGTask[] {
  return wf.spec.templates?.find((t) => t.name === wf.spec.entrypoint)?.dag?.tasks ?? [];
}
