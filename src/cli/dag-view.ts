// Pure: an Argo Workflow's DAG drawn for a terminal. The shape comes from the DAG template
// (spec.templates, or status.storedTemplates when the workflow references a template), the
// phases and messages from status.nodes. Tasks are drawn level by level in dependency order,
// with each step's phase, its duration, and the failed step's message under it.

export interface WorkflowTask {
  name: string;
  template?: string;
  templateRef?: { name?: string; template?: string; clusterScope?: boolean };
  dependencies?: string[];
  depends?: string;
}

export interface WorkflowTemplateLike {
  name?: string;
  dag?: { tasks?: WorkflowTask[] };
}

export interface WorkflowNode {
  id?: string;
  name?: string;
  displayName?: string;
  type?: string;
  phase?: string;
  message?: string;
  templateName?: string;
  boundaryID?: string;
  children?: string[];
  startedAt?: string;
  finishedAt?: string;
}

export interface WorkflowLike {
  metadata?: { name?: string };
  spec?: { entrypoint?: string; templates?: WorkflowTemplateLike[]; workflowTemplateRef?: { name?: string } };
  status?: {
    phase?: string;
    message?: string;
    progress?: string;
    nodes?: Record<string, WorkflowNode>;
    storedTemplates?: Record<string, WorkflowTemplateLike>;
  };
}

/** One drawn step, flattened (nested DAGs appear with their parent's path). */
export interface StepState {
  /** Task path, e.g. "init" or "scale-out.add-member-2". */
  path: string;
  depth: number;
  level: number;
  phase: string;
  message?: string;
  after: string[];
  startedAt?: string;
  finishedAt?: string;
}

export interface DagViewOptions {
  /** ASCII symbols instead of Unicode, for terminals that cannot draw them. */
  ascii?: boolean;
  /** For the duration of running steps; finished ones need no clock. */
  now?: Date;
}

const SYMBOLS: Record<string, [string, string]> = {
  Succeeded: ['✓', '[+]'],
  Failed: ['✗', '[x]'],
  Error: ['✗', '[x]'],
  Running: ['▶', '[>]'],
  Pending: ['○', '[ ]'],
  Skipped: ['–', '[-]'],
  Omitted: ['–', '[-]'],
};

export function phaseSymbol(phase: string, ascii = false): string {
  const s = SYMBOLS[phase] ?? ['?', '[?]'];
  return ascii ? s[1] : s[0];
}

/** Task names an Argo `depends` expression refers to: "a && (b.Succeeded || c.Failed)" -> a, b, c. */
export function dependsTasks(expr: string): string[] {
  const names = new Set<string>();
  for (const m of expr.matchAll(/[A-Za-z0-9_][A-Za-z0-9_-]*(?:\.[A-Za-z]+)?/g)) {
    names.add(
      m[0].replace(/\.(Succeeded|Failed|Errored|Skipped|Omitted|Daemoned|AnySucceeded|AllFailed)$/, ''),
    );
  }
  return [...names];
}

export function taskDependencies(task: WorkflowTask): string[] {
  return [...new Set([...(task.dependencies ?? []), ...(task.depends ? dependsTasks(task.depends) : [])])];
}

/** Level of each task: 0 for roots, 1 + the deepest dependency otherwise. Cycles are cut. */
export function taskLevels(tasks: readonly WorkflowTask[]): Map<string, number> {
  const byName = new Map(tasks.map((t) => [t.name, t]));
  const levels = new Map<string, number>();
  const visiting = new Set<string>();
  const level = (name: string): number => {
    const known = levels.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) return 0;
    visiting.add(name);
    const deps = taskDependencies(byName.get(name) as WorkflowTask).filter((d) => byName.has(d));
    const l = deps.length === 0 ? 0 : 1 + Math.max(...deps.map(level));
    visiting.delete(name);
    levels.set(name, l);
    return l;
  };
  for (const t of tasks) level(t.name);
  return levels;
}

