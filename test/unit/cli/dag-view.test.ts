import { describe, expect, it } from 'vitest';
import {
  dependsTasks,
  renderDag,
  stepChanges,
  taskLevels,
  type WorkflowLike,
  workflowSteps,
} from '../../../src/cli/dag-view.ts';
import { createWorkflow } from './workflow-fixtures.ts';

const failed = () =>
  createWorkflow(
    {
      $workflow: 'Failed',
      'render-config': 'Succeeded',
      'apply-objects': 'Succeeded',
      'wait-ready': 'Succeeded',
      'init-0': 'Succeeded',
      'init-1': 'Failed',
      'post-check': 'Omitted',
    },
    { 'init-1': 'hook POST /init on cache-1 returned 503: replica not yet synced' },
  );

describe('DAG structure', () => {
  it('reads task names out of depends expressions', () => {
    expect(dependsTasks('a && (b.Succeeded || c-d.Failed) && !e.Skipped')).toEqual(['a', 'b', 'c-d', 'e']);
  });

  it('levels tasks by their deepest dependency and survives cycles', () => {
    const levels = taskLevels([
      { name: 'a' },
      { name: 'b', dependencies: ['a'] },
      { name: 'c', depends: 'a' },
      { name: 'd', depends: 'b && c' },
      { name: 'x', dependencies: ['y'] },
      { name: 'y', dependencies: ['x'] },
    ]);
    expect(Object.fromEntries(levels)).toEqual({ a: 0, b: 1, c: 1, d: 2, x: 2, y: 1 });
  });
});

