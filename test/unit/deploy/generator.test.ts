// deploy/operator/ as generated: every object parses, the workload is locked down, the RBAC is the
// permissions table, and the kustomization names every file (and only files that exist).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { deployGenerator, NAMESPACE, PORTS } from '../../../generators/deploy.ts';
import { ALL_KINDS } from '../../../src/api/index.ts';
import {
  leaderElectionRules,
  OPERATOR_PERMISSIONS,
  operatorClusterRules,
} from '../../../src/kube/permissions.ts';
import { parseOperatorConfig } from '../../../src/operator/config.ts';

const root = normalize(join(dirname(fileURLToPath(import.meta.url)), '../../..'));
let files: Map<string, string>;
const objects: Array<{ file: string; obj: any }> = [];

beforeAll(async () => {
  files = await deployGenerator.generate();
  for (const [file, text] of files) {
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      objects.push({ file, obj: doc.toJS() });
    }
  }
});

function find(kind: string, name: string): any {
  const hits = objects.filter((o) => o.obj.kind === kind && o.obj.metadata?.name === name);
  expect(hits.length, `${kind} ${name}`).toBeGreaterThan(0);
  return hits[0]!.obj;
}

describe('deploy/operator', () => {
  it('parses: every document is one object with apiVersion, kind and a name', () => {
    expect(files.size).toBeGreaterThan(10);
    for (const { file, obj } of objects) {
      expect(typeof obj.apiVersion, file).toBe('string');
      expect(typeof obj.kind, file).toBe('string');
      if (obj.kind !== 'Kustomization' && obj.kind !== 'Component') {
        expect(obj.metadata?.name, file).toMatch(/^[a-z0-9][-a-z0-9.:]*$/);
      }
    }
  });

  it('puts every namespaced object in mwop-system', () => {
    const clusterKinds = new Set([
      'Namespace',
      'ClusterRole',
      'ClusterRoleBinding',
      'ValidatingWebhookConfiguration',
      'Kustomization',
      'Component',
    ]);
    for (const { file, obj } of objects) {
      if (clusterKinds.has(obj.kind)) continue;
      // The CA-injection patch names the object only; kustomize matches it by target.
      if (file.endsWith('inject-ca.yaml')) continue;
      expect(obj.metadata.namespace, `${file} ${obj.kind}`).toBe(NAMESPACE);
    }
    expect(find('Namespace', NAMESPACE).metadata.labels['pod-security.kubernetes.io/enforce']).toBe(
      'restricted',
    );
  });
});

describe('the Deployment', () => {
  let dep: any;
  let pod: any;
  let c: any;
  beforeAll(() => {
    dep = find('Deployment', 'mwop-operator');
    pod = dep.spec.template.spec;
    c = pod.containers[0];
  });

  it('runs two replicas of node dist/main.js as the operator ServiceAccount', () => {
    expect(dep.spec.replicas).toBe(2);
    expect(pod.containers).toHaveLength(1);
    expect(c.command).toEqual(['node', 'dist/main.js']);
    expect(pod.serviceAccountName).toBe('mwop-operator');
    find('ServiceAccount', 'mwop-operator');
    expect(dep.spec.selector.matchLabels).toEqual(
      Object.fromEntries(
        Object.entries(dep.spec.template.metadata.labels).filter(([k]) =>
          Object.hasOwn(dep.spec.selector.matchLabels, k),
        ),
      ),
    );
  });

  it('passes flags the operator accepts, and the ports match them', () => {
    const parsed = parseOperatorConfig(c.args, {});
    expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.config.leaderElection).toBe(true);
    const ports = Object.fromEntries(c.ports.map((p: any) => [p.name, p.containerPort]));
    expect(ports).toEqual({
      metrics: parsed.config.metricsPort,
      health: parsed.config.healthPort,
      webhook: parsed.config.webhookPort,
    });
    expect(ports).toEqual(PORTS);
    // The shutdown grace fits inside the pod's termination grace period.
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(parsed.config.shutdownGraceMs);
  });

  it('probes /healthz and /readyz on the health port', () => {
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'health' });
  });

  it('runs non-root with a read-only root filesystem, no capabilities and the runtime seccomp profile', () => {
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 65532,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    // With a read-only root, /tmp must be a volume.
    expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } });
  });

  it('sets requests and limits, the downward API identity, and spreads replicas across nodes', () => {
    expect(Object.keys(c.resources.requests).sort()).toEqual(['cpu', 'memory']);
    expect(Object.keys(c.resources.limits).sort()).toEqual(['cpu', 'memory']);
    expect(c.env).toContainEqual({
      name: 'POD_NAME',
      valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
    });
    expect(c.env).toContainEqual({
      name: 'POD_NAMESPACE',
      valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } },
    });
    const term =
      pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm;
    expect(term.topologyKey).toBe('kubernetes.io/hostname');
    expect(term.labelSelector.matchLabels).toEqual(dep.spec.selector.matchLabels);
  });

  it('has a PodDisruptionBudget that keeps one replica up', () => {
    const pdb = find('PodDisruptionBudget', 'mwop-operator');
    expect(pdb.apiVersion).toBe('policy/v1');
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual(dep.spec.selector.matchLabels);
  });

  it('mounts the notifications config the flag points at, and the ConfigMap parses', async () => {
    const flag = c.args.find((a: string) => a.startsWith('--notifications-config='))!.split('=')[1];
    const mount = c.volumeMounts.find((m: any) => flag.startsWith(`${m.mountPath}/`));
    const volume = pod.volumes.find((v: any) => v.name === mount.name);
    const cm = find('ConfigMap', volume.configMap.name);
    const { parseNotificationsConfig } = await import('../../../src/notify/config.ts');
    expect(
      parseNotificationsConfig(cm.data[flag.slice(mount.mountPath.length + 1)], {
        defaultSecretNamespace: NAMESPACE,
      }),
    ).toEqual({ receivers: [] });
  });
});

