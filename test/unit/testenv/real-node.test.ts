// The pure parts of the real-node cluster (docs/real-node.md): what the machine lacks, the images
// the node imported, the test-only redis type, and the workflow-controller's flags.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { workflowControllerArgs } from '../../../hack/testenv/argo-controller.ts';
import { upstreamVersion } from '../../../hack/testenv/node/image-info.ts';
import { CNI, COMMANDS, type HostFacts, problems } from '../../../hack/testenv/node/preflight.ts';
import { localImages } from '../../../hack/testenv/node/real-cluster.ts';
import type { MiddlewareType } from '../../../src/api/index.ts';
import {
  localRedisType,
  MISSING_IMAGE_VERSION,
  TEST_ONLY_LABEL,
} from '../../e2e-real/support/local-redis-type.ts';

const all = (names: string[]) => Object.fromEntries(names.map((n) => [n, true]));
const good: HostFacts = {
  uid: 0,
  commands: all(COMMANDS),
  cniPlugins: all(CNI),
  cgroupMemory: true,
  cgroupCpu: true,
  kubeletBuilt: true,
  corednsBuilt: true,
  nodeBinary: true,
};

describe('preflight problems', () => {
  it('none on a machine with everything', () => {
    expect(problems(good)).toEqual([]);
  });

  it('names every missing piece at once, with how to get it', () => {
    const p = problems({
      ...good,
      uid: 1000,
      commands: { ...good.commands, containerd: false, umoci: false },
      cniPlugins: { ...good.cniPlugins, bridge: false },
      cgroupMemory: false,
      corednsBuilt: false,
    });
    expect(p).toEqual([
      'not root (uid 1000): containerd, the kubelet, mounts and network namespaces need root',
      'missing commands: containerd, umoci (bash hack/testenv/node/install-deps.sh; go: make tools)',
      'missing CNI plugins in /usr/lib/cni: bridge (install-deps.sh)',
      expect.stringMatching(
        /^cgroups: the kubelet needs the memory and cpu controllers .* found memory=false cpu=true$/,
      ),
      'CoreDNS is not built (bash hack/testenv/node/build-coredns.sh): workflows reach members by DNS name',
    ]);
  });
});

describe('local images', () => {
  it('reads the upstream version inside a Debian package version', () => {
    expect(upstreamVersion('5:7.0.15-1~deb12u10')).toBe('7.0.15');
    expect(upstreamVersion('1:10.11.19-0+deb12u1')).toBe('10.11.19');
    expect(() => upstreamVersion('')).toThrow('not a Debian package version: ""');
  });

  it('maps what the node imported to references, and names what is missing', () => {
    const imported = [
      'mwop.local/pause:3.10-mwop-go',
      'mwop.local/redis:7.0-debian12',
      'mwop.local/argoexec:v3.7.18',
      'mwop.local/agent:0.1.0-local',
      'mwop.local/backup:0.1.0-local',
    ];
    expect(localImages(imported, '5:7.0.15-1~deb12u10')).toEqual({
      redis: 'mwop.local/redis:7.0-debian12',
      redisVersion: '7.0.15',
      argoexec: 'mwop.local/argoexec:v3.7.18',
      agent: 'mwop.local/agent:0.1.0-local',
      backup: 'mwop.local/backup:0.1.0-local',
    });
    expect(() => localImages(imported.slice(0, 3), '7.0.15')).toThrow(
      'the node did not import mwop.local/agent',
    );
  });
});

describe('the test-only redis type', () => {
  const shipped = parse(readFileSync('deploy/plugins/redis.yaml', 'utf8')) as MiddlewareType;
  const images = {
    redis: 'mwop.local/redis:7.0-debian12',
    redisVersion: '7.0.15',
    agent: 'mwop.local/agent:0.1.0-local',
    backup: 'mwop.local/backup:0.1.0-local',
  };
  const t = localRedisType(shipped, images);

  it('keeps the name redis (the agent picks its driver by it), labelled test-only', () => {
    expect(t.metadata.name).toBe('redis');
    expect(t.metadata.labels?.[TEST_ONLY_LABEL]).toBe('true');
    expect(t.spec.description).toMatch(/^TEST ONLY/);
  });

  it('maps v1 to the local images and a version whose image is never built; keeps hooks and workload', () => {
    expect(t.spec.versions.map((v) => v.pluginVersion)).toEqual(['v1']);
    const [v1] = t.spec.versions;
    expect(v1?.supportedVersions).toEqual([
      { version: '7.0.15', image: images.redis, agentImage: images.agent, default: true },
      { ...MISSING_IMAGE_VERSION, agentImage: images.agent },
    ]);
    expect(v1?.backupConfig?.image).toBe(images.backup);
    const shippedV1 = shipped.spec.versions[0]!;
    expect(v1?.lifecycleHooks).toEqual(shippedV1.lifecycleHooks);
    expect(v1?.workload).toEqual(shippedV1.workload);
    expect(v1?.backupConfig?.command).toEqual(shippedV1.backupConfig?.command);
  });

  it('leaves the shipped object alone', () => {
    expect(shipped.spec.versions[0]?.supportedVersions[0]?.image).toMatch(/^docker\.io\/library\/redis:/);
  });
});

describe('workflowControllerArgs', () => {
  it('sets the executor pull policy only when given', () => {
    expect(
      workflowControllerArgs('/k', { image: 'mwop.local/argoexec:v3.7.18', pullPolicy: 'Never' }),
    ).toEqual([
      '--kubeconfig=/k',
      '--namespace=argo',
      '--configmap=workflow-controller-configmap',
      '--executor-image=mwop.local/argoexec:v3.7.18',
      '--executor-image-pull-policy=Never',
      '--loglevel=info',
    ]);
    expect(workflowControllerArgs('/k', { image: 'quay.io/argoproj/argoexec:v3.7.18' })).not.toContain(
      expect.stringMatching(/pull-policy/),
    );
  });
});
