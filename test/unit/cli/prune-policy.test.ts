// --max-count/--max-age of `kubectl mw backup prune`, as the retention-cleanup template passes them.
import { describe, expect, it } from 'vitest';
import { prunePolicy } from '../../../src/cli/commands/backup.ts';
import { CliError } from '../../../src/cli/errors.ts';

describe('prunePolicy', () => {
  it('empty values mean no limit', () => {
    expect(prunePolicy('', '')).toEqual({});
    expect(prunePolicy('3', '')).toEqual({ maxCount: 3 });
    expect(prunePolicy('', '720h')).toEqual({ maxAgeMs: 720 * 3_600_000 });
    expect(prunePolicy('2', '30d')).toEqual({ maxCount: 2, maxAgeMs: 30 * 86_400_000 });
  });

  it('bad values name the flag, the value and what is accepted', () => {
    expect(() => prunePolicy('-1', '')).toThrow(CliError);
    expect(() => prunePolicy('-1', '')).toThrow('--max-count: "-1" is not a whole number');
    expect(() => prunePolicy('0', '')).toThrow('--max-count: got 0, accepted an integer >= 1');
    expect(() => prunePolicy('', '5x')).toThrow(/^--max-age: got "5x", accepted a duration/);
  });
});
