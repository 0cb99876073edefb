// Small helpers of the workflow integration test: reading manifests and finding what the
// apiserver pruned from what we sent.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export function readYaml<T>(dir: string, file: string): T {
  return parse(readFileSync(join(dir, file), 'utf8')) as T;
}

/** JSON paths present in `sent` but missing or different in `got`: what the apiserver pruned or changed. */
export function droppedPaths(sent: unknown, got: unknown, path = ''): string[] {
  if (sent === null || typeof sent !== 'object') {
    return sent === got
      ? []
      : [`${path || '(root)'}: sent ${JSON.stringify(sent)}, stored ${JSON.stringify(got)}`];
  }
  if (got === null || typeof got !== 'object') return [`${path}: missing`];
  if (Array.isArray(sent)) {
    if (!Array.isArray(got) || got.length !== sent.length) return [`${path}: array length changed`];
    return sent.flatMap((v, i) => droppedPaths(v, got[i], `${path}[${i}]`));
  }
  return Object.entries(sent as Record<string, unknown>).flatMap(([k, v]) =>
    droppedPaths(v, (got as Record<string, unknown>)[k], path ? `${path}.${k}` : k),
  );
}
