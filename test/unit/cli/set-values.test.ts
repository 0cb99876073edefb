import { describe, expect, it } from 'vitest';
import { CliError } from '../../../src/cli/errors.ts';
import { leafPaths, parseSetValues, splitKey, typedValue, unknownKeys } from '../../../src/cli/set-values.ts';

describe('--set parsing', () => {
  it('types values like Helm: numbers, booleans, null, JSON, and quotes force strings', () => {
    expect(typedValue('3')).toBe(3);
    expect(typedValue('-12')).toBe(-12);
    expect(typedValue('0.75')).toBe(0.75);
    expect(typedValue('true')).toBe(true);
    expect(typedValue('false')).toBe(false);
    expect(typedValue('null')).toBeNull();
    expect(typedValue('256mb')).toBe('256mb');
    expect(typedValue('0755')).toBe('0755');
    expect(typedValue('"42"')).toBe('42');
    expect(typedValue("'true'")).toBe('true');
    expect(typedValue('[1,"a"]')).toEqual([1, 'a']);
    expect(typedValue('{"a":1}')).toEqual({ a: 1 });
    expect(typedValue('900 1 300 10')).toBe('900 1 300 10');
    expect(typedValue('12345678901234567890')).toBe('12345678901234567890');
  });

  it('nests dotted keys and keeps escaped dots', () => {
    expect(splitKey('a.b\\.c.d')).toEqual(['a', 'b.c', 'd']);
    expect(
      parseSetValues([
        'maxmemory=1gb',
        'tls.auth-clients=optional',
        'cluster\\.name=prod',
        'a.b.c=1',
        'a.b.d=true',
      ]),
    ).toEqual({
      maxmemory: '1gb',
      tls: { 'auth-clients': 'optional' },
      'cluster.name': 'prod',
      a: { b: { c: 1, d: true } },
    });
  });

  it('keeps the value after the first "=" whole', () => {
    expect(parseSetValues(['requirepass=a=b=c'])).toEqual({ requirepass: 'a=b=c' });
  });

  it('lets a later value win for the same key', () => {
    expect(parseSetValues(['maxmemory=1gb', 'maxmemory=2gb'])).toEqual({ maxmemory: '2gb' });
  });

  it('rejects an item without "=" and says how to write it', () => {
    const err = catchErr(() => parseSetValues(['maxmemory']));
    expect(err.message).toBe('--set "maxmemory": expected key=value');
    expect(err.hint).toBe('write it as --set <key>=<value>, for example --set maxmemory-policy=allkeys-lru');
    expect(catchErr(() => parseSetValues(['=1'])).message).toBe('--set "=1": expected key=value');
  });

  it('rejects empty key parts', () => {
    expect(catchErr(() => parseSetValues(['a..b=1'])).message).toBe(
      '--set "a..b=1": key "a..b" has an empty part',
    );
  });

  it('rejects a key that is both a value and an object', () => {
    const err = catchErr(() => parseSetValues(['tls=yes', 'tls.port=6380']));
    expect(err.message).toBe(
      '--set "tls.port=6380": tls was already set to "yes", so it cannot also hold port',
    );
  });

  it('rejects broken JSON and offers quoting', () => {
    const err = catchErr(() => parseSetValues(['list=[1,,2]']));
    expect(err.message).toBe('--set value [1,,2] looks like a JSON list but does not parse');
  });

  it('lists leaf paths with escaped dots', () => {
    expect(leafPaths({ a: { b: 1, c: { d: 2 } }, 'x.y': 3, e: {} })).toEqual(['a.b', 'a.c.d', 'x\\.y', 'e']);
  });

  it('finds keys that are not allowed, accepting prefixes of and paths under allowed keys', () => {
    const allowed = ['maxmemory', 'tls.auth-clients', 'latency'];
    expect(unknownKeys({ maxmemory: 1, tls: { 'auth-clients': 'yes' }, latency: { x: 1 } }, allowed)).toEqual(
      [],
    );
    expect(unknownKeys({ maxmemroy: 1, tls: { port: 1 } }, allowed)).toEqual(['maxmemroy', 'tls.port']);
  });
});

function catchErr(fn: () => unknown): CliError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    return err as CliError;
  }
  throw new Error('expected an error');
}