function findTemplate(wf: WorkflowLike, name: string | undefined): WorkflowTemplateLike | undefined {
  if (!name) return undefined;
  const own = wf.spec?.templates?.find((t) => t.name === name);
  if (own) return own;
  const stored = Object.entries(wf.status?.storedTemplates ?? {});
  return stored.find(([key, t]) => t.name === name || key.endsWith(`/${name}`))?.[1];
}

function templateOfTask(wf: WorkflowLike, task: WorkflowTask): WorkflowTemplateLike | undefined {
  return findTemplate(wf, task.template ?? task.templateRef?.template);
}

function nodesOf(wf: WorkflowLike): WorkflowNode[] {
  return Object.entries(wf.status?.nodes ?? {}).map(([id, n]) => ({ id, ...n }));
}

/** The node of a task: by its full name (<workflow>.<a>.<b>), else by display name under its DAG. */
function nodeOfTask(
  nodes: readonly WorkflowNode[],
  fullName: string,
  displayName: string,
  boundaryID: string | undefined,
): WorkflowNode | undefined {
  return (
    nodes.find((n) => n.name === fullName) ??
    nodes.find(
      (n) => n.displayName === displayName && (boundaryID === undefined || n.boundaryID === boundaryID),
    )
  );
}

/** A failed Retry or DAG node often has no message of its own; its failed child has it. */
function messageOf(nodes: readonly WorkflowNode[], node: WorkflowNode): string | undefined {
  if (node.message) return node.message;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  // The last retry is the one that decided the outcome.
  const queue = [...(node.children ?? [])].reverse();
  const seen = new Set<string>();
  while (queue.length > 0) {
    const id = queue.shift() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    const child = byId.get(id);
    if (!child) continue;
    if (
      child.boundaryID === node.id ||
      child.name?.startsWith(`${node.name}(`) ||
      child.name?.startsWith(`${node.name}.`)
    ) {
      if ((child.phase === 'Failed' || child.phase === 'Error') && child.message) return child.message;
      queue.push(...[...(child.children ?? [])].reverse());
    }
  }
  return undefined;
}

/** Every step of the workflow's entry DAG in drawing order, nested DAGs expanded. */
export function workflowSteps(wf: WorkflowLike): StepState[] {
  const nodes = nodesOf(wf);
  const wfName = wf.metadata?.name ?? '';
  const entry = findTemplate(wf, wf.spec?.entrypoint ?? wf.spec?.workflowTemplateRef?.name);
  const root = nodes.find((n) => n.name === wfName);
  const out: StepState[] = [];
  const walk = (
    tmpl: WorkflowTemplateLike,
    prefix: string[],
    boundary: string | undefined,
    depth: number,
  ) => {
    const tasks = tmpl.dag?.tasks ?? [];
    const levels = taskLevels(tasks);
    const ordered = tasks
      .map((t, i) => ({ t, i, l: levels.get(t.name) ?? 0 }))
      .sort((a, b) => a.l - b.l || a.i - b.i);
    for (const { t, l } of ordered) {
      const path = [...prefix, t.name];
      const node = nodeOfTask(nodes, [wfName, ...path].join('.'), t.name, boundary);
      const phase = node?.phase ?? 'Pending';
      const message = node && (phase === 'Failed' || phase === 'Error') ? messageOf(nodes, node) : undefined;
      out.push({
        path: path.join('.'),
        depth,
        level: l,
        phase,
        ...(message ? { message } : {}),
        after: taskDependencies(t).filter((d) => levels.has(d)),
        ...(node?.startedAt ? { startedAt: node.startedAt } : {}),
        ...(node?.finishedAt ? { finishedAt: node.finishedAt } : {}),
      });
      const sub = templateOfTask(wf, t);
      if (sub?.dag?.tasks?.length) walk(sub, path, node?.id, depth + 1);
    }
  };
  if (entry?.dag?.tasks?.length) walk(entry, [], root?.id, 0);
  return out;
}

