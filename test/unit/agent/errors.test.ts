import { describe, expect, it } from 'vitest';
import { classifyClientError, HookError } from '../../../src/agent/errors.ts';

const err = (props: Record<string, unknown>) => Object.assign(new Error(String(props.message ?? '')), props);

describe('classifyClientError', () => {
  it('maps lost connections to 503 and timeouts to 504, naming the server', () => {
    expect(
      classifyClientError(
        err({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:6379' }),
        'redis at x',
      ),
    ).toMatchObject({
      status: 503,
      message: 'redis at x is unreachable: connect ECONNREFUSED 127.0.0.1:6379',
    });
    expect(classifyClientError(err({ message: 'Command timed out' }), 'redis at x')?.status).toBe(504);
    expect(
      classifyClientError(err({ code: 'ETIMEDOUT', errno: -110, message: 'connect ETIMEDOUT' }), 'mysql')
        ?.status,
    ).toBe(504);
  });

  it('leaves server replies alone, even when they mention timeout', () => {
    const reply = err({
      name: 'ReplyError',
      message: "ERR CONFIG SET failed (possibly related to argument 'timeout')",
    });
    expect(classifyClientError(reply, 'redis at x')).toBeUndefined();
    expect(
      classifyClientError(
        err({ errno: 1045, code: 'ER_ACCESS_DENIED_ERROR', message: 'Access denied' }),
        'mysql',
      ),
    ).toBeUndefined();
  });

  it('keeps a HookError as it is', () => {
    const h = new HookError(409, 'IsPrimary', 'no');
    expect(classifyClientError(h, 'x')).toBe(h);
  });
});