describe('renderDag', () => {
  it("draws each step's phase, the parallel fork and the failed step's message", () => {
    expect(renderDag(failed())).toEqual([
      'Workflow cache-create-g1: Failed (4/6 steps)',
      '  ✓ render-config  Succeeded      4s',
      '  │',
      '  ✓ apply-objects  Succeeded      4s',
      '  │',
      '  ✓ wait-ready     Succeeded      4s',
      '  │',
      '  ├─ ✓ init-0      Succeeded      4s',
      '  └─ ✗ init-1      Failed         4s',
      '       └─ hook POST /init on cache-1 returned 503: replica not yet synced',
      '  │',
      '  – post-check     Omitted        4s',
    ]);
  });

  it('shows steps that have not started as Pending, and running time against the clock given', () => {
    const wf = createWorkflow({ 'render-config': 'Succeeded', 'apply-objects': 'Running' });
    expect(renderDag(wf, { ascii: true, now: new Date('2026-01-01T03:01:35Z') })).toEqual([
      'Workflow cache-create-g1: Running (1/6 steps)',
      '  [+] render-config  Succeeded      4s',
      '  |',
      '  [>] apply-objects  Running     1m30s',
      '  |',
      '  [ ] wait-ready     Pending',
      '  |',
      '  +- [ ] init-0      Pending',
      '  `- [ ] init-1      Pending',
      '  |',
      '  [ ] post-check     Pending',
    ]);
  });

  it('names dependencies that are not simply the whole level before', () => {
    const wf: WorkflowLike = {
      metadata: { name: 'w' },
      spec: {
        entrypoint: 'main',
        templates: [
          {
            name: 'main',
            dag: {
              tasks: [
                { name: 'a' },
                { name: 'b' },
                { name: 'c', dependencies: ['a'] },
                { name: 'd', dependencies: ['a', 'b'] },
              ],
            },
          },
        ],
      },
      status: { phase: 'Pending' },
    };
    expect(renderDag(wf)).toEqual([
      'Workflow w: Pending (0/4 steps)',
      '  ├─ ○ a  Pending',
      '  └─ ○ b  Pending',
      '  │',
      '  ├─ ○ c  Pending          after a',
      '  └─ ○ d  Pending',
    ]);
  });

  it('expands nested DAG templates and finds a Retry node message in its failed child', () => {
    const wf: WorkflowLike = {
      metadata: { name: 'w' },
      spec: {
        entrypoint: 'main',
        templates: [
          {
            name: 'main',
            dag: {
              tasks: [{ name: 'prepare' }, { name: 'scale-out', template: 'add', dependencies: ['prepare'] }],
            },
          },
          {
            name: 'add',
            dag: { tasks: [{ name: 'add-member' }, { name: 'join', dependencies: ['add-member'] }] },
          },
        ],
      },
      status: {
        phase: 'Failed',
        progress: '2/4',
        nodes: {
          w: { name: 'w', type: 'DAG', phase: 'Failed' },
          p: { name: 'w.prepare', displayName: 'prepare', phase: 'Succeeded', boundaryID: 'w' },
          s: { name: 'w.scale-out', displayName: 'scale-out', phase: 'Failed', boundaryID: 'w', type: 'DAG' },
          a: {
            name: 'w.scale-out.add-member',
            displayName: 'add-member',
            phase: 'Succeeded',
            boundaryID: 's',
          },
          j: {
            name: 'w.scale-out.join',
            displayName: 'join',
            phase: 'Failed',
            boundaryID: 's',
            type: 'Retry',
            children: ['j0', 'j1'],
          },
          j0: { name: 'w.scale-out.join(0)', phase: 'Failed', message: 'first try' },
          j1: { name: 'w.scale-out.join(1)', phase: 'Failed', message: 'timeout waiting for replication' },
        },
      },
    };
    expect(workflowSteps(wf).map((s) => [s.path, s.depth, s.phase, s.message])).toEqual([
      ['prepare', 0, 'Succeeded', undefined],
      ['scale-out', 0, 'Failed', undefined],
      ['scale-out.add-member', 1, 'Succeeded', undefined],
      ['scale-out.join', 1, 'Failed', 'timeout waiting for replication'],
    ]);
    const lines = renderDag(wf);
    expect(lines[0]).toBe('Workflow w: Failed (2/4 steps)');
    expect(lines).toContain('    ✓ add-member  Succeeded');
  });

  it('reads the DAG from storedTemplates when the workflow references a template', () => {
    const wf: WorkflowLike = {
      metadata: { name: 'w' },
      spec: { workflowTemplateRef: { name: 'mwop-backup' } },
      status: {
        phase: 'Running',
        storedTemplates: {
          'cluster/mwop-backup/main': {
            name: 'main',
            dag: { tasks: [{ name: 'dump' }, { name: 'upload', dependencies: ['dump'] }] },
          },
        },
        nodes: { d: { name: 'w.dump', displayName: 'dump', phase: 'Running' } },
      },
    };
    // entrypoint unknown: the template named like the reference is not there, so nothing is drawn
    expect(renderDag(wf)[1]).toBe('  (no DAG steps found in the workflow)');
    wf.spec = { entrypoint: 'main' };
    expect(workflowSteps(wf).map((s) => `${s.path}:${s.phase}`)).toEqual(['dump:Running', 'upload:Pending']);
  });

  it('prints the workflow message when there are no steps to pin it on', () => {
    const wf: WorkflowLike = { metadata: { name: 'w' }, status: { phase: 'Error', message: 'invalid spec' } };
    expect(renderDag(wf)).toEqual([
      'Workflow w: Error (0/0 steps)',
      '  (no DAG steps found in the workflow)',
      '  message: invalid spec',
    ]);
  });
});

describe('stepChanges', () => {
  it('reports only steps whose phase moved, not the initial Pending ones', () => {
    const before = workflowSteps(createWorkflow({ 'render-config': 'Running' }));
    const after = workflowSteps(createWorkflow({ 'render-config': 'Succeeded', 'apply-objects': 'Running' }));
    expect(stepChanges([], before).map((s) => `${s.path}:${s.phase}`)).toEqual(['render-config:Running']);
    expect(stepChanges(before, after).map((s) => `${s.path}:${s.phase}`)).toEqual([
      'render-config:Succeeded',
      'apply-objects:Running',
    ]);
    expect(stepChanges(after, after)).toEqual([]);
  });
});
