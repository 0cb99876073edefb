import { describe, expect, it } from 'vitest';
import type { DAGTask, Workflow } from '../../../src/workflows/index.ts';
import { planWorkflow, workflowName } from '../../../src/workflows/index.ts';
import { shellJoin } from '../../../src/workflows/planners/tool-arguments.ts';
import { instance, plugin, storage, version } from './support/fixtures.ts';
import { mainTasks } from './support/graph.ts';

const task = (wf: Workflow, name: string): DAGTask => {
  const t = mainTasks(wf).find((x) => x.name === name);
  if (!t)
    throw new Error(
      `no task ${name} in ${mainTasks(wf)
        .map((x) => x.name)
        .join(', ')}`,
    );
  return t;
};
const arg = (t: DAGTask, name: string) => t.arguments?.parameters?.find((p) => p.name === name)?.value;
const order = (wf: Workflow) => mainTasks(wf).map((t) => `${t.name}${t.depends ? ` <- ${t.depends}` : ''}`);

describe('create', () => {
  it('applies, waits, runs /init on each member in order, then publishes the connection', () => {
    const wf = planWorkflow({ kind: 'Create', replicas: 3 }, plugin(), instance(3));
    expect(order(wf)).toEqual([
      'apply-workload',
      'wait-ready <- apply-workload',
      'init-0 <- wait-ready',
      'init-1 <- init-0',
      'init-2 <- init-1',
      'publish-connection <- init-2',
    ]);
    const init1 = task(wf, 'init-1');
    expect(init1.templateRef).toEqual({
      name: 'mwop-hook-call',
      template: 'call-within-60s',
      clusterScope: true,
    });
    expect(arg(init1, 'url')).toBe('http://cache-1.cache-headless.team-a.svc:8080/init');
    expect(arg(init1, 'timeout-seconds')).toBe('60');
    const body = JSON.parse(arg(init1, 'body') ?? '{}');
    expect(body).toMatchObject({
      instance: 'cache',
      namespace: 'team-a',
      type: 'redis',
      member: { name: 'cache-1', host: 'cache-1.cache-headless.team-a.svc', port: 6379 },
      primary: { name: 'cache-0' },
    });
  });

  it('skips /init when the type does not declare it and rewires publish after wait-ready', () => {
    const v = version();
    const { init: _init, ...hooks } = v.lifecycleHooks ?? {};
    const wf = planWorkflow(
      { kind: 'Create', replicas: 2 },
      plugin(version({ lifecycleHooks: hooks })),
      instance(2),
    );
    expect(order(wf)).toEqual([
      'apply-workload',
      'wait-ready <- apply-workload',
      'publish-connection <- wait-ready',
    ]);
  });

  it('applies the rendered StatefulSet when the caller passes it', () => {
    const workload = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'cache' },
      spec: { replicas: 0, serviceName: 'cache-headless' },
    };
    const wf = planWorkflow({ kind: 'Create', replicas: 3 }, plugin(), instance(3), { workload });
    const applied = JSON.parse(arg(task(wf, 'apply-workload'), 'manifest') ?? '{}');
    expect(applied.spec).toEqual({ replicas: 3, serviceName: 'cache-headless' });
    expect(task(wf, 'apply-workload').templateRef?.template).toBe('apply');
  });
});

describe('scale', () => {
  it('scale-out grows, waits, then joins each new member with /init and /post-scale-out', () => {
    const wf = planWorkflow({ kind: 'ScaleOut', from: 1, to: 3 }, plugin(), instance(3, {}, 1));
    expect(order(wf)).toEqual([
      'grow',
      'wait-ready <- grow',
      'init-1 <- wait-ready',
      'post-scale-out-1 <- init-1',
      'init-2 <- post-scale-out-1',
      'post-scale-out-2 <- init-2',
    ]);
    expect(task(wf, 'post-scale-out-2').templateRef?.template).toBe('call-within-300s');
  });

  it('scale-in hands off each leaving member first, highest ordinal first, then shrinks and deletes their PVCs', () => {
    const wf = planWorkflow({ kind: 'ScaleIn', from: 3, to: 1 }, plugin(), instance(1, {}, 3));
    expect(order(wf)).toEqual([
      'pre-scale-in-2',
      'pre-scale-in-1 <- pre-scale-in-2',
      'shrink <- pre-scale-in-1',
      'wait-ready <- shrink',
      'delete-pvc-2 <- wait-ready',
      'delete-pvc-1 <- wait-ready',
    ]);
    expect(JSON.parse(arg(task(wf, 'delete-pvc-1'), 'manifest') ?? '{}').metadata.name).toBe('data-cache-1');
    expect(JSON.parse(arg(task(wf, 'pre-scale-in-2'), 'body') ?? '{}').target.name).toBe('cache-2');
  });

  it('scale-in keeps the PVCs with deletionPolicy Retain, and shrinks at once without the hook', () => {
    const v = version();
    const { preScaleIn: _p, ...hooks } = v.lifecycleHooks ?? {};
    const wf = planWorkflow(
      { kind: 'ScaleIn', from: 3, to: 2 },
      plugin(version({ lifecycleHooks: hooks })),
      instance(2, { deletionPolicy: 'Retain' }, 3),
    );
    expect(order(wf)).toEqual(['shrink', 'wait-ready <- shrink']);
  });
});

