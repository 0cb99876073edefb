import { describe, expect, it } from 'vitest';
import { formatQuantity } from '../../../src/render/quantity.ts';
import { type Footprint, instanceFootprint, scheduledBackupApplies } from '../../../src/render/resources.ts';
import { instance, plugin } from './fixtures.ts';

const show = (fp: Footprint) =>
  Object.fromEntries(Object.entries(fp.resources).map(([k, v]) => [k, formatQuantity(v)]));

describe('instanceFootprint', () => {
  it('sums every replica including the agent sidecar, with the storage, claims and Services', () => {
    // Per pod: preset small (250m/512Mi, limits 1/1Gi) + agent (50m/64Mi, limits 200m/128Mi).
    expect(show(instanceFootprint({ instance: instance(), plugin: plugin() }))).toEqual({
      pods: '3',
      'count/pods': '3',
      'requests.cpu': '900m',
      cpu: '900m',
      'requests.memory': '1728Mi',
      memory: '1728Mi',
      'limits.cpu': '3600m',
      'limits.memory': '3456Mi',
      'requests.storage': '30Gi',
      persistentvolumeclaims: '3',
      'count/persistentvolumeclaims': '3',
      services: '2',
      'count/services': '2',
      'count/statefulsets.apps': '1',
      'count/configmaps': '1',
      'count/secrets': '1',
    });
  });

  it("adds the backup tool's pod only when a backup is due", () => {
    const fp = show(instanceFootprint({ instance: instance(), plugin: plugin(), backupDue: true }));
    expect(fp).toMatchObject({
      pods: '4',
      'requests.cpu': '1',
      'requests.memory': '1984Mi',
      'limits.cpu': '4600m',
      'limits.memory': '3968Mi',
      'requests.storage': '30Gi',
    });
    const noTool = plugin({ backupConfig: undefined });
    expect(show(instanceFootprint({ instance: instance(), plugin: noTool, backupDue: true })).pods).toBe('3');
  });

  it('counts load balancers and node ports as the quota evaluator does', () => {
    const lb = show(
      instanceFootprint({ instance: instance({ serviceType: 'LoadBalancer' }), plugin: plugin() }),
    );
    expect(lb['services.loadbalancers']).toBe('1');
    expect(lb['services.nodeports']).toBe('1');
    const np = show(instanceFootprint({ instance: instance({ serviceType: 'NodePort' }), plugin: plugin() }));
    expect(np['services.loadbalancers']).toBeUndefined();
    expect(np['services.nodeports']).toBe('1');
    const cip = show(instanceFootprint({ instance: instance(), plugin: plugin() }));
    expect(cip['services.nodeports']).toBeUndefined();
  });

  it('charges a named storage class its own storage and claims', () => {
    const fp = show(
      instanceFootprint({
        instance: instance({ storage: { size: '1.5Gi', storageClassName: 'fast' } }),
        plugin: plugin(),
      }),
    );
    expect(fp['requests.storage']).toBe('4608Mi');
    expect(fp['fast.storageclass.storage.k8s.io/requests.storage']).toBe('4608Mi');
    expect(fp['fast.storageclass.storage.k8s.io/persistentvolumeclaims']).toBe('3');
  });

  it('uses spec resources over the preset, field by field, and the agent resources option', () => {
    const fp = show(
      instanceFootprint({
        instance: instance({ replicas: 2, resources: { requests: { cpu: '1' } } }),
        plugin: plugin(),
        agentResources: {
          requests: { cpu: '100m', memory: '100Mi' },
          limits: { cpu: '100m', memory: '100Mi' },
        },
      }),
    );
    expect(fp['requests.cpu']).toBe('2200m');
    expect(fp['requests.memory']).toBe('1224Mi');
  });

  it('defaults a request to its limit, and reports what containers leave unset', () => {
    const fp = instanceFootprint({
      instance: instance({ replicas: 1 }),
      plugin: plugin({ presets: [] }),
      agentResources: { limits: { cpu: '100m' } },
    });
    expect(show(fp)['requests.cpu']).toBe('100m');
    // The member container sets nothing without a preset; the agent sets only limits.cpu.
    expect(fp.podGroups[0]?.unset).toEqual([
      'requests.cpu',
      'requests.memory',
      'limits.cpu',
      'limits.memory',
    ]);
    expect(fp.podGroups[0]?.bestEffort).toBe(false);
  });

  it('counts no Secret for an existing one, and the TLS Secret with cert-manager', () => {
    const existing = instance({ credentials: { existingSecret: 'mine' } });
    expect(
      show(instanceFootprint({ instance: existing, plugin: plugin() }))['count/secrets'],
    ).toBeUndefined();
    const tls = instance({ tls: { enabled: true } });
    expect(
      show(instanceFootprint({ instance: tls, plugin: plugin(), certManager: true }))['count/secrets'],
    ).toBe('2');
  });

  it('takes nothing per member at zero replicas', () => {
    const fp = show(instanceFootprint({ instance: instance({ replicas: 0 }), plugin: plugin() }));
    expect(fp.pods).toBeUndefined();
    expect(fp['requests.cpu']).toBeUndefined();
    expect(fp.services).toBe('2');
  });

  it('names the field of a bad quantity', () => {
    expect(() =>
      instanceFootprint({ instance: instance({ storage: { size: '10 GB' } }), plugin: plugin() }),
    ).toThrow(/^spec\.storage\.size: got "10 GB"/);
    expect(() =>
      instanceFootprint({ instance: instance(), plugin: plugin(), agentResources: { limits: { cpu: 'x' } } }),
    ).toThrow(/containers\(middleware, agent\)\[1\]\.limits\.cpu: got "x"/);
  });
});

describe('scheduledBackupApplies', () => {
  it('is true for a schedule that is not suspended', () => {
    expect(scheduledBackupApplies(instance())).toBe(false);
    expect(scheduledBackupApplies(instance({ backup: { storage: 's3' } }))).toBe(false);
    expect(scheduledBackupApplies(instance({ backup: { storage: 's3', schedule: '0 3 * * *' } }))).toBe(true);
    expect(
      scheduledBackupApplies(instance({ backup: { storage: 's3', schedule: '0 3 * * *', suspend: true } })),
    ).toBe(false);
  });
});
