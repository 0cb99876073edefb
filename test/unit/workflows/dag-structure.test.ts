import { describe, expect, it } from 'vitest';
import { clusterWorkflowTemplates, planWorkflow, type Workflow } from '../../../src/workflows/index.ts';
import { OPERATIONS, planAll } from './plan-operations.ts';
import { instance, noHooks } from './support/fixtures.ts';
import { checkTemplates, checkWorkflow, mainTasks, topoOrder } from './support/graph.ts';

const cwts = clusterWorkflowTemplates();

describe('every operation DAG', () => {
  const planned = planAll();
  it('covers every operation', () => {
    expect(planned.map((p) => p.op.kind)).toEqual(OPERATIONS.map((o) => o.op.kind));
  });
  for (const { op, wf } of planned) {
    describe(op.kind, () => {
      it('is acyclic and every depends, template and parameter resolves', () => {
        expect(topoOrder(mainTasks(wf))).toBeDefined();
        expect(checkWorkflow(wf, cwts)).toEqual([]);
      });
      it('has identity, a deadline and garbage collection', () => {
        expect(wf.metadata.name).toMatch(/^cache-[a-z-]+-g4$/);
        expect((wf.metadata.name ?? '').length).toBeLessThanOrEqual(63);
        expect(wf.metadata.labels).toMatchObject({
          'mwop.dev/instance': 'cache',
          'mwop.dev/type': 'redis',
        });
        expect(wf.metadata.labels?.['mwop.dev/operation']).toMatch(/^[a-z-]+$/);
        expect(wf.metadata.ownerReferences?.[0]).toMatchObject({
          kind: 'MiddlewareInstance',
          name: 'cache',
          blockOwnerDeletion: false,
        });
        expect(wf.metadata).not.toHaveProperty('finalizers');
        expect(wf.spec.activeDeadlineSeconds).toBeGreaterThan(0);
        expect(wf.spec.ttlStrategy?.secondsAfterSuccess).toBeGreaterThan(0);
        expect(wf.spec.podGC?.strategy).toBe('OnPodSuccess');
        expect(wf.spec.serviceAccountName).toBe('mwop-workflow');
        expect(JSON.parse(wf.metadata.annotations?.['mwop.dev/parameters'] ?? '{}')).toEqual(op);
      });
      it('references the ClusterWorkflowTemplates instead of inlining steps', () => {
        for (const t of mainTasks(wf)) expect(t.templateRef?.clusterScope).toBe(true);
      });
    });
  }
});

describe('the ClusterWorkflowTemplates themselves', () => {
  for (const cwt of cwts) {
    it(`${cwt.metadata.name}: internal references and parameters resolve`, () => {
      expect(checkTemplates(cwt.metadata.name ?? '', cwt.spec.templates ?? [], cwts)).toEqual([]);
      expect(cwt.spec.templates?.some((t) => t.name === cwt.spec.entrypoint)).toBe(true);
    });
  }
});

describe('the checker catches what it should', () => {
  const wf = (): Workflow => structuredClone(planAll()[0]?.wf as Workflow);
  it('a cycle', () => {
    const w = wf();
    const tasks = mainTasks(w);
    (tasks[0] as { depends?: string }).depends = tasks.at(-1)?.name;
    expect(checkWorkflow(w, cwts).join('\n')).toMatch(/cycle/);
  });
  it('an unknown dependency and an unknown template', () => {
    const w = wf();
    const [a, b] = mainTasks(w);
    (a as { depends?: string }).depends = 'nope';
    if (b?.templateRef) b.templateRef.template = 'missing';
    const problems = checkWorkflow(w, cwts).join('\n');
    expect(problems).toMatch(/depends on unknown task nope/);
    expect(problems).toMatch(/"missing"/);
  });
  it('an undeclared parameter', () => {
    const w = wf();
    w.spec.templates?.push({ name: 'x', http: { url: '{{inputs.parameters.url}}' } });
    expect(checkWorkflow(w, cwts).join('\n')).toMatch(/uses inputs.parameters.url/);
  });
});

describe('a type with no hooks', () => {
  const needsHook = new Set(['Switchover', 'Failover']);
  it('plans every operation that does not need a hook, with no hook steps', () => {
    for (const { op, observed } of OPERATIONS.filter((o) => !needsHook.has(o.op.kind))) {
      const wf = planWorkflow(op, noHooks(), instance(3, {}, 3), observed);
      expect(checkWorkflow(wf, cwts)).toEqual([]);
      for (const t of mainTasks(wf))
        expect(t.templateRef?.name, `${op.kind}/${t.name}`).not.toBe('mwop-hook-call');
    }
  });
  it('refuses a switchover or failover, naming the missing hook and what the type declares', () => {
    expect(() => planWorkflow({ kind: 'Switchover' }, noHooks(), instance(3))).toThrow(
      'spec.type: Switchover needs lifecycleHooks.switchover in tiny v1; it declares: no hooks',
    );
    expect(() => planWorkflow({ kind: 'Failover' }, noHooks(), instance(3))).toThrow(
      /lifecycleHooks.failover/,
    );
  });
});
