import { describe, expect, it } from 'vitest';
import { candidateNamespaces, rulesAllow, summarizeAccess } from '../../../src/cli/namespaces-access.ts';

const want = { verb: 'list', group: 'mwop.dev', resource: 'middlewareinstances' };

describe('rulesAllow', () => {
  it('matches verbs, groups and resources, wildcards included', () => {
    expect(
      rulesAllow(
        [{ verbs: ['get', 'list'], apiGroups: ['mwop.dev'], resources: ['middlewareinstances'] }],
        want,
      ),
    ).toBe(true);
    expect(rulesAllow([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], want)).toBe(true);
    expect(
      rulesAllow([{ verbs: ['get'], apiGroups: ['mwop.dev'], resources: ['middlewareinstances'] }], want),
    ).toBe(false);
    expect(rulesAllow([{ verbs: ['list'], apiGroups: [''], resources: ['middlewareinstances'] }], want)).toBe(
      false,
    );
    expect(
      rulesAllow([{ verbs: ['list'], apiGroups: ['mwop.dev'], resources: ['middlewarebackups'] }], want),
    ).toBe(false);
    expect(rulesAllow([], want)).toBe(false);
  });

  it('does not count rules limited to named objects, since a list cannot be', () => {
    expect(
      rulesAllow(
        [
          {
            verbs: ['list'],
            apiGroups: ['mwop.dev'],
            resources: ['middlewareinstances'],
            resourceNames: ['cache'],
          },
        ],
        want,
      ),
    ).toBe(false);
  });
});

describe('candidate namespaces', () => {
  it('uses the namespace list when it could be read', () => {
    expect(candidateNamespaces(['b', 'a'], ['x'])).toEqual(['a', 'b']);
  });

  it("falls back to the kubeconfig's namespaces, deduplicated", () => {
    expect(candidateNamespaces(undefined, ['team-b', undefined, 'team-a', 'team-b'])).toEqual([
      'team-a',
      'team-b',
    ]);
  });
});

describe('summarizeAccess', () => {
  const decisions = [
    { namespace: 'team-c', allowed: true },
    { namespace: 'team-a', allowed: true },
    { namespace: 'kube-system', allowed: false },
  ];

  it('keeps the allowed namespaces, sorted', () => {
    expect(summarizeAccess(decisions, true)).toEqual({ namespaces: ['team-a', 'team-c'] });
  });

  it('says that only the kubeconfig namespaces were checked when namespaces could not be listed', () => {
    expect(summarizeAccess(decisions, false)).toEqual({
      namespaces: ['team-a', 'team-c'],
      note: 'you may not list namespaces, so only the namespaces in your kubeconfig were checked (kube-system, team-a, team-c); ask a cluster admin for `list` on namespaces to see every namespace you can use',
    });
  });
});
