import { describe, expect, it } from 'vitest';
import {
  checkUpgradePath,
  compareVersions,
  numericVersion,
  versionMatches,
} from '../../../src/agent/versions.ts';

describe('versions', () => {
  it('reads the numeric part of vendor version strings', () => {
    expect(numericVersion('10.11.19-MariaDB-0+deb12u1')).toEqual([10, 11, 19]);
    expect(numericVersion('v7.2')).toEqual([7, 2]);
    expect(numericVersion('latest')).toEqual([]);
  });
  it('compares numerically, not as text', () => {
    expect(compareVersions('7.10.0', '7.9.9')).toBe(1);
    expect(compareVersions('7.0', '7.0.0')).toBe(0);
    expect(compareVersions('6.2.14', '7.0.0')).toBe(-1);
  });
  it('matches a declared prefix', () => {
    expect(versionMatches('7.0.15', '7.0')).toBe(true);
    expect(versionMatches('7.0.15', '7.0.15')).toBe(true);
    expect(versionMatches('7.0.15', '7.2')).toBe(false);
  });
});

describe('checkUpgradePath', () => {
  it('allows the running version without a path', () => {
    expect(checkUpgradePath('7.0.15', '7.0.15', undefined).ok).toBe(true);
  });
  it('requires the path for another version', () => {
    expect(checkUpgradePath('7.0.15', '7.2.4', undefined)).toMatchObject({ ok: false, reason: 'BadRequest' });
  });
  it('refuses downgrades and targets off the path, listing what is accepted', () => {
    expect(checkUpgradePath('7.2.4', '7.0.15', ['7.0.15'])).toMatchObject({ ok: false, reason: 'Downgrade' });
    expect(checkUpgradePath('7.0.15', '7.4.0', ['7.2.4', '7.2.5'])).toEqual({
      ok: false,
      reason: 'NotInUpgradePath',
      message:
        'targetMiddlewareVersion: 7.4.0 is not in the allowed upgrade path from 7.0.15; accepted: 7.2.4, 7.2.5',
    });
    expect(checkUpgradePath('7.0.15', '7.4.0', [])).toMatchObject({
      message: expect.stringContaining('accepted: (none)'),
    });
  });
  it('allows a target on the path, also by a minor-version entry', () => {
    expect(checkUpgradePath('7.0.15', '7.2.4', ['7.2.4']).ok).toBe(true);
    expect(checkUpgradePath('7.0.15', '7.2.4', ['7.2']).ok).toBe(true);
  });
});
