import { describe, expect, it } from 'vitest';
import { normalize, renderPage } from '../../../hack/quickstart/transcript.ts';

describe('quickstart transcript', () => {
  it('renders each step as an explanation and a console block with the command and its output', () => {
    const page = renderPage([
      { explain: 'List the types:', command: 'kubectl mw types', output: 'redis v1\n\n' },
    ]);
    expect(page).toContain('List the types:\n\n```console\n$ kubectl mw types\nredis v1\n```\n');
    expect(page).toContain('simulated nodes');
  });

  it('normalizes durations, ages and times but nothing else', () => {
    expect(normalize('cache  Running  12s  ok in 3.2s at 2026-11-29T05:00:01Z 05:00:01  ')).toBe(
      'cache Running <duration> ok in <duration> at <time> <clock>',
    );
    expect(normalize('phase Running')).not.toBe(normalize('phase Failed'));
    expect(
      normalize('cache: phase Pending\n  ▶ init-0 Running\n  ✓ init-0 Succeeded\ncache is Running.'),
    ).toBe('cache is Running.');
  });
});
