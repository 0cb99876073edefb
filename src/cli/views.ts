// Pure: the tables and the describe text, from objects and a clock, so they are tested without a
// cluster. The commands only fetch and print.
import type { MiddlewareBackup, MiddlewareInstance, OperationRecord } from '../api/index.ts';
import { renderDag, type WorkflowLike } from './dag-view.ts';
import { age, formatTable, humanDuration } from './output.ts';

export interface TableOptions {
  allNamespaces?: boolean;
  wide?: boolean;
  now: Date;
}

function operationCell(op: OperationRecord | undefined): string {
  if (!op) return '';
  return op.progress ? `${op.type} ${op.progress}` : op.type;
}

export function instanceTable(items: readonly MiddlewareInstance[], opts: TableOptions): string {
  const headers = [
    ...(opts.allNamespaces ? ['namespace'] : []),
    'name',
    'type',
    ...(opts.wide ? ['plugin'] : []),
    'version',
    'phase',
    'replicas',
    'operation',
    'age',
    ...(opts.wide ? ['message'] : []),
  ];
  const rows = sortByNamespaceAndName(items).map((i) => [
    ...(opts.allNamespaces ? [i.metadata.namespace ?? ''] : []),
    i.metadata.name ?? '',
    i.spec.type,
    ...(opts.wide ? [i.status?.pluginVersion ?? i.spec.pluginVersion] : []),
    i.status?.middlewareVersion ?? i.spec.middlewareVersion ?? '',
    i.status?.phase ?? 'Pending',
    `${i.status?.readyReplicas ?? 0}/${i.spec.replicas ?? 1}`,
    operationCell(i.status?.operations?.current),
    age(i.metadata.creationTimestamp, opts.now),
    ...(opts.wide ? [i.status?.message ?? ''] : []),
  ]);
  return formatTable(headers, rows);
}

export function backupTable(items: readonly MiddlewareBackup[], opts: TableOptions): string {
  const headers = [
    ...(opts.allNamespaces ? ['namespace'] : []),
    'name',
    'instance',
    'type',
    'phase',
    'size',
    'storage',
    'completed',
    'age',
    ...(opts.wide ? ['sha256', 'message'] : []),
  ];
  const rows = sortByNamespaceAndName(items).map((b) => [
    ...(opts.allNamespaces ? [b.metadata.namespace ?? ''] : []),
    b.metadata.name ?? '',
    b.spec.instanceRef.name,
    b.status?.type ? `${b.status.type} ${b.status.middlewareVersion ?? ''}`.trim() : '',
    b.status?.phase ?? 'Pending',
    b.status?.size !== undefined ? humanBytes(b.status.size) : '',
    b.status?.storage ?? b.spec.storage ?? '',
    b.status?.completionTime ? `${age(b.status.completionTime, opts.now)} ago` : '',
    age(b.metadata.creationTimestamp, opts.now),
    ...(opts.wide ? [b.status?.sha256?.slice(0, 12) ?? '', b.status?.message ?? ''] : []),
  ]);
  return formatTable(headers, rows);
}

