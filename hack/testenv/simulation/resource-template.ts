// What argoexec's `resource` command does for a resource template (argo-workflows v3.7,
// workflow/executor/resource.go): run `kubectl <action>` on the manifest with the pod's
// ServiceAccount, then poll the object until the success condition holds or the failure condition
// does. Argument order and defaults follow getKubectlArguments there.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConditionSyntaxError, matchConditions, parseConditions } from './conditions.ts';
import type { SimKube } from './kube.ts';

export interface ResourceTemplate {
  action: string;
  manifest?: string;
  mergeStrategy?: string;
  successCondition?: string;
  failureCondition?: string;
  flags?: string[];
}

export type StepResult = { ok: true } | { ok: false; message: string };

export function kubectlArguments(r: ResourceTemplate, manifestPath: string, manifestKind: unknown): string[] {
  const args = [r.action];
  let output = 'json';
  if (r.action === 'delete') {
    args.push('--ignore-not-found');
    output = 'name';
  }
  let appendFile = true;
  if (r.action === 'patch') {
    const strategy = r.mergeStrategy || 'strategic';
    args.push('--type', strategy, '--patch-file', manifestPath);
    if (strategy === 'json' || ((r.flags?.length ?? 0) > 0 && manifestKind === undefined)) appendFile = false;
  }
  if (r.flags?.length) args.push(...r.flags);
  if (r.manifest && appendFile) args.push('-f', manifestPath);
  args.push('-o', output);
  return args;
}

export async function runResourceTemplate(
  kube: SimKube,
  namespace: string,
  serviceAccount: string,
  r: ResourceTemplate,
  stillWanted: () => Promise<boolean>,
  pollMs = 1000,
): Promise<StepResult> {
  let success: ReturnType<typeof parseConditions> = [];
  let failure: ReturnType<typeof parseConditions> = [];
  try {
    success = parseConditions(r.successCondition ?? '');
    failure = parseConditions(r.failureCondition ?? '');
  } catch (err) {
    if (err instanceof ConditionSyntaxError) return { ok: false, message: err.message };
    throw err;
  }
  const dir = mkdtempSync(join(tmpdir(), 'mwop-sim-resource-'));
  try {
    const manifestPath = join(dir, 'manifest.json');
    writeFileSync(manifestPath, r.manifest ?? '');
    let kind: unknown;
    try {
      kind = (JSON.parse(r.manifest ?? '{}') as { kind?: unknown }).kind;
    } catch {
      kind = /(^|\n)kind:/.test(r.manifest ?? '') ? 'yaml' : undefined;
    }
    let out: string;
    try {
      out = await kube.kubectlAs(namespace, serviceAccount, kubectlArguments(r, manifestPath, kind));
    } catch (err) {
      return { ok: false, message: (err as Error).message };
    }
    if (r.action === 'delete' || (success.length === 0 && failure.length === 0)) return { ok: true };
    // The object to watch: what kubectl printed (apply/create/get/patch print it as JSON).
    const printed = JSON.parse(out) as { kind: string; metadata: { name: string } };
    const target = [`${printed.kind}/${printed.metadata.name}`, '-o', 'json'];
    for (;;) {
      let obj: unknown;
      try {
        obj = JSON.parse(await kube.kubectlAs(namespace, serviceAccount, ['get', ...target]));
      } catch (err) {
        return { ok: false, message: (err as Error).message };
      }
      const outcome = matchConditions(obj, success, failure);
      if (outcome.state === 'succeeded') return { ok: true };
      if (outcome.state === 'failed') return { ok: false, message: outcome.message };
      if (!(await stillWanted())) return { ok: false, message: 'the pod went away while waiting' };
      await new Promise((res) => setTimeout(res, pollMs));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
