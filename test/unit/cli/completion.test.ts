import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { completionNodes } from '../../../src/cli/commands/completion.ts';
import { bashCompletion, completionRequest, zshCompletion } from '../../../src/cli/completion.ts';
import { buildProgram } from '../../../src/cli/main.ts';

describe('completion', () => {
  const nodes = completionNodes(buildProgram());

  it('covers every subcommand, nested ones and their flags', () => {
    const root = nodes.find((n) => n.path === '')!;
    expect(root.subcommands.map((s) => s.name)).toEqual(
      expect.arrayContaining(['backup', 'create', 'describe', 'list', 'restore', 'completion']),
    );
    expect(root.flags.map((f) => f.flag)).toEqual(['-n', '--namespace', '--context', '--kubeconfig']);
    expect(nodes.find((n) => n.path === 'backup')!.subcommands.map((s) => s.name)).toEqual(
      expect.arrayContaining(['create', 'list', 'sync']),
    );
    const create = nodes.find((n) => n.path === 'create')!;
    expect(create.args).toEqual(['type', 'instance']);
    expect(create.flags.find((f) => f.flag === '--set')?.takesValue).toBe(true);
    expect(create.flags.find((f) => f.flag === '--wait')?.takesValue).toBe(false);
  });

  it('writes a bash script that bash parses and that completes subcommands and flags', () => {
    const script = bashCompletion(nodes);
    const out = execFileSync(
      'bash',
      [
        '-c',
        `${script}
COMP_WORDS=(kubectl-mw ba); COMP_CWORD=1; _kubectl_mw; echo "1:\${COMPREPLY[*]}"
COMP_WORDS=(kubectl-mw backup s); COMP_CWORD=2; _kubectl_mw; echo "2:\${COMPREPLY[*]}"
COMP_WORDS=(kubectl-mw -n team-a list --a); COMP_CWORD=4; _kubectl_mw; echo "3:\${COMPREPLY[*]}"
COMP_WORDS=(kubectl-mw create --replicas 3 redis cache --st); COMP_CWORD=6; _kubectl_mw; echo "4:\${COMPREPLY[*]}"`,
      ],
      { encoding: 'utf8' },
    );
    expect(out.split('\n')).toEqual([
      '1:backup',
      '2:sync',
      '3:--all-namespaces',
      '4:--storage --storage-class',
      '',
    ]);
  });

  it('writes a zsh script with described commands', () => {
    const script = zshCompletion(nodes);
    expect(script.startsWith('#compdef kubectl-mw\n')).toBe(true);
    expect(script).toContain("'backup' 'create:Take a backup now (creates a MiddlewareBackup)");
    expect(script).toContain('compdef _kubectl_mw kubectl-mw');
  });
});

describe('kubectl plugin completion (__complete)', () => {
  const nodes = completionNodes(buildProgram());

  it('offers subcommands, nested subcommands and flags', () => {
    expect(completionRequest(nodes, ['de'])).toEqual({
      path: '',
      offer: 'subcommands',
      candidates: ['describe'],
    });
    expect(completionRequest(nodes, ['backup', ''])).toMatchObject({
      path: 'backup',
      candidates: expect.arrayContaining(['create', 'list', 'sync']),
    });
    expect(completionRequest(nodes, ['list', '--all'])).toMatchObject({
      offer: 'flags',
      candidates: ['--all-namespaces'],
    });
    expect(completionRequest(nodes, ['scale', 'cache', '--'])).toMatchObject({
      candidates: expect.arrayContaining(['--replicas', '--wait', '--namespace', '--kubeconfig']),
    });
  });

  it('asks for live names where an argument names an instance, a type or a backup, in the -n given', () => {
    expect(completionRequest(nodes, ['-n', 'team-a', 'describe', 'ca'])).toEqual({
      path: 'describe',
      offer: 'instance',
      candidates: [],
      namespace: 'team-a',
    });
    expect(completionRequest(nodes, ['create', ''])).toMatchObject({ offer: 'type' });
    expect(completionRequest(nodes, ['create', '--replicas', '3', 'redis', ''])).toMatchObject({
      offer: 'instance',
    });
    expect(completionRequest(nodes, ['restore', ''])).toMatchObject({ offer: 'backup' });
    expect(completionRequest(nodes, ['list', '-n', ''])).toMatchObject({ offer: 'namespace' });
    expect(completionRequest(nodes, ['create', 'redis', 'cache', '--replicas', ''])).toMatchObject({
      offer: 'none',
    });
  });
});
