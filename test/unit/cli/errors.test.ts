import { describe, expect, it } from 'vitest';
import { CliError, formatError } from '../../../src/cli/errors.ts';
import { KubeApiError } from '../../../src/kube/errors.ts';

describe('formatError', () => {
  it('prints the message and what to do next', () => {
    expect(formatError(new CliError('unknown middleware type "redsi"', 'use one of: mysql, redis'))).toBe(
      'error: unknown middleware type "redsi"\n  next: use one of: mysql, redis\n',
    );
    expect(formatError(new Error('plain'))).toBe('error: plain\n');
  });

  it('explains API errors by status', () => {
    expect(formatError(new KubeApiError(401, 'Unauthorized', 'Unauthorized'))).toBe(
      'error: the API server rejected your credentials (401 Unauthorized)\n  next: refresh the token or client certificate in your kubeconfig, or pick another --context\n',
    );
    expect(
      formatError(new KubeApiError(403, 'Forbidden', 'middlewareinstances.mwop.dev is forbidden'), {
        namespace: 'team-b',
      }),
    ).toBe(
      'error: middlewareinstances.mwop.dev is forbidden\n  next: ask an admin of namespace team-b to bind you to the mwop-view (read) or mwop-edit role; `kubectl auth can-i --list -n team-b` shows what you may do\n',
    );
    expect(
      formatError(new KubeApiError(404, 'NotFound', 'the server could not find the requested resource')),
    ).toBe(
      'error: the mwop.dev API is not installed in this cluster\n  next: install the CRDs with `kubectl apply -f crds/` (or the operator chart), then retry\n',
    );
    expect(formatError(new KubeApiError(422, 'Invalid', 'spec.replicas: Invalid value: 9'))).toBe(
      'error: the API server rejected the object: spec.replicas: Invalid value: 9\n  next: fix the fields named above and retry\n',
    );
  });

  it('explains an unreachable API server', () => {
    const err = Object.assign(new Error('fetch failed'), {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }),
    });
    expect(formatError(err)).toBe(
      'error: cannot reach the Kubernetes API server (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:6443)\n  next: check that the cluster is running and that --kubeconfig/--context point at it (kubectl cluster-info)\n',
    );
  });
});
