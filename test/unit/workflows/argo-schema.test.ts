// Every generated Workflow and every ClusterWorkflowTemplate (as generated and as written to
// workflow-templates/) validates against Argo's full CRD schema from argo-workflows v3.7.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { clusterWorkflowTemplates, planWorkflow } from '../../../src/workflows/index.ts';
import { OPERATIONS, planAll } from './plan-operations.ts';
import { argoCrdDir, argoSchemaErrors, compileArgoSchemas } from './support/argo-schema.ts';
import { instance, noHooks } from './support/fixtures.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));

describe("Argo's full CRD schemas", () => {
  // The full schemas are large (63,000 lines for Workflow): compile both once, up front.
  beforeAll(() => compileArgoSchemas(), 300_000);

  it('come from the argo-workflows v3.7 module in the Go module cache', () => {
    expect(argoCrdDir()).toMatch(/argo-workflows\/v3@v3\.7\.\d+\/manifests\/base\/crds\/full$/);
  });

  it('reject an invalid Workflow (the validator is not vacuous)', () => {
    const wf = structuredClone(planAll()[0]?.wf) as unknown as { spec: Record<string, unknown> };
    wf.spec.activeDeadlineSeconds = 'soon';
    (wf.spec.templates as { http?: unknown }[]).push({
      name: 'bad',
      http: { timeoutSeconds: '{{x}}' },
    } as never);
    const errors = argoSchemaErrors('Workflow', wf);
    expect(errors.join('\n')).toMatch(/\/spec\/activeDeadlineSeconds: must be integer/);
    expect(errors.join('\n')).toMatch(/timeoutSeconds: must be integer/);
  });

  for (const { op, wf } of planAll()) {
    it(`accept the ${op.kind} Workflow`, () => {
      expect(argoSchemaErrors('Workflow', wf)).toEqual([]);
    });
  }

  it('accept the Workflows of a type without hooks', () => {
    for (const { op, observed } of OPERATIONS.filter(
      (o) => o.op.kind !== 'Switchover' && o.op.kind !== 'Failover',
    )) {
      expect(
        argoSchemaErrors('Workflow', planWorkflow(op, noHooks(), instance(3), observed)),
        op.kind,
      ).toEqual([]);
    }
  });

  for (const cwt of clusterWorkflowTemplates()) {
    it(`accept ClusterWorkflowTemplate ${cwt.metadata.name}`, () => {
      expect(argoSchemaErrors('ClusterWorkflowTemplate', cwt)).toEqual([]);
    });
  }

  it('accept every file in workflow-templates/, and there is one per template', () => {
    const dir = join(root, 'workflow-templates');
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    expect(files.sort()).toEqual(
      clusterWorkflowTemplates()
        .map((c) => `${c.metadata.name}.yaml`)
        .sort(),
    );
    for (const f of files) {
      const obj = parse(readFileSync(join(dir, f), 'utf8'));
      expect(argoSchemaErrors('ClusterWorkflowTemplate', obj), f).toEqual([]);
    }
  });
});
