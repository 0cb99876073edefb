// Argo's full CRD schemas, loaded at run time from the Go module cache (hack/argo/crds-path.sh
// downloads argo-workflows v3.7 when it is missing) and compiled once with ajv, configured like
// src/api/validate.ts. A missing Go toolchain or module fails the tests loudly.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../../../..', import.meta.url));

let dir: string | undefined;
export function argoCrdDir(): string {
  if (!dir) {
    dir = execFileSync('bash', [join(root, 'hack/argo/crds-path.sh')], { encoding: 'utf8' }).trim();
  }
  return dir;
}

interface Crd {
  spec: { versions: { name: string; schema: { openAPIV3Schema: object } }[] };
}

export function argoCrd(file: string): Crd {
  return parse(readFileSync(join(argoCrdDir(), file), 'utf8')) as Crd;
}

const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true });
for (const keyword of [
  'x-kubernetes-validations',
  'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
]) {
  ajv.addKeyword({ keyword });
}
ajv.addFormat('int32', { type: 'number', validate: (n: number) => n >= -(2 ** 31) && n < 2 ** 31 });
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)) && /^\d{4}-\d{2}-\d{2}T/.test(s));
ajv.addFormat('byte', (s: string) => /^[A-Za-z0-9+/]*={0,2}$/.test(s));

const compiled = new Map<string, ValidateFunction>();

function validator(file: string): ValidateFunction {
  let fn = compiled.get(file);
  if (!fn) {
    const version = argoCrd(file).spec.versions.find((v) => v.name === 'v1alpha1');
    if (!version) throw new Error(`${file} in ${argoCrdDir()} has no v1alpha1 version`);
    fn = ajv.compile(version.schema.openAPIV3Schema);
    compiled.set(file, fn);
  }
  return fn;
}

const FILES = {
  Workflow: 'argoproj.io_workflows.yaml',
  ClusterWorkflowTemplate: 'argoproj.io_clusterworkflowtemplates.yaml',
};

export function compileArgoSchemas(): void {
  for (const file of Object.values(FILES)) validator(file);
}

/** Schema violations as "path: message (got value)" lines; empty when the object is valid. */
export function argoSchemaErrors(kind: 'Workflow' | 'ClusterWorkflowTemplate', obj: unknown): string[] {
  const fn = validator(FILES[kind]);
  if (fn(obj)) return [];
  return (fn.errors ?? []).map(
    (e) => `${e.instancePath || '(root)'}: ${e.message} ${JSON.stringify(e.params)}`,
  );
}