describe('RBAC', () => {
  it('the operator ClusterRole is exactly the permissions table, bound to the operator', () => {
    const role = find('ClusterRole', 'mwop-operator');
    expect(role.rules).toEqual(operatorClusterRules());
    expect(role.rules).toHaveLength(OPERATOR_PERMISSIONS.filter((p) => p.scope !== 'leader-election').length);
    const binding = find('ClusterRoleBinding', 'mwop-operator');
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'mwop-operator',
    });
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'mwop-operator', namespace: NAMESPACE },
    ]);
  });

  it('each operator rule carries its reason as a comment', () => {
    const text = files.get('rbac/operator-clusterrole.yaml')!;
    for (const p of OPERATOR_PERMISSIONS.filter((x) => x.scope !== 'leader-election')) {
      expect(text).toContain(`# ${p.reason}\n`);
    }
  });

  it('leader election is a Role on leases in mwop-system only', () => {
    const role = find('Role', 'mwop-operator-leader-election');
    expect(role.metadata.namespace).toBe(NAMESPACE);
    expect(role.rules).toEqual(leaderElectionRules());
    const binding = find('RoleBinding', 'mwop-operator-leader-election');
    expect(binding.roleRef.name).toBe('mwop-operator-leader-election');
    expect(binding.subjects[0].name).toBe('mwop-operator');
  });

  it('aggregates mwop-view, mwop-edit and mwop-admin into the built-in roles', () => {
    const namespaced = ALL_KINDS.filter((k) => k.scope === 'Namespaced').map((k) => k.plural);
    for (const [name, to, writes] of [
      ['mwop-view', 'view', false],
      ['mwop-edit', 'edit', true],
      ['mwop-admin', 'admin', true],
    ] as const) {
      const role = find('ClusterRole', name);
      expect(role.metadata.labels[`rbac.authorization.k8s.io/aggregate-to-${to}`], name).toBe('true');
      expect(role.rules[0].resources).toEqual(namespaced);
      expect(role.rules[0].verbs.includes('create'), name).toBe(writes);
      expect(role.rules[0].verbs).toEqual(expect.arrayContaining(['get', 'list', 'watch']));
    }
  });

  it('mwop-platform-admin writes MiddlewareTypes and BackupStorages', () => {
    const role = find('ClusterRole', 'mwop-platform-admin');
    const write = role.rules.find((r: any) => r.verbs.includes('create'));
    expect(write.resources.sort()).toEqual(['backupstorages', 'middlewaretypes']);
    expect(write.verbs).toEqual(expect.arrayContaining(['create', 'update', 'patch', 'delete']));
  });
});

