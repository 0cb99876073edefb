import { describe, expect, it } from 'vitest';
import type { CliError } from '../../../src/cli/errors.ts';
import {
  age,
  formatObjects,
  formatTable,
  humanDuration,
  parseOutputFormat,
} from '../../../src/cli/output.ts';

describe('tables like kubectl', () => {
  it('aligns columns with three spaces, upper-cases headers and fills empty cells', () => {
    expect(
      formatTable(
        ['name', 'phase', 'operation'],
        [
          ['cache', 'Running', ''],
          ['orders-db', 'Scaling', 'ScaleOut 2/5'],
        ],
      ),
    ).toBe(
      'NAME        PHASE     OPERATION\n' +
        'cache       Running   <none>\n' +
        'orders-db   Scaling   ScaleOut 2/5\n',
    );
  });

  it('counts a multi-byte symbol as one column', () => {
    expect(formatTable(['a', 'b'], [['✓ x', '1']])).toBe('A     B\n✓ x   1\n');
  });
});

describe('ages like kubectl', () => {
  const cases: [number, string][] = [
    [-5000, '<invalid>'],
    [-500, '0s'],
    [0, '0s'],
    [119_000, '119s'],
    [120_000, '2m'],
    [150_000, '2m30s'],
    [600_000, '10m'],
    [179 * 60_000, '179m'],
    [3 * 3_600_000, '3h'],
    [(3 * 60 + 20) * 60_000, '3h20m'],
    [8 * 3_600_000, '8h'],
    [47 * 3_600_000, '47h'],
    [50 * 3_600_000, '2d2h'],
    [8 * 86_400_000, '8d'],
    [800 * 86_400_000, '2y70d'],
    [3000 * 86_400_000, '8y'],
  ];
  for (const [ms, want] of cases) it(`${ms} ms -> ${want}`, () => expect(humanDuration(ms)).toBe(want));

  it('measures from the timestamp to the clock given', () => {
    expect(age('2026-01-01T00:00:00Z', new Date('2026-01-01T00:05:12Z'))).toBe('5m12s');
    expect(age(undefined, new Date())).toBe('<unknown>');
  });
});

describe('-o', () => {
  it('accepts yaml, json, wide and name; rejects others with the list', () => {
    expect(parseOutputFormat(undefined)).toBe('table');
    expect(parseOutputFormat('wide')).toBe('wide');
    let err: unknown;
    try {
      parseOutputFormat('xml');
    } catch (e) {
      err = e;
    }
    expect((err as CliError).message).toBe('-o/--output: unknown format "xml"');
    expect((err as CliError).hint).toBe('use one of: yaml, json, wide, name (or leave -o out for the table)');
  });

  it('prints one object alone and several as a List', () => {
    expect(formatObjects([{ a: 1 }], 'yaml', true)).toBe('a: 1\n');
    expect(JSON.parse(formatObjects([{ a: 1 }], 'json', false))).toEqual({
      apiVersion: 'v1',
      kind: 'List',
      items: [{ a: 1 }],
    });
  });
});
