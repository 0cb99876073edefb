// Output the way kubectl prints it: aligned tables with upper-case headers and three spaces between
// columns, ages like "5m12s" or "3d4h", and -o yaml|json of the raw objects.
import { stringify } from 'yaml';
import { CliError } from './errors.ts';

export const OUTPUT_FORMATS = ['table', 'wide', 'yaml', 'json', 'name'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Parses -o; no value means the table. */
export function parseOutputFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === '') return 'table';
  if ((OUTPUT_FORMATS as readonly string[]).includes(value) && value !== 'table')
    return value as OutputFormat;
  throw new CliError(
    `-o/--output: unknown format "${value}"`,
    'use one of: yaml, json, wide, name (or leave -o out for the table)',
  );
}

export const NONE = '<none>';

/** Aligns rows under headers like kubectl's tabwriter: padding 3, the last column not padded. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [headers.map((h) => h.toUpperCase()), ...rows.map((r) => r.map((c) => (c === '' ? NONE : c)))];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => width(r[i] ?? ''))));
  const lines = all.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - width(cell) + 3)))
      .join('')
      .trimEnd(),
  );
  return `${lines.join('\n')}\n`;
}

/** Display width: counts code points, so a "✓" takes one column like an ASCII letter. */
function width(s: string): number {
  return [...s].length;
}

/** kubectl's HumanDuration (k8s.io/apimachinery/pkg/util/duration). */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  const days = Math.floor(hours / 24);
  if (days < 365 * 2) return `${days}d`;
  if (days < 365 * 8) {
    const d = days % 365;
    return d === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${d}d`;
  }
  return `${Math.floor(days / 365)}y`;
}

/** Age of an RFC 3339 timestamp relative to `now`; "<unknown>" without a timestamp. */
export function age(timestamp: string | Date | undefined, now: Date): string {
  if (!timestamp) return '<unknown>';
  const t = timestamp instanceof Date ? timestamp.getTime() : Date.parse(timestamp);
  if (Number.isNaN(t)) return '<unknown>';
  return humanDuration(now.getTime() - t);
}

/** Objects as kubectl prints them: one object alone, several as a v1 List. */
export function formatObjects(objects: readonly unknown[], format: 'yaml' | 'json', single: boolean): string {
  const doc =
    single && objects.length === 1 ? objects[0] : { apiVersion: 'v1', kind: 'List', items: objects };
  return format === 'json' ? `${JSON.stringify(doc, null, 4)}\n` : stringify(doc, { lineWidth: 0 });
}

/** `middlewareinstance.mwop.dev/cache`, as `-o name` prints it. */
export function objectName(kind: string, name: string): string {
  return `${kind.toLowerCase()}.mwop.dev/${name}`;
}
