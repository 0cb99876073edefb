import { describe, expect, it } from 'vitest';
import { answerWithinMs, createLock, timeoutFromHeader } from '../../../src/agent/server.ts';

describe('createLock', () => {
  it('hands the lock out one holder at a time, in arrival order', async () => {
    const acquire = createLock();
    const order: string[] = [];
    const first = await acquire();
    const second = acquire().then((release) => {
      order.push('second');
      release();
    });
    const third = acquire().then((release) => {
      order.push('third');
      release();
    });
    order.push('first');
    first();
    await Promise.all([second, third]);
    expect(order).toEqual(['first', 'second', 'third']);
  });
});

describe('deadlines', () => {
  it('answers a little before the caller gives up', () => {
    expect(answerWithinMs(5)).toBe(4500);
    expect(answerWithinMs(60)).toBe(59_000);
  });
  it('reads the caller timeout header, naming a bad one', () => {
    expect(timeoutFromHeader(undefined, 30)).toBe(30);
    expect(timeoutFromHeader('12', 30)).toBe(12);
    expect(() => timeoutFromHeader('soon', 30)).toThrow(
      'header x-mwop-timeout-seconds: got "soon", want seconds from 1 to 3600',
    );
  });
});