export function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n}B` : `${v < 10 ? v.toFixed(1) : Math.round(v)}${units[u]}`;
}

function sortByNamespaceAndName<T extends { metadata: { namespace?: string; name?: string } }>(
  items: readonly T[],
): T[] {
  const key = (x: T) => `${x.metadata.namespace ?? ''}/${x.metadata.name ?? ''}`;
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export interface EventLike {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string;
  eventTime?: string;
  metadata?: { creationTimestamp?: string };
}

export interface DescribeInput {
  instance: MiddlewareInstance;
  /** The workflow of the current operation, or of the latest finished one when none runs. */
  workflow?: WorkflowLike;
  /** Why the workflow is not shown, when it is known (for example: not readable by the user). */
  workflowNote?: string;
  events?: readonly EventLike[];
  now: Date;
  ascii?: boolean;
}

function field(label: string, value: string | undefined): string {
  return `${`${label}:`.padEnd(15)}${value ?? '<none>'}`;
}

function indent(text: string, by = '  '): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => (l === '' ? l : by + l))
    .join('\n');
}

function operationLine(op: OperationRecord, now: Date): string {
  const parts = [`${op.type} ${op.name}`, op.phase];
  if (op.progress) parts.push(`${op.progress} steps`);
  if (op.startedAt) parts.push(`started ${age(op.startedAt, now)} ago`);
  if (op.workflow) parts.push(`workflow ${op.workflow}`);
  return parts.join(', ');
}

/** `kubectl mw describe`: the instance, its conditions, operations, the DAG and events. */
export function describeInstance(input: DescribeInput): string {
  const { instance: i, now } = input;
  const st = i.status ?? {};
  const conn = st.connection;
  const lines = [
    field('Name', i.metadata.name),
    field('Namespace', i.metadata.namespace),
    field('Type', `${i.spec.type} (plugin ${i.spec.pluginVersion})`),
    field(
      'Version',
      `${st.middlewareVersion ?? i.spec.middlewareVersion ?? '<default>'}${
        st.middlewareVersion && i.spec.middlewareVersion && st.middlewareVersion !== i.spec.middlewareVersion
          ? ` (spec asks for ${i.spec.middlewareVersion})`
          : ''
      }`,
    ),
    field('Replicas', `${st.readyReplicas ?? 0}/${i.spec.replicas ?? 1} ready`),
    field('Phase', st.phase ?? 'Pending'),
    field('Message', st.message),
    field('Preset', i.spec.config?.preset),
    field(
      'Storage',
      `${i.spec.storage.size}${i.spec.storage.storageClassName ? ` (${i.spec.storage.storageClassName})` : ''}`,
    ),
    field('Service', i.spec.serviceType ?? 'ClusterIP'),
    field('Connection', conn ? `${conn.host}:${conn.port} (secret ${conn.secretName})` : undefined),
    field(
      'Created',
      i.metadata.creationTimestamp
        ? `${i.metadata.creationTimestamp} (${age(i.metadata.creationTimestamp, now)} ago)`
        : undefined,
    ),
    field('Last backup', st.lastBackup ? st.lastBackup.name : undefined),
  ];
  if (i.spec.config?.overrides && Object.keys(i.spec.config.overrides).length > 0) {
    lines.push('Overrides:');
    for (const [k, v] of Object.entries(i.spec.config.overrides)) lines.push(`  ${k}: ${JSON.stringify(v)}`);
  }

  lines.push('', 'Conditions:');
  const conditions = st.conditions ?? [];
  if (conditions.length === 0) lines.push('  <none>');
  else
    lines.push(
      indent(
        formatTable(
          ['type', 'status', 'reason', 'age', 'message'],
          conditions.map((c) => [c.type, c.status, c.reason, age(c.lastTransitionTime, now), c.message]),
        ),
      ),
    );

  const current = st.operations?.current;
  const recent = st.operations?.recent ?? [];
  lines.push('', 'Current operation:');
  lines.push(current ? `  ${operationLine(current, now)}` : '  <none>');
  if (current?.phase === 'Failed' && current.message)
    lines.push(`  failed at ${current.failedStep ?? '?'}: ${current.message}`);

  const shown = current ?? recent[0];
  if (input.workflow) {
    lines.push(
      '',
      current ? 'Current operation DAG:' : `Last operation DAG (${shown?.type ?? 'operation'}):`,
    );
    lines.push(
      indent(renderDag(input.workflow, { now, ...(input.ascii ? { ascii: true } : {}) }).join('\n')),
    );
  } else if (input.workflowNote) {
    lines.push('', `Note: ${input.workflowNote}.`);
  } else if (shown?.workflow) {
    lines.push(
      '',
      `Workflow ${shown.workflow} is gone or not readable; the status above is what the operator recorded.`,
    );
  }

  lines.push('', 'Recent operations:');
  if (recent.length === 0) lines.push('  <none>');
  else
    lines.push(
      indent(
        formatTable(
          ['name', 'type', 'phase', 'started', 'duration', 'message'],
          recent.map((r) => [
            r.name,
            r.type,
            r.phase,
            r.startedAt ? `${age(r.startedAt, now)} ago` : '',
            r.startedAt && r.finishedAt
              ? humanDuration(Date.parse(r.finishedAt) - Date.parse(r.startedAt))
              : '',
            r.phase === 'Failed'
              ? `${r.failedStep ? `${r.failedStep}: ` : ''}${r.message ?? ''}`
              : (r.message ?? ''),
          ]),
        ),
      ),
    );

  if (input.events !== undefined) {
    lines.push('', 'Events:');
    if (input.events.length === 0) lines.push('  <none>');
    else
      lines.push(
        indent(
          formatTable(
            ['type', 'reason', 'age', 'message'],
            input.events.map((e) => [
              e.type ?? '',
              e.reason ?? '',
              age(e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp, now),
              e.message ?? '',
            ]),
          ),
        ),
      );
  }
  return `${lines.join('\n')}\n`;
}
