import { describe, expect, it } from 'vitest';
import { classifyS3Error } from '../../../src/backup/s3/probe.ts';

const EP = 'https://s3.example.com:9000';

function nodeErr(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}
function s3Err(name: string, status: number): Error {
  return Object.assign(new Error(name), { name, Code: name, $metadata: { httpStatusCode: status } });
}

describe('classifyS3Error', () => {
  const cases: [string, unknown, string, string][] = [
    ['DNS', nodeErr('ENOTFOUND', 'getaddrinfo ENOTFOUND s3.example.com'), 'DNS', 'ENOTFOUND'],
    ['DNS (temporary)', nodeErr('EAI_AGAIN'), 'DNS', 'EAI_AGAIN'],
    ['refused', nodeErr('ECONNREFUSED'), 'ConnectionRefused', 'ECONNREFUSED'],
    ['self-signed', nodeErr('DEPTH_ZERO_SELF_SIGNED_CERT'), 'TLS', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
    ['unknown CA', nodeErr('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'TLS', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
    ['expired', nodeErr('CERT_HAS_EXPIRED'), 'TLS', 'CERT_HAS_EXPIRED'],
    ['wrong host', nodeErr('ERR_TLS_CERT_ALTNAME_INVALID'), 'TLS', 'ERR_TLS_CERT_ALTNAME_INVALID'],
    ['https to http port', nodeErr('EPROTO', 'wrong version number'), 'TLS', 'EPROTO'],
    ['bad secret', s3Err('SignatureDoesNotMatch', 403), 'Auth', 'SignatureDoesNotMatch'],
    ['bad key', s3Err('InvalidAccessKeyId', 403), 'Auth', 'InvalidAccessKeyId'],
    ['versitygw bad key', s3Err('XAdminUserNotFound', 404), 'Auth', 'XAdminUserNotFound'],
    ['expired token', s3Err('ExpiredToken', 400), 'Auth', 'ExpiredToken'],
    ['no bucket', s3Err('NoSuchBucket', 404), 'NoSuchBucket', 'NoSuchBucket'],
    ['no bucket (HEAD)', s3Err('NotFound', 404), 'NoSuchBucket', 'NoSuchBucket'],
    ['denied', s3Err('AccessDenied', 403), 'AccessDenied', 'AccessDenied'],
    ['forbidden (HEAD)', s3Err('Forbidden', 403), 'AccessDenied', 'AccessDenied'],
    ['region', s3Err('PermanentRedirect', 301), 'WrongRegion', 'PermanentRedirect'],
    ['timeout', Object.assign(new Error('t'), { name: 'TimeoutError' }), 'Timeout', 'TimeoutError'],
    ['reset', nodeErr('ECONNRESET'), 'Network', 'ECONNRESET'],
    [
      'nested cause',
      Object.assign(new Error('fetch failed'), { cause: nodeErr('ENOTFOUND') }),
      'DNS',
      'ENOTFOUND',
    ],
    [
      'aggregate',
      Object.assign(new AggregateError([nodeErr('ECONNREFUSED')], 'x')),
      'ConnectionRefused',
      'ECONNREFUSED',
    ],
    ['unknown', new Error('something odd'), 'Unknown', 'Unknown'],
    ['not an error', 'boom', 'Unknown', 'Unknown'],
  ];
  for (const [name, err, reason, code] of cases) {
    it(`${name} -> ${reason}`, () => {
      const f = classifyS3Error(err, EP, 'mwop-backups');
      expect(f.reason).toBe(reason);
      expect(f.code).toBe(code);
    });
  }

  it('says where and what to check', () => {
    expect(classifyS3Error(nodeErr('ENOTFOUND'), EP, 'b').message).toBe(
      'DNS: the host s3.example.com:9000 of endpoint https://s3.example.com:9000 does not resolve (ENOTFOUND)',
    );
    expect(classifyS3Error(s3Err('NoSuchBucket', 404), EP, 'mwop-backups').message).toBe(
      'bucket mwop-backups does not exist at https://s3.example.com:9000; create it or fix spec.bucket',
    );
    expect(classifyS3Error(s3Err('SignatureDoesNotMatch', 403), EP, 'b').message).toMatch(
      /^auth: .* rejected the credentials \(SignatureDoesNotMatch\); check the access key id and secret/,
    );
  });

  it('an auth error wins over its 404 status (versitygw answers unknown keys with 404)', () => {
    expect(classifyS3Error(s3Err('XAdminUserNotFound', 404), EP, 'b').reason).toBe('Auth');
  });
});
