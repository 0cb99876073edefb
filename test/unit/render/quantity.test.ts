import { describe, expect, it } from 'vitest';
import { RenderError } from '../../../src/render/errors.ts';
import {
  add,
  compare,
  compareQuantities,
  count,
  formatQuantity,
  parseQuantity,
  sub,
  times,
  toNumber,
} from '../../../src/render/quantity.ts';

const nanos = (s: string | number) => parseQuantity(s).nanos;
const fmt = (s: string | number) => formatQuantity(parseQuantity(s));

describe('parseQuantity', () => {
  it.each([
    ['1', 1_000_000_000n],
    ['0', 0n],
    ['500m', 500_000_000n],
    ['1m', 1_000_000n],
    ['250u', 250_000n],
    ['7n', 7n],
    ['1k', 1_000_000_000_000n],
    ['1M', 10n ** 15n],
    ['1G', 10n ** 18n],
    ['1T', 10n ** 21n],
    ['1P', 10n ** 24n],
    ['1E', 10n ** 27n],
    ['1Ki', 1024n * 10n ** 9n],
    ['1Mi', 1024n ** 2n * 10n ** 9n],
    ['1Gi', 1024n ** 3n * 10n ** 9n],
    ['1Ti', 1024n ** 4n * 10n ** 9n],
    ['1Pi', 1024n ** 5n * 10n ** 9n],
    ['1Ei', 1024n ** 6n * 10n ** 9n],
  ])('%s', (text, expected) => {
    expect(nanos(text)).toBe(expected);
  });

  it('is exact for decimals that floating point gets wrong', () => {
    expect(nanos('0.1')).toBe(100_000_000n);
    expect(nanos('1.1Gi')).toBe((11n * 1024n ** 3n * 10n ** 9n) / 10n);
    expect(nanos('1.5Gi')).toBe(1536n * 1024n ** 2n * 10n ** 9n);
    expect(nanos('0.5')).toBe(nanos('500m'));
    expect(nanos('.5')).toBe(nanos('500m'));
    expect(nanos('2.')).toBe(nanos('2'));
    expect(add(parseQuantity('0.1'), parseQuantity('0.2')).nanos).toBe(nanos('300m'));
  });

  it('reads exponents, including negative ones', () => {
    expect(nanos('5e3')).toBe(nanos('5k'));
    expect(nanos('1E6')).toBe(nanos('1M'));
    expect(nanos('12e-3')).toBe(nanos('12m'));
    expect(nanos('1.5e+2')).toBe(nanos('150'));
    expect(parseQuantity('5e3').format).toBe('DecimalExponent');
  });

  it('rounds values finer than a nano away from zero, as Kubernetes rounds up', () => {
    expect(nanos('1e-12')).toBe(1n);
    expect(nanos('0.0000000001')).toBe(1n);
    expect(nanos('1.0000000001')).toBe(1_000_000_001n);
    expect(nanos('-1e-12')).toBe(-1n);
  });

  it('takes signs and the integer form of int-or-string fields', () => {
    expect(nanos('-1Gi')).toBe(-nanos('1Gi'));
    expect(nanos('+2')).toBe(nanos('2'));
    expect(nanos(2)).toBe(nanos('2'));
    expect(nanos(0.25)).toBe(nanos('250m'));
    expect(nanos(1e-7)).toBe(100n);
  });

  it('records the format of the suffix', () => {
    expect(parseQuantity('1Gi').format).toBe('BinarySI');
    expect(parseQuantity('1G').format).toBe('DecimalSI');
    expect(parseQuantity('100').format).toBe('DecimalSI');
  });

  it.each(['', 'abc', '1GB', '1gi', '1.2.3', 'Gi', '1 Gi', '--1', '1e', '1e1.5', '1e999', '0x10'])(
    'rejects %j naming the path, the value and what is accepted',
    (text) => {
      let err: unknown;
      try {
        parseQuantity(text, 'spec.resources.requests.memory');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RenderError);
      const r = err as RenderError;
      expect(r.path).toBe('spec.resources.requests.memory');
      expect(r.value).toBe(text);
      expect(r.message).toContain('spec.resources.requests.memory: got');
      expect(r.message).toContain('500m');
    },
  );

  it('rejects numbers that are not finite', () => {
    expect(() => parseQuantity(Number.NaN, 'x')).toThrow(/x: got null; a quantity/);
    expect(() => parseQuantity(Number.POSITIVE_INFINITY, 'x')).toThrow(RenderError);
  });
});

describe('formatQuantity', () => {
  it.each([
    ['0', '0'],
    ['0Gi', '0'],
    ['1', '1'],
    ['500m', '500m'],
    ['1500m', '1500m'],
    ['2000m', '2'],
    ['0.5', '500m'],
    ['1000', '1k'],
    ['1500', '1500'],
    ['1.5k', '1500'],
    ['1e9', '1e9'],
    ['5e3', '5e3'],
    ['1000000000', '1G'],
    ['1Gi', '1Gi'],
    ['1024Mi', '1Gi'],
    ['1.5Gi', '1536Mi'],
    ['1536', '1536'],
    ['1Ki', '1Ki'],
    ['1536Ki', '1536Ki'],
    ['512', '512'],
    ['0.5Ki', '512'],
    ['0.1Ki', '102400m'],
    ['-2Gi', '-2Gi'],
    ['-250m', '-250m'],
    ['7n', '7n'],
    ['1Ei', '1Ei'],
    ['2048Ei', '2048Ei'],
  ])('%s -> %s', (text, expected) => {
    expect(fmt(text)).toBe(expected);
  });
});

describe('arithmetic', () => {
  it('keeps the format of the left operand, as apimachinery does', () => {
    const q = add(parseQuantity('1Gi'), parseQuantity('512Mi'));
    expect(formatQuantity(q)).toBe('1536Mi');
    expect(formatQuantity(add(parseQuantity('1G'), parseQuantity('1Gi')))).toBe('2073741824');
  });

  it('mixes suffix families exactly', () => {
    expect(formatQuantity(add(parseQuantity('1'), parseQuantity('250m')))).toBe('1250m');
    expect(formatQuantity(sub(parseQuantity('8Gi'), parseQuantity('6Gi')))).toBe('2Gi');
    expect(formatQuantity(sub(parseQuantity('1'), parseQuantity('1500m')))).toBe('-500m');
  });

  it('multiplies by replica counts and refuses fractions', () => {
    expect(formatQuantity(times(parseQuantity('1.5Gi'), 4))).toBe('6Gi');
    expect(formatQuantity(times(parseQuantity('100m'), 1000))).toBe('100');
    expect(() => times(parseQuantity('1'), 1.5)).toThrow(RangeError);
  });

  it('compares across formats', () => {
    expect(compare(parseQuantity('1Gi'), parseQuantity('1G'))).toBe(1);
    expect(compare(parseQuantity('1000m'), parseQuantity('1'))).toBe(0);
    expect(compareQuantities('10Gi', '20Gi')).toBe(-1);
    expect(compareQuantities('1e3', '1k')).toBe(0);
  });

  it('counts and converts', () => {
    expect(formatQuantity(count(3))).toBe('3');
    expect(toNumber(parseQuantity('1500m'))).toBe(1.5);
  });
});