describe('rolling changes', () => {
  it('vertical scale freezes with the new resources, then rolls 2, 1, 0 with a health gate each', () => {
    const wf = planWorkflow(
      { kind: 'VerticalScale', resources: { limits: { cpu: '2' } } },
      plugin(),
      instance(3),
    );
    expect(order(wf)).toEqual([
      'update-template',
      'roll-2 <- update-template',
      'roll-1 <- roll-2',
      'roll-0 <- roll-1',
    ]);
    const patch = JSON.parse(arg(task(wf, 'update-template'), 'manifest') ?? '{}');
    expect(patch.spec).not.toHaveProperty('updateStrategy');
    expect(patch.spec.template.spec.containers[0]).toEqual({
      name: 'middleware',
      resources: { limits: { cpu: '2' } },
    });
    const roll1 = task(wf, 'roll-1');
    expect(roll1.templateRef?.template).toBe('roll-member');
    expect(arg(roll1, 'ordinal')).toBe('1');
    expect(arg(roll1, 'health-url')).toBe('http://cache-1.cache-headless.team-a.svc:8080/health');
  });

  it('without a health hook the gate is readiness only', () => {
    const v = version();
    const { health: _h, ...hooks } = v.lifecycleHooks ?? {};
    const wf = planWorkflow({ kind: 'Restart' }, plugin(version({ lifecycleHooks: hooks })), instance(2));
    expect(arg(task(wf, 'roll-0'), 'health-url')).toBe('none');
    const patch = JSON.parse(arg(task(wf, 'annotate-template'), 'manifest') ?? '{}');
    expect(patch.spec.template.metadata.annotations['mwop.dev/restarted-by']).toBe(wf.metadata.name);
  });

  it('volume expansion grows every PVC and waits for each', () => {
    const wf = planWorkflow({ kind: 'VolumeExpand', from: '10Gi', to: '20Gi' }, plugin(), instance(2));
    expect(order(wf)).toEqual([
      'grow-pvc-0',
      'wait-resized-0 <- grow-pvc-0',
      'grow-pvc-1',
      'wait-resized-1 <- grow-pvc-1',
    ]);
    expect(arg(task(wf, 'wait-resized-1'), 'size')).toBe('20Gi');
  });
});

describe('upgrade with precheck', () => {
  const op = {
    kind: 'Upgrade',
    fromPlugin: 'v1',
    toPlugin: 'v2',
    fromVersion: '7.2.11',
    toVersion: '7.4.2',
  } as const;
  it('checks every member before anything changes, rolls with gates, then runs /post-upgrade', () => {
    const wf = planWorkflow(op, plugin(), instance(3));
    expect(order(wf)).toEqual([
      'pre-upgrade-0',
      'pre-upgrade-1',
      'pre-upgrade-2',
      'update-template <- pre-upgrade-0 && pre-upgrade-1 && pre-upgrade-2',
      'roll-2 <- update-template',
      'roll-1 <- roll-2',
      'roll-0 <- roll-1',
      'post-upgrade-0 <- roll-0',
      'post-upgrade-1 <- post-upgrade-0',
      'post-upgrade-2 <- post-upgrade-1',
    ]);
    const body = JSON.parse(arg(task(wf, 'pre-upgrade-1'), 'body') ?? '{}');
    expect(body).toMatchObject({
      pluginVersion: 'v1',
      middlewareVersion: '7.2.11',
      targetPluginVersion: 'v2',
      targetMiddlewareVersion: '7.4.2',
    });
    const patch = JSON.parse(arg(task(wf, 'update-template'), 'manifest') ?? '{}');
    expect(patch.spec.template.spec.containers[0].image).toBe('docker.io/library/redis:7.2.11');
  });

  it('asks the running plugin version for the precheck: no /pre-upgrade there, no precheck', () => {
    const v = version();
    const { preUpgrade: _p, ...hooks } = v.lifecycleHooks ?? {};
    const wf = planWorkflow(op, plugin(), instance(2), {
      currentPlugin: plugin(version({ lifecycleHooks: hooks })),
    });
    expect(order(wf).slice(0, 2)).toEqual(['update-template', 'roll-1 <- update-template']);
  });
});