function duration(step: StepState, now: Date | undefined): string {
  if (!step.startedAt) return '';
  const end = step.finishedAt ? Date.parse(step.finishedAt) : now?.getTime();
  if (end === undefined) return '';
  const s = Math.max(0, Math.round((end - Date.parse(step.startedAt)) / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** The DAG as lines of text (no trailing newline on each). */
export function renderDag(wf: WorkflowLike, opts: DagViewOptions = {}): string[] {
  const steps = workflowSteps(wf);
  const name = wf.metadata?.name ?? '(unnamed)';
  const phase = wf.status?.phase ?? 'Pending';
  const done = steps.filter((s) => s.phase === 'Succeeded').length;
  const header = `Workflow ${name}: ${phase} (${wf.status?.progress ?? `${done}/${steps.length}`} steps)`;
  const lines = [header];
  if (steps.length === 0) {
    lines.push('  (no DAG steps found in the workflow)');
    if (wf.status?.message) lines.push(`  message: ${wf.status.message}`);
    return lines;
  }
  const vert = opts.ascii ? '|' : '│';
  const corner = opts.ascii ? '`-' : '└─';
  const fork = opts.ascii ? '+-' : '├─';
  const lastFork = opts.ascii ? '`-' : '└─';
  // Tasks of one level run in parallel: they are drawn as a fork (├ / └) under the level before.
  const groupKey = (s: StepState) => `${s.depth}:${parentOf(s.path)}:${s.level}`;
  const groupSize = new Map<string, number>();
  for (const s of steps) groupSize.set(groupKey(s), (groupSize.get(groupKey(s)) ?? 0) + 1);
  const seenInGroup = new Map<string, number>();
  const lefts = steps.map((s) => {
    const k = groupKey(s);
    const n = groupSize.get(k) ?? 1;
    const idx = (seenInGroup.get(k) ?? 0) + 1;
    seenInGroup.set(k, idx);
    const branch = n > 1 ? (idx === n ? lastFork : fork) : '';
    return {
      indent: `  ${'  '.repeat(s.depth)}`,
      branch,
      text: `${branch ? `${branch} ` : ''}${phaseSymbol(s.phase, opts.ascii)} ${lastPart(s.path)}`,
    };
  });
  const leftWidth = Math.max(...lefts.map((l) => l.indent.length + [...l.text].length));
  const phaseWidth = Math.max(...steps.map((s) => s.phase.length));
  let prevGroup = '';
  steps.forEach((s, i) => {
    const left = lefts[i] as (typeof lefts)[number];
    const k = groupKey(s);
    if (i > 0 && k !== prevGroup && s.depth === 0) lines.push(`  ${vert}`);
    prevGroup = k;
    const prev = steps.filter(
      (p) => p.depth === s.depth && p.level === s.level - 1 && parentOf(p.path) === parentOf(s.path),
    );
    const afterAll =
      prev.length > 0 &&
      s.after.length === prev.length &&
      prev.every((p) => s.after.includes(lastPart(p.path)));
    const after = s.after.length > 0 && !afterAll ? `after ${s.after.join(', ')}` : '';
    const head = left.indent + left.text;
    const cols = [
      head + ' '.repeat(leftWidth - [...head].length),
      s.phase.padEnd(phaseWidth),
      duration(s, opts.now).padStart(6),
      after,
    ];
    lines.push(cols.join('  ').trimEnd());
    if (s.message) {
      // Under the step, past its fork mark, so the message reads as belonging to it.
      const pad = `${left.indent}${' '.repeat(left.branch ? [...left.branch].length + 1 : 0)}  `;
      for (const [j, m] of s.message.split('\n').entries())
        lines.push(`${pad}${j === 0 ? corner : '  '} ${m}`);
    }
  });
  if ((phase === 'Failed' || phase === 'Error') && wf.status?.message && !steps.some((s) => s.message)) {
    lines.push(`  message: ${wf.status.message}`);
  }
  return lines;
}

function lastPart(path: string): string {
  return path.split('.').pop() as string;
}

function parentOf(path: string): string {
  return path.split('.').slice(0, -1).join('.');
}

/** Steps whose phase changed between two observations, for a non-TTY progress log. */
export function stepChanges(before: readonly StepState[], after: readonly StepState[]): StepState[] {
  const old = new Map(before.map((s) => [s.path, s.phase]));
  return after.filter(
    (s) => old.get(s.path) !== s.phase && !(old.get(s.path) === undefined && s.phase === 'Pending'),
  );
}