describe('admission', () => {
  it('validates create and update of all five kinds through the webhook Service', () => {
    const vwc = find('ValidatingWebhookConfiguration', 'mwop-webhook');
    expect(vwc.webhooks.map((w: any) => w.rules[0].resources[0]).sort()).toEqual(
      ALL_KINDS.map((k) => k.plural).sort(),
    );
    const svc = find('Service', vwc.webhooks[0].clientConfig.service.name);
    expect(svc.spec.ports).toEqual([{ name: 'https', port: 443, targetPort: 'webhook', protocol: 'TCP' }]);
    for (const w of vwc.webhooks) {
      expect(w.rules[0].operations).toEqual(['CREATE', 'UPDATE']);
      expect(w.sideEffects).toBe('None');
      expect(w.admissionReviewVersions).toEqual(['v1']);
      expect(w.timeoutSeconds).toBe(5);
      expect(w.clientConfig.service).toMatchObject({ namespace: NAMESPACE, port: 443 });
      expect(w.clientConfig.service.path).toMatch(/^\/validate\//);
      expect(w.namespaceSelector.matchExpressions).toEqual([
        { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [NAMESPACE, 'kube-system'] },
      ]);
    }
    const instances = vwc.webhooks.find((w: any) => w.rules[0].resources[0] === 'middlewareinstances');
    expect(instances.failurePolicy).toBe('Fail');
    expect(files.get('webhook.yaml')).toMatch(/# Fail: an instance admitted unchecked/);
  });

  it('the cert-manager component annotates the webhook and writes the Secret the Deployment mounts', () => {
    const component = parseAllDocuments(files.get('components/cert-manager/kustomization.yaml')!)[0]!.toJS();
    expect(component.kind).toBe('Component');
    const patch = parseAllDocuments(files.get('components/cert-manager/inject-ca.yaml')!)[0]!.toJS();
    expect(patch.metadata.annotations).toEqual({
      'cert-manager.io/inject-ca-from': `${NAMESPACE}/mwop-webhook`,
    });
    const cert = find('Certificate', 'mwop-webhook');
    const pod = find('Deployment', 'mwop-operator').spec.template.spec;
    expect(pod.volumes).toContainEqual({
      name: 'webhook-tls',
      secret: { secretName: cert.spec.secretName, optional: true },
    });
    expect(cert.spec.dnsNames).toContain(`mwop-webhook.${NAMESPACE}.svc`);
  });
});

describe('kustomization', () => {
  it('lists every generated object file plus the CRDs and workflow templates, all of which exist', () => {
    const k = parseAllDocuments(files.get('kustomization.yaml')!)[0]!.toJS();
    const listed: string[] = k.resources;
    const own = [...files.keys()].filter(
      (f) => f !== 'kustomization.yaml' && !f.startsWith('components/') && !f.startsWith('overlays/'),
    );
    expect(listed.filter((r) => !r.startsWith('../')).sort()).toEqual(own.sort());
    const crds = listed.filter((r) => r.startsWith('../../crds/'));
    expect(crds).toHaveLength(ALL_KINDS.length);
    for (const r of listed.filter((x) => x.startsWith('../'))) {
      expect(existsSync(join(root, 'deploy/operator', r)), r).toBe(true);
    }
    const overlay = parseAllDocuments(files.get('overlays/cert-manager/kustomization.yaml')!)[0]!.toJS();
    expect(overlay.resources).toEqual(listed.map((r) => `../../${r}`));
    expect(overlay.components).toEqual(['../../components/cert-manager']);
  });
});

describe('Dockerfile', () => {
  it('builds with Node 24 and runs node dist/main.js as uid 65532 on node:24-slim', () => {
    const text = readFileSync(join(root, 'Dockerfile'), 'utf8');
    expect(text).toMatch(/^FROM node:24-slim AS build$/m);
    expect(text).toMatch(/RUN npm ci /);
    expect(text).toMatch(/tsc -p tsconfig\.build\.json/);
    const stages = text.split(/^FROM /m);
    const runtime = stages[stages.length - 1]!;
    expect(runtime.startsWith('node:24-slim\n')).toBe(true);
    expect(runtime).toMatch(/^USER 65532:65532$/m);
    expect(runtime).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
  });
});