describe('config reload', () => {
  const op = { kind: 'ConfigReload', checksum: 'sha256-new' } as const;
  it('reloads each member and restarts only when a restart key changed', () => {
    const live = planWorkflow(op, plugin(), instance(2), {
      config: { settings: { timeout: 30 }, changedKeys: ['timeout'] },
    });
    expect(order(live)).toEqual(['reload-config-0', 'reload-config-1 <- reload-config-0']);
    const restart = planWorkflow(op, plugin(), instance(2), {
      config: { settings: { databases: 32 }, changedKeys: ['databases', 'timeout'] },
    });
    expect(order(restart)).toEqual([
      'reload-config-0',
      'reload-config-1 <- reload-config-0',
      'annotate-template <- reload-config-1',
      'roll-1 <- annotate-template',
      'roll-0 <- roll-1',
    ]);
    expect(JSON.parse(arg(task(restart, 'reload-config-0'), 'body') ?? '{}')).toMatchObject({
      config: { databases: 32 },
      restartKeys: ['databases'],
    });
  });

  it('restarts when the type cannot reload', () => {
    const v = version();
    const { reloadConfig: _r, ...hooks } = v.lifecycleHooks ?? {};
    const wf = planWorkflow(op, plugin(version({ lifecycleHooks: hooks })), instance(1), {
      config: { settings: {}, changedKeys: ['timeout'] },
    });
    expect(order(wf)).toEqual(['annotate-template', 'roll-0 <- annotate-template']);
  });
});

describe('switchover and failover', () => {
  it('switchover asks the primary to hand over to the target, then waits for readiness', () => {
    const wf = planWorkflow({ kind: 'Switchover', target: 2 }, plugin(), instance(3), { primaryOrdinal: 0 });
    expect(order(wf)).toEqual(['switchover-0', 'wait-ready <- switchover-0']);
    const body = JSON.parse(arg(task(wf, 'switchover-0'), 'body') ?? '{}');
    expect(body.target.name).toBe('cache-2');
    expect(body.members).toHaveLength(3);
  });
  it('failover asks a survivor, never the old primary', () => {
    const wf = planWorkflow({ kind: 'Failover' }, plugin(), instance(3), { primaryOrdinal: 0 });
    expect(mainTasks(wf)[0]?.name).toBe('failover-1');
  });
  it('a target that does not exist is refused with the accepted range', () => {
    expect(() => planWorkflow({ kind: 'Switchover', target: 5 }, plugin(), instance(3))).toThrow(
      'spec.switchover.target: member 5 does not exist; accepted: 0 to 2',
    );
  });
});

