// Failure on the real node: a member whose image does not exist on the node. The kubelet cannot
// pull it (nothing can be pulled here), and once the member has stayed broken past the operator's
// not-ready threshold (5 min) the instance is Failed with the kubelet's error in its status.
import { describe, expect, it } from 'vitest';
import type { MiddlewareInstance } from '../../src/api/index.ts';
import { eventually, getInstance, instancePath, recordPhases } from '../e2e/support/e2e.ts';
import { MISSING_IMAGE_VERSION } from './support/local-redis-type.ts';
import { localRedis, realNamespace } from './support/real.ts';
import { recordFigure } from './support/results.ts';

const ns = realNamespace('real-broken');
const NAME = 'broken';

describe('a Redis member whose image is missing', () => {
  it("drives the instance to Failed with the kubelet's pull error in its status", {
    timeout: 900_000,
  }, async () => {
    const phases = await recordPhases(ns, NAME);
    const t0 = Date.now();
    await ns.rest.post(
      instancePath(ns.name),
      localRedis(ns.name, NAME, { middlewareVersion: MISSING_IMAGE_VERSION.version }),
    );
    const failed: MiddlewareInstance = await eventually(
      `${ns.name}/${NAME} Failed`,
      async () => {
        const i = await getInstance(ns, NAME);
        return i.status?.phase === 'Failed' ? i : undefined;
      },
      { attempts: 3000, intervalMs: 250 },
    );
    recordFigure('redis missing image -> Failed', { ms: Date.now() - t0, operatorThresholdMs: 300_000 });
    await phases.stop();
    expect(phases.phases()).toEqual(['Initializing', 'Failed']);
    expect(failed.status?.message).toMatch(
      new RegExp(
        `pod ${NAME}-0 container middleware: (ErrImagePull|ImagePullBackOff): .*${MISSING_IMAGE_VERSION.image}`,
      ),
    );
  });
});
