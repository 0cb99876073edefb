import type {
  KubernetesObject,
  V1ConfigMap,
  V1Container,
  V1Secret,
  V1Service,
  V1StatefulSet,
} from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { instanceRenderer, RenderError, renderInstanceObjects } from '../../../src/render/index.ts';
import type { RenderInput } from '../../../src/render/types.ts';
import { config, instance, plugin } from './fixtures.ts';

function render(over: Partial<RenderInput> = {}) {
  return renderInstanceObjects({
    instance: instance(),
    plugin: plugin(),
    config,
    credentials: { generatedPassword: 's3cret' },
    options: {},
    ...over,
  });
}

const find = <T extends KubernetesObject>(objects: KubernetesObject[], kind: string, name?: string) =>
  objects.find((o) => o.kind === kind && (name === undefined || o.metadata?.name === name)) as T;
const sts = (objects: KubernetesObject[]) => find<V1StatefulSet>(objects, 'StatefulSet');
const container = (objects: KubernetesObject[], name: string) =>
  sts(objects).spec!.template.spec!.containers.find((c) => c.name === name) as V1Container;

describe('renderInstanceObjects', () => {
  it('renders the children in apply order', () => {
    const { objects, conditions } = render();
    expect(objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      'Secret/cache-credentials',
      'ConfigMap/cache-config',
      'Service/cache-headless',
      'Service/cache',
      'StatefulSet/cache',
    ]);
    expect(conditions).toEqual([]);
  });

  it('puts the common labels and a controlling ownerReference on every child', () => {
    const { objects } = render({
      instance: instance({ tls: { enabled: true, issuerRef: { name: 'ca' } } }),
      options: { certManager: true, prometheusOperator: true },
    });
    expect(objects.map((o) => o.kind)).toEqual([
      'Secret',
      'ConfigMap',
      'Certificate',
      'Service',
      'Service',
      'StatefulSet',
      'PodMonitor',
    ]);
    for (const o of objects) {
      expect(o.metadata?.namespace).toBe('team-a');
      expect(o.metadata?.labels).toMatchObject({
        'app.kubernetes.io/name': 'redis',
        'app.kubernetes.io/instance': 'cache',
        'app.kubernetes.io/managed-by': 'mwop',
        'mwop.dev/instance': 'cache',
        'mwop.dev/type': 'redis',
      });
      expect(o.metadata?.labels?.['app.kubernetes.io/component']).toBeTruthy();
      expect(o.metadata?.ownerReferences).toEqual([
        {
          apiVersion: 'mwop.dev/v1alpha1',
          kind: 'MiddlewareInstance',
          name: 'cache',
          uid: 'uid-1234',
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
    }
  });

  it('refuses an instance without a uid, naming the field', () => {
    const i = instance();
    delete i.metadata.uid;
    expect(() => render({ instance: i })).toThrow(RenderError);
    expect(() => render({ instance: i })).toThrow(/^metadata\.uid: not set; /);
  });

  it('records the operator namespace when given', () => {
    const { objects } = render({ options: { operatorNamespace: 'mwop-system' } });
    for (const o of objects)
      expect(o.metadata?.annotations?.['mwop.dev/operator-namespace']).toBe('mwop-system');
  });
});

describe('credentials Secret', () => {
  it('holds the generated password and the fixed username, labelled for a later restore', () => {
    const secret = find<V1Secret>(render().objects, 'Secret');
    expect(secret.type).toBe('Opaque');
    expect(secret.data).toEqual({
      password: Buffer.from('s3cret').toString('base64'),
      username: Buffer.from('default').toString('base64'),
    });
    expect(secret.metadata?.labels).toMatchObject({
      'mwop.dev/credentials': 'true',
      'mwop.dev/instance': 'cache',
      'app.kubernetes.io/component': 'credentials',
    });
  });

  it('is not rendered without a generated password, so an apply never drops the one in use', () => {
    const { objects } = render({ credentials: {} });
    expect(find(objects, 'Secret')).toBeUndefined();
    // The pods still read it.
    expect(container(objects, 'middleware').env).toContainEqual({
      name: 'REDIS_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'cache-credentials', key: 'password' } },
    });
  });

  it('is never rendered when an existing Secret is named; the pods read that one with its keys', () => {
    const { objects } = render({
      instance: instance({
        credentials: { existingSecret: 'mine', usernameKey: 'user', passwordKey: 'pass' },
      }),
      plugin: plugin({
        connection: { scheme: 'redis' },
        workload: { ...plugin().version.workload, usernameEnv: 'REDIS_USER' },
      }),
    });
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
    const env = container(objects, 'middleware').env;
    expect(env).toContainEqual({
      name: 'REDIS_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'mine', key: 'pass' } },
    });
    expect(env).toContainEqual({
      name: 'REDIS_USER',
      valueFrom: { secretKeyRef: { name: 'mine', key: 'user', optional: true } },
    });
    const volume = sts(objects).spec!.template.spec!.volumes!.find((v) => v.name === 'credentials');
    expect(volume?.secret).toEqual({ secretName: 'mine', items: [{ key: 'pass', path: 'password' }] });
  });

  it('refuses an empty generated password', () => {
    expect(() => render({ credentials: { generatedPassword: '' } })).toThrow(
      /credentials\.generatedPassword/,
    );
  });
});

describe('ConfigMap', () => {
  it('holds the rendered files and the checksum annotation', () => {
    const cm = find<V1ConfigMap>(render().objects, 'ConfigMap');
    expect(cm.data).toEqual({ 'redis.conf': 'maxmemory 256mb\n' });
    expect(cm.metadata?.annotations?.['mwop.dev/config-checksum']).toBe('sha256:abc123');
  });
});

describe('Services', () => {
  it('headless: no cluster IP, not-ready members published, the type ports and the hook port', () => {
    const svc = find<V1Service>(render().objects, 'Service', 'cache-headless');
    expect(svc.spec?.clusterIP).toBe('None');
    expect(svc.spec?.publishNotReadyAddresses).toBe(true);
    expect(svc.spec?.selector).toEqual({
      'mwop.dev/instance': 'cache',
      'app.kubernetes.io/component': 'middleware',
    });
    expect(svc.spec?.ports).toEqual([
      { name: 'redis', port: 6379, targetPort: 'redis', protocol: 'TCP' },
      { name: 'hooks', port: 8080, targetPort: 'hooks', protocol: 'TCP' },
    ]);
  });

  it.each(['ClusterIP', 'NodePort', 'LoadBalancer'] as const)('client Service of type %s', (serviceType) => {
    const svc = find<V1Service>(render({ instance: instance({ serviceType }) }).objects, 'Service', 'cache');
    expect(svc.spec?.type).toBe(serviceType);
    expect(svc.spec?.ports).toEqual([{ name: 'redis', port: 6379, targetPort: 'redis', protocol: 'TCP' }]);
    expect(svc.spec?.selector).toEqual({
      'mwop.dev/instance': 'cache',
      'app.kubernetes.io/component': 'middleware',
    });
  });

  it('client Service defaults to ClusterIP', () => {
    const svc = find<V1Service>(render().objects, 'Service', 'cache');
    expect(svc.spec?.type).toBe('ClusterIP');
  });
});

describe('StatefulSet', () => {
  it('runs the members with OnDelete, Parallel, the headless Service and the replicas', () => {
    const s = sts(render().objects);
    expect(s.spec?.replicas).toBe(3);
    expect(s.spec?.serviceName).toBe('cache-headless');
    expect(s.spec?.updateStrategy).toEqual({ type: 'OnDelete' });
    expect(s.spec?.podManagementPolicy).toBe('Parallel');
    expect(s.spec?.selector).toEqual({
      matchLabels: { 'mwop.dev/instance': 'cache', 'app.kubernetes.io/component': 'middleware' },
    });
    expect(s.spec?.template.metadata?.labels).toMatchObject(s.spec!.selector.matchLabels!);
    expect(s.spec?.template.spec?.automountServiceAccountToken).toBe(false);
  });

  it('carries the config checksum and the scrape annotations on the pod template', () => {
    expect(sts(render().objects).spec?.template.metadata?.annotations).toEqual({
      'mwop.dev/config-checksum': 'sha256:abc123',
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '8080',
      'prometheus.io/path': '/metrics',
    });
  });

  it('scrapes a port named metrics when the type has an exporter', () => {
    const p = plugin({
      workload: {
        ...plugin().version.workload,
        ports: [
          { name: 'redis', port: 6379 },
          { name: 'metrics', port: 9121 },
        ],
      },
    });
    const a = sts(render({ plugin: p }).objects).spec?.template.metadata?.annotations;
    expect(a?.['prometheus.io/port']).toBe('9121');
  });

  it('claims the spec size on the storage class', () => {
    const s = sts(
      render({ instance: instance({ storage: { size: '20Gi', storageClassName: 'fast' } }) }).objects,
    );
    const [claim] = s.spec!.volumeClaimTemplates!;
    expect(claim?.metadata?.name).toBe('data');
    expect(claim?.metadata?.labels?.['mwop.dev/instance']).toBe('cache');
    expect(claim?.spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'fast',
      resources: { requests: { storage: '20Gi' } },
    });
  });

  it("falls back to the preset's storageSize when the spec size is empty", () => {
    const s = sts(
      render({ instance: instance({ storage: { size: '' }, config: { preset: 'large' } }) }).objects,
    );
    expect(s.spec!.volumeClaimTemplates![0]?.spec?.resources?.requests).toEqual({ storage: '50Gi' });
    expect(s.spec!.volumeClaimTemplates![0]?.spec?.storageClassName).toBeUndefined();
  });

  it.each([
    ['Delete', { whenDeleted: 'Delete', whenScaled: 'Retain' }],
    ['Retain', { whenDeleted: 'Retain', whenScaled: 'Retain' }],
    [undefined, { whenDeleted: 'Delete', whenScaled: 'Retain' }],
  ] as const)('deletionPolicy %s -> PVC retention %j', (deletionPolicy, expected) => {
    const s = sts(render({ instance: instance(deletionPolicy ? { deletionPolicy } : {}) }).objects);
    expect(s.spec?.persistentVolumeClaimRetentionPolicy).toEqual(expected);
  });

  it('takes the default preset resources, each field overridable by the spec', () => {
    expect(container(render().objects, 'middleware').resources).toEqual({
      requests: { cpu: '250m', memory: '512Mi' },
      limits: { cpu: '1', memory: '1Gi' },
    });
    const over = render({
      instance: instance({ resources: { requests: { memory: '768Mi' }, limits: { cpu: 2 } } }),
    });
    expect(container(over.objects, 'middleware').resources).toEqual({
      requests: { cpu: '250m', memory: '768Mi' },
      limits: { cpu: '2', memory: '1Gi' },
    });
    const large = render({ instance: instance({ config: { preset: 'large' } }) });
    expect(container(large.objects, 'middleware').resources?.limits).toEqual({ cpu: '4', memory: '8Gi' });
  });

  it('names the preset field, the value and the choices for an unknown preset or bad quantity', () => {
    expect(() => render({ instance: instance({ config: { preset: 'huge' } }) })).toThrow(
      'spec.config.preset: got "huge"; redis v1 has the presets small, large',
    );
    expect(() => render({ instance: instance({ resources: { requests: { cpu: 'lots' } } }) })).toThrow(
      /^spec\.resources\.requests\.cpu: got "lots"; a quantity is/,
    );
  });

  it('runs the middleware container from the supported version with the type workload', () => {
    const c = container(render().objects, 'middleware');
    expect(c.image).toBe('docker.io/library/redis:7.2.11');
    expect(c.command).toEqual(['redis-server', '/etc/redis/redis.conf']);
    expect(c.ports).toEqual([{ name: 'redis', containerPort: 6379, protocol: 'TCP' }]);
    expect(c.env).toEqual([
      { name: 'REDIS_EXTRA', value: 'x' },
      { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'cache-credentials', key: 'password' } } },
    ]);
    expect(c.volumeMounts).toEqual([
      { name: 'data', mountPath: '/data' },
      { name: 'config', mountPath: '/etc/redis', readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
    const volumes = sts(render().objects).spec!.template.spec!.volumes!;
    expect(volumes.find((v) => v.name === 'config')?.configMap).toEqual({ name: 'cache-config' });
  });

  it('gives the username env the fixed username of the type', () => {
    const p = plugin({ workload: { ...plugin().version.workload, usernameEnv: 'REDIS_USER' } });
    expect(container(render({ plugin: p }).objects, 'middleware').env).toContainEqual({
      name: 'REDIS_USER',
      value: 'default',
    });
  });
});

describe('securityContext split (FR-039)', () => {
  it('puts pod-wide settings on the pod and container-only settings on the middleware container', () => {
    const objects = render().objects;
    expect(sts(objects).spec?.template.spec?.securityContext).toEqual({
      runAsUser: 999,
      runAsGroup: 999,
      fsGroup: 999,
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
      sysctls: [{ name: 'net.core.somaxconn', value: '1024' }],
    });
    expect(container(objects, 'middleware').securityContext).toEqual({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
  });

  it('renders neither when the type declares none, and no /tmp volume without a read-only root', () => {
    const objects = render({ plugin: plugin({ securityContext: undefined }) }).objects;
    expect(sts(objects).spec?.template.spec?.securityContext).toBeUndefined();
    expect(container(objects, 'middleware').securityContext).toBeUndefined();
    expect(sts(objects).spec?.template.spec?.volumes?.some((v) => v.name === 'tmp')).toBe(false);
  });

  it('keeps added capabilities and skips empty lists', () => {
    const objects = render({
      plugin: plugin({ securityContext: { capabilitiesAdd: ['IPC_LOCK'], capabilitiesDrop: [] } }),
    }).objects;
    expect(container(objects, 'middleware').securityContext).toEqual({ capabilities: { add: ['IPC_LOCK'] } });
    expect(sts(objects).spec?.template.spec?.securityContext).toBeUndefined();
  });

  it('always locks the agent down', () => {
    expect(container(render().objects, 'agent').securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
  });
});

describe('agent sidecar', () => {
  it('names the type, the hook port, the local middleware and the credentials', () => {
    const a = container(render().objects, 'agent');
    expect(a.image).toBe('ghcr.io/mwop/agent:0.1.0');
    expect(a.ports).toEqual([{ name: 'hooks', containerPort: 8080, protocol: 'TCP' }]);
    expect(a.env).toEqual([
      { name: 'MWOP_AGENT_TYPE', value: 'redis' },
      { name: 'MWOP_AGENT_PORT', value: '8080' },
      { name: 'MWOP_MIDDLEWARE_HOST', value: '127.0.0.1' },
      { name: 'MWOP_MIDDLEWARE_PORT', value: '6379' },
      { name: 'MWOP_CREDENTIALS_DIR', value: '/etc/mwop/credentials' },
      { name: 'MWOP_USERNAME', value: 'default' },
    ]);
    expect(a.volumeMounts).toEqual([
      { name: 'credentials', mountPath: '/etc/mwop/credentials', readOnly: true },
    ]);
    expect(a.resources).toEqual({
      requests: { cpu: '50m', memory: '64Mi' },
      limits: { cpu: '200m', memory: '128Mi' },
    });
  });

  it('is the readiness gate: /health on the hook port', () => {
    expect(container(render().objects, 'agent').readinessProbe?.httpGet).toEqual({
      path: '/health',
      port: 'hooks',
    });
    const p = plugin({ lifecycleHooks: { port: 9000, health: { path: '/healthz' } } }, 9000);
    const a = container(render({ plugin: p }).objects, 'agent');
    expect(a.readinessProbe?.httpGet).toEqual({ path: '/healthz', port: 'hooks' });
    expect(a.env).toContainEqual({ name: 'MWOP_AGENT_PORT', value: '9000' });
  });

  it('uses the option image when the version has none, and says where to set one when neither does', () => {
    const base = plugin();
    const noAgent = { ...base, middleware: { version: '7.2.11', image: 'redis:7.2.11' } };
    expect(
      container(render({ plugin: noAgent, options: { agentImage: 'agent:opt' } }).objects, 'agent').image,
    ).toBe('agent:opt');
    expect(() => render({ plugin: noAgent })).toThrow(
      'MiddlewareType redis v1 supportedVersions[version=7.2.11].agentImage: not set; an agent image, here or in the operator option --agent-image',
    );
  });

  it('takes the username from the Secret when the type has no fixed one', () => {
    const a = container(render({ plugin: plugin({ connection: { scheme: 'redis' } }) }).objects, 'agent');
    expect(a.env).toContainEqual({
      name: 'MWOP_USERNAME',
      valueFrom: { secretKeyRef: { name: 'cache-credentials', key: 'username', optional: true } },
    });
  });

  it('takes resources from the options', () => {
    const a = container(
      render({ options: { agentResources: { requests: { cpu: '10m' } } } }).objects,
      'agent',
    );
    expect(a.resources).toEqual({ requests: { cpu: '10m' } });
  });
});

describe('TLS (FR-036)', () => {
  it('renders a Certificate and mounts its Secret when cert-manager is installed', () => {
    const { objects, conditions } = render({
      instance: instance({ tls: { enabled: true, issuerRef: { name: 'ca', kind: 'ClusterIssuer' } } }),
      options: { certManager: true },
    });
    const cert = find<KubernetesObject & { spec: Record<string, unknown> }>(objects, 'Certificate');
    expect(cert.apiVersion).toBe('cert-manager.io/v1');
    expect(cert.spec).toMatchObject({
      secretName: 'cache-tls',
      issuerRef: { name: 'ca', kind: 'ClusterIssuer', group: 'cert-manager.io' },
    });
    expect(cert.spec.dnsNames).toEqual([
      'cache',
      'cache.team-a',
      'cache.team-a.svc',
      'cache.team-a.svc.cluster.local',
      '*.cache-headless.team-a.svc',
      '*.cache-headless.team-a.svc.cluster.local',
    ]);
    expect(container(objects, 'middleware').volumeMounts).toContainEqual({
      name: 'tls',
      mountPath: '/etc/mwop/tls',
      readOnly: true,
    });
    expect(conditions).toEqual([expect.objectContaining({ type: 'TLSReady', status: 'Unknown' })]);
  });

  it('returns a condition instead when cert-manager is missing', () => {
    const { objects, conditions } = render({
      instance: instance({ tls: { enabled: true, issuerRef: { name: 'ca' } } }),
    });
    expect(objects.some((o) => o.kind === 'Certificate')).toBe(false);
    expect(container(objects, 'middleware').volumeMounts?.some((m) => m.name === 'tls')).toBe(false);
    expect(conditions).toEqual([
      {
        type: 'TLSReady',
        status: 'False',
        reason: 'CertManagerNotInstalled',
        message:
          'spec.tls.enabled is true, but cert-manager is not installed (no certificates.cert-manager.io CRD); install cert-manager or set spec.tls.enabled to false',
      },
    ]);
  });

  it('returns a condition when no issuer is named', () => {
    const { conditions } = render({
      instance: instance({ tls: { enabled: true } }),
      options: { certManager: true },
    });
    expect(conditions[0]).toMatchObject({
      reason: 'IssuerNotSet',
      message: expect.stringMatching(/^spec\.tls\.issuerRef/),
    });
  });
});

describe('PodMonitor (FR-033)', () => {
  it('is rendered only with the Prometheus Operator', () => {
    expect(render().objects.some((o) => o.kind === 'PodMonitor')).toBe(false);
    const pm = find<KubernetesObject & { spec: Record<string, unknown> }>(
      render({ options: { prometheusOperator: true } }).objects,
      'PodMonitor',
    );
    expect(pm.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(pm.spec).toEqual({
      selector: {
        matchLabels: { 'mwop.dev/instance': 'cache', 'app.kubernetes.io/component': 'middleware' },
      },
      podMetricsEndpoints: [{ port: 'hooks', path: '/metrics', interval: '30s' }],
    });
  });
});

describe('instanceRenderer', () => {
  it('fits the reconciler deps shape', () => {
    const renderObjects = instanceRenderer({});
    const objects = renderObjects({ instance: instance(), plugin: plugin(), config: { ok: true, config } });
    expect(objects.map((o) => o.kind)).toEqual(['ConfigMap', 'Service', 'Service', 'StatefulSet']);
    const withSecret = renderObjects({
      instance: instance(),
      plugin: plugin(),
      config: { ok: true, config },
      generatedPassword: 'pw',
    });
    expect(withSecret[0]?.kind).toBe('Secret');
  });
});

it('is pure: the same input gives the same output, and the input is not changed', () => {
  const i = instance({ tls: { enabled: true, issuerRef: { name: 'ca' } } });
  const p = plugin();
  const before = JSON.stringify([i, p]);
  const a = render({ instance: i, plugin: p, options: { certManager: true, prometheusOperator: true } });
  const b = render({ instance: i, plugin: p, options: { certManager: true, prometheusOperator: true } });
  expect(a).toEqual(b);
  expect(JSON.stringify([i, p])).toBe(before);
});

describe('names and ports', () => {
  it.each(['1cache', 'Cache', 'a'.repeat(53), 'cache-', ''])('refuses the instance name %j', (name) => {
    const i = instance();
    i.metadata.name = name;
    expect(() => render({ instance: i })).toThrow(
      /^metadata\.name: got ".*"; a name of at most 52 characters/,
    );
  });

  it('accepts a 52-character name', () => {
    const i = instance();
    i.metadata.name = 'a'.repeat(52);
    expect(sts(render({ instance: i }).objects).metadata?.name).toBe('a'.repeat(52));
  });

  it('refuses a type port that collides with the hook agent', () => {
    const clash = plugin({
      workload: { ...plugin().version.workload, ports: [{ name: 'http', port: 8080 }] },
    });
    expect(() => render({ plugin: clash })).toThrow(
      "MiddlewareType redis v1 workload.ports[0].port: got 8080; a port other than the hook agent's port 8080 (lifecycleHooks.port), since both containers share the pod's network",
    );
    const named = plugin({ workload: { ...plugin().version.workload, ports: [{ name: 'hooks', port: 1 }] } });
    expect(() => render({ plugin: named })).toThrow(/workload\.ports\[0\]\.name: got "hooks"/);
  });
});