describe('backup, restore, retention', () => {
  it('backup runs the type tool from a replica with the S3 settings', () => {
    const wf = planWorkflow({ kind: 'Backup', backup: 'b1', ...storage }, plugin(), instance(3), {
      primaryOrdinal: 0,
    });
    const t = task(wf, 'backup');
    expect(t.templateRef?.name).toBe('mwop-backup-run');
    expect(arg(t, 'command')).toBe('node src/backup/tools/main.ts backup --type redis');
    expect(arg(t, 'type')).toBe('redis');
    expect(arg(t, 'db-host')).toBe('cache-2.cache-headless.team-a.svc');
    expect(arg(t, 's3-credentials-secret')).toBe('mwop-s3-credentials');
    expect(arg(t, 'resources')).toBe('{"limits":{"cpu":"1","memory":"512Mi"}}');
    expect(wf.spec.activeDeadlineSeconds).toBe(1800 + 600);
  });

  it('an offline restore takes a safety backup, stops the members, restores member 0, restarts and re-inits', () => {
    const wf = planWorkflow(
      { kind: 'Restore', backup: 'b1', metadataKey: 'k/metadata.json', safetyBackup: 'safety', ...storage },
      plugin(),
      instance(2),
    );
    expect(order(wf)).toEqual([
      'safety-backup',
      'stop-members <- safety-backup',
      'wait-stopped <- stop-members',
      'restore <- wait-stopped',
      'start-members <- restore',
      'wait-ready <- start-members',
      'init-0 <- wait-ready',
      'init-1 <- init-0',
    ]);
    expect(arg(task(wf, 'restore'), 'pvc')).toBe('data-cache-0');
    expect(task(wf, 'wait-stopped').templateRef?.template).toBe('statefulset-empty');
  });

  it('an online restore loads into the primary while it runs', () => {
    const v = version({
      backupConfig: {
        image: 'tool:1',
        command: ['tool', 'backup'],
        restoreCommand: ['tool', 'restore', '--type', 'mysql'],
      },
    });
    const wf = planWorkflow(
      { kind: 'Restore', backup: 'b1', metadataKey: 'k', ...storage },
      plugin(v, 'mysql'),
      instance(2),
    );
    expect(order(wf)).toEqual(['restore', 'wait-ready <- restore']);
    expect(task(wf, 'restore').templateRef?.template).toBe('restore-online');
  });

  it('backup without backupConfig names the field', () => {
    expect(() =>
      planWorkflow(
        { kind: 'Backup', backup: 'b', ...storage },
        plugin(version({ backupConfig: undefined })),
        instance(1),
      ),
    ).toThrow(/needs backupConfig in redis v1/);
  });

  it('retention needs a limit', () => {
    const targets = [{ storageName: 'main', ...storage }];
    expect(() => planWorkflow({ kind: 'RetentionCleanup', targets }, plugin(), instance(1))).toThrow(
      'spec.backup.retention: neither maxCount nor maxAge is set; accepted: maxCount, maxAge, or both',
    );
    const wf = planWorkflow({ kind: 'RetentionCleanup', maxCount: 3, targets }, plugin(), instance(1), {
      operatorImage: 'registry.local/mwop:dev',
    });
    expect(arg(task(wf, 'retention-cleanup'), 'operator-image')).toBe('registry.local/mwop:dev');
    expect(arg(task(wf, 'retention-cleanup'), 'max-age')).toBe('');
  });

  it('retention runs one step per storage with its S3 settings and the copied Secret, never reading the BackupStorage', () => {
    const offsite = {
      storageName: 'offsite',
      storage: { ...storage.storage, endpoint: 'https://s3.offsite.example', bucket: 'far', prefix: 'p' },
      credentialsSecret: 'mwop-s3-offsite',
    };
    const wf = planWorkflow(
      { kind: 'RetentionCleanup', maxCount: 2, targets: [{ storageName: 'main', ...storage }, offsite] },
      plugin(),
      instance(1),
    );
    expect(order(wf)).toEqual(['retention-cleanup', 'retention-cleanup-2 <- retention-cleanup']);
    const first = task(wf, 'retention-cleanup');
    expect(first.templateRef?.name).toBe('mwop-retention-cleanup');
    expect(arg(first, 'storage')).toBe('main');
    expect(arg(first, 's3-endpoint')).toBe('http://s3.backup.svc:9000');
    expect(arg(first, 's3-bucket')).toBe('mwop-backups');
    expect(arg(first, 's3-force-path-style')).toBe('true');
    expect(arg(first, 's3-credentials-secret')).toBe('mwop-s3-credentials');
    const second = task(wf, 'retention-cleanup-2');
    expect(arg(second, 'storage')).toBe('offsite');
    expect(arg(second, 's3-endpoint')).toBe('https://s3.offsite.example');
    expect(arg(second, 's3-prefix')).toBe('p');
    expect(arg(second, 's3-credentials-secret')).toBe('mwop-s3-offsite');
    expect(() =>
      planWorkflow({ kind: 'RetentionCleanup', maxCount: 2, targets: [] }, plugin(), instance(1)),
    ).toThrow(/^spec.backup.storage: retention cleanup has no BackupStorage/);
  });

  it('shell-quotes tool arguments', () => {
    expect(shellJoin(['a', 'b c', "it's", '--x=1'])).toBe(`a 'b c' 'it'\\''s' --x=1`);
  });
});

describe('identity', () => {
  it('is deterministic per instance, operation and generation, within 63 characters', () => {
    expect(workflowName('cache', 'scale-out', 7)).toBe('cache-scale-out-g7');
    const long = workflowName('a'.repeat(60), 'vertical-scale', 12);
    expect(long).toHaveLength(63);
    expect(long).toBe(workflowName('a'.repeat(60), 'vertical-scale', 12));
    expect(long).not.toBe(workflowName('a'.repeat(60), 'vertical-scale', 13));
    expect(long).toMatch(/-[0-9a-f]{8}$/);
  });
  it('a caller-given name wins (the controller passes its own)', () => {
    expect(
      planWorkflow({ kind: 'Restart' }, plugin(), instance(1), { name: 'x-restart-g1' }).metadata.name,
    ).toBe('x-restart-g1');
  });
  it('the deadline can be overridden (MiddlewareOperation.spec.activeDeadlineSeconds)', () => {
    expect(
      planWorkflow({ kind: 'Restart' }, plugin(), instance(1), { activeDeadlineSeconds: 120 }).spec
        .activeDeadlineSeconds,
    ).toBe(120);
  });
});
