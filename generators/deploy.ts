// deploy/operator/: everything that installs the operator itself, kustomize-ready. RBAC comes from
// src/kube/permissions.ts (one rule per row, each with its reason as a comment); CRD and workflow
// template paths come from the generators that own them, so the kustomization cannot drift.
import { Document, isScalar, type YAMLMap } from 'yaml';
import { ALL_KINDS, GROUP, VERSION } from '../src/api/index.ts';
import { leaderElectionRules, OPERATOR_PERMISSIONS, operatorClusterRules } from '../src/kube/permissions.ts';
import { GENERATED_HEADER, type Generator } from './types.ts';

export const NAMESPACE = 'mwop-system';
export const OPERATOR_NAME = 'mwop-operator';
export const WEBHOOK_NAME = 'mwop-webhook';
export const WEBHOOK_SERVICE = 'mwop-webhook';
export const WEBHOOK_TLS_SECRET = 'mwop-webhook-tls';
export const IMAGE = 'ghcr.io/mwop/operator:0.1.0';
export const PORTS = { metrics: 8080, health: 8081, webhook: 9443 } as const;
const RUN_AS = 65532;

const LABELS = {
  'app.kubernetes.io/name': 'mwop',
  'app.kubernetes.io/part-of': 'mwop',
  'app.kubernetes.io/managed-by': 'kustomize',
};
const SELECTOR = { 'app.kubernetes.io/name': 'mwop', 'app.kubernetes.io/component': 'operator' };
const RBAC = 'rbac.authorization.k8s.io/v1';
const meta = (name: string, namespaced = true, extra: Record<string, string> = {}) => ({
  name,
  ...(namespaced ? { namespace: NAMESPACE } : {}),
  labels: { ...LABELS, ...extra },
});

type Obj = Record<string, unknown>;
/** Adds comments to a YAML document after it is built (paths as for Document.getIn). */
type Annotate = (doc: Document) => void;

function render(objects: Array<{ obj: Obj; annotate?: Annotate }>, preface?: string): string {
  const docs = objects.map(({ obj, annotate }) => {
    const doc = new Document(obj);
    annotate?.(doc);
    return doc.toString({ lineWidth: 0 });
  });
  const head = preface ? `${GENERATED_HEADER}${preface.replace(/^/gm, '# ')}\n` : GENERATED_HEADER;
  return head + docs.join('---\n');
}

function commentKey(map: YAMLMap, key: string, comment: string): void {
  const pair = map.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
  if (pair && isScalar(pair.key)) pair.key.commentBefore = ` ${comment.replace(/\n/g, '\n ')}`;
}

// --- namespace, identity and configuration --------------------------------------------------------

function namespace(): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: NAMESPACE,
      labels: {
        ...LABELS,
        // The operator pods meet the restricted Pod Security Standard; enforce it.
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
      },
    },
  };
}

function serviceAccount(): Obj {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(OPERATOR_NAME) };
}

function notificationsConfigMap(): Obj {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta('mwop-notifications'),
    data: {
      // Receivers for operation and backup events (CloudEvents over HTTP POST); see docs/install.md.
      'notifications.yaml': 'receivers: []\n',
    },
  };
}

// --- RBAC ---------------------------------------------------------------------------------------

function operatorClusterRole(): { obj: Obj; annotate: Annotate } {
  const rows = OPERATOR_PERMISSIONS.filter((p) => (p.scope ?? 'cluster') === 'cluster');
  return {
    obj: {
      apiVersion: RBAC,
      kind: 'ClusterRole',
      metadata: meta(OPERATOR_NAME, false),
      rules: operatorClusterRules(),
    },
    annotate: (doc) => {
      rows.forEach((row, i) => {
        (doc.getIn(['rules', i]) as YAMLMap).commentBefore = ` ${row.reason}`;
      });
    },
  };
}

function clusterRoleBinding(name: string, role: string, subjects: Obj[]): Obj {
  return {
    apiVersion: RBAC,
    kind: 'ClusterRoleBinding',
    metadata: meta(name, false),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects,
  };
}

const operatorSubject = { kind: 'ServiceAccount', name: OPERATOR_NAME, namespace: NAMESPACE };

function leaderElection(): Obj[] {
  return [
    {
      apiVersion: RBAC,
      kind: 'Role',
      metadata: meta(`${OPERATOR_NAME}-leader-election`),
      rules: leaderElectionRules(),
    },
    {
      apiVersion: RBAC,
      kind: 'RoleBinding',
      metadata: meta(`${OPERATOR_NAME}-leader-election`),
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Role',
        name: `${OPERATOR_NAME}-leader-election`,
      },
      subjects: [operatorSubject],
    },
  ];
}

const NAMESPACED = ALL_KINDS.filter((k) => k.scope === 'Namespaced').map((k) => k.plural);
const CLUSTER = ALL_KINDS.filter((k) => k.scope === 'Cluster').map((k) => k.plural);
const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];

/** Aggregated into the built-in view, edit and admin roles, so namespace users get middleware at once. */
function userRoles(): Obj[] {
  const role = (name: string, aggregateTo: string, verbs: string[]): Obj => ({
    apiVersion: RBAC,
    kind: 'ClusterRole',
    metadata: meta(name, false, { [`rbac.authorization.k8s.io/aggregate-to-${aggregateTo}`]: 'true' }),
    rules: [
      { apiGroups: [GROUP], resources: [...NAMESPACED], verbs },
      // Every operation is an Argo Workflow: users see its DAG (kubectl mw describe, --wait).
      { apiGroups: ['argoproj.io'], resources: ['workflows'], verbs: READ },
    ],
  });
  return [
    role('mwop-view', 'view', READ),
    role('mwop-edit', 'edit', [...READ, ...WRITE]),
    // The built-in edit role already aggregates into admin; mwop-admin states it on its own so that
    // admins keep middleware access even where edit's aggregation has been customised.
    role('mwop-admin', 'admin', [...READ, ...WRITE]),
  ];
}

/** MiddlewareType and BackupStorage are the platform team's: bind this cluster-wide to them. */
function platformAdmin(): Obj {
  return {
    apiVersion: RBAC,
    kind: 'ClusterRole',
    metadata: meta('mwop-platform-admin', false),
    rules: [
      { apiGroups: [GROUP], resources: [...CLUSTER], verbs: [...READ, ...WRITE] },
      { apiGroups: [GROUP], resources: [...NAMESPACED], verbs: READ },
    ],
  };
}

/**
 * Types and storages are cluster-scoped, so aggregated namespace roles cannot grant reading them.
 * Every signed-in user may read them: a type is the menu of what can be created, and a storage
 * holds an endpoint and bucket name, never credentials (those stay in a Secret).
 */
function catalogView(): Obj[] {
  return [
    {
      apiVersion: RBAC,
      kind: 'ClusterRole',
      metadata: meta('mwop-catalog-view', false),
      rules: [{ apiGroups: [GROUP], resources: [...CLUSTER], verbs: READ }],
    },
    clusterRoleBinding('mwop-catalog-view', 'mwop-catalog-view', [
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:authenticated' },
    ]),
  ];
}

// --- workload -----------------------------------------------------------------------------------

function deployment(): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(OPERATOR_NAME, true, { 'app.kubernetes.io/component': 'operator' }),
    spec: {
      // Two replicas: one leads and reconciles, both serve the webhook.
      replicas: 2,
      revisionHistoryLimit: 5,
      selector: { matchLabels: SELECTOR },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels: { ...LABELS, ...SELECTOR },
          annotations: { 'kubectl.kubernetes.io/default-container': 'operator' },
        },
        spec: {
          serviceAccountName: OPERATOR_NAME,
          // Longer than --shutdown-grace-seconds (25) so in-flight reconciles finish and the lease is released.
          terminationGracePeriodSeconds: 35,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: RUN_AS,
            runAsGroup: RUN_AS,
            fsGroup: RUN_AS,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: {
                    labelSelector: { matchLabels: SELECTOR },
                    topologyKey: 'kubernetes.io/hostname',
                  },
                },
              ],
            },
          },
          containers: [
            {
              name: 'operator',
              image: IMAGE,
              imagePullPolicy: 'IfNotPresent',
              command: ['node', 'dist/main.js'],
              args: [
                '--leader-elect=true',
                `--metrics-port=${PORTS.metrics}`,
                `--health-port=${PORTS.health}`,
                `--webhook-port=${PORTS.webhook}`,
                // Without cert-manager the replicas share the operator's own CA (a Secret) and keep
                // this configuration's caBundle current; the cert-manager component adds
                // --webhook-cert-dir, which takes precedence.
                `--webhook-config-name=${WEBHOOK_NAME}`,
                '--shutdown-grace-seconds=25',
                '--notifications-config=/etc/mwop/notifications/notifications.yaml',
              ],
              env: [
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                { name: 'MWOP_LOG_LEVEL', value: 'info' },
                { name: 'MWOP_OPERATOR_IMAGE', value: IMAGE },
                // Keep V8's heap under the memory limit so Node collects before the kernel kills it.
                { name: 'NODE_OPTIONS', value: '--max-old-space-size=384' },
              ],
              ports: [
                { name: 'metrics', containerPort: PORTS.metrics, protocol: 'TCP' },
                { name: 'health', containerPort: PORTS.health, protocol: 'TCP' },
                { name: 'webhook', containerPort: PORTS.webhook, protocol: 'TCP' },
              ],
              livenessProbe: {
                httpGet: { path: '/healthz', port: 'health' },
                initialDelaySeconds: 10,
                periodSeconds: 10,
                timeoutSeconds: 2,
                failureThreshold: 3,
              },
              readinessProbe: {
                httpGet: { path: '/readyz', port: 'health' },
                periodSeconds: 5,
                timeoutSeconds: 2,
                failureThreshold: 3,
              },
              resources: {
                requests: { cpu: '100m', memory: '192Mi' },
                limits: { cpu: '1', memory: '512Mi' },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                runAsUser: RUN_AS,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
              volumeMounts: [
                { name: 'tmp', mountPath: '/tmp' },
                { name: 'webhook-tls', mountPath: '/etc/mwop/webhook-tls', readOnly: true },
                { name: 'notifications', mountPath: '/etc/mwop/notifications', readOnly: true },
              ],
            },
          ],
          volumes: [
            { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
            // Filled by cert-manager (components/cert-manager) or by the operator's own CA; optional
            // so the pods start before either has written it.
            { name: 'webhook-tls', secret: { secretName: WEBHOOK_TLS_SECRET, optional: true } },
            { name: 'notifications', configMap: { name: 'mwop-notifications' } },
          ],
        },
      },
    },
  };
}

function podDisruptionBudget(): Obj {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: meta(OPERATOR_NAME),
    spec: { minAvailable: 1, selector: { matchLabels: SELECTOR } },
  };
}

function services(): Obj[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(WEBHOOK_SERVICE),
      spec: {
        selector: SELECTOR,
        ports: [{ name: 'https', port: 443, targetPort: 'webhook', protocol: 'TCP' }],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('mwop-metrics'),
      spec: {
        selector: SELECTOR,
        ports: [{ name: 'metrics', port: PORTS.metrics, targetPort: 'metrics', protocol: 'TCP' }],
      },
    },
  ];
}

// --- admission ----------------------------------------------------------------------------------

const FAILURE_POLICY: Record<string, { policy: 'Fail' | 'Ignore'; why: string }> = {
  MiddlewareInstance: {
    policy: 'Fail',
    why:
      'Fail: an instance admitted unchecked (over quota, invalid config, illegal upgrade) would start\n' +
      'workflows that fail half-way or overrun the namespace quota; refusing while the webhook is\n' +
      'down is the safer outage. Two replicas and a PodDisruptionBudget keep it up.',
  },
  MiddlewareType: {
    policy: 'Fail',
    why: 'Fail: published plugin versions are immutable (FR-015); an outage must not let an edit through.',
  },
  MiddlewareBackup: {
    policy: 'Ignore',
    why: 'Ignore: the backup controller checks the same rules and records a failure in status.',
  },
  MiddlewareOperation: {
    policy: 'Ignore',
    why: 'Ignore: the operation controller checks the same rules and fails the operation in status.',
  },
  BackupStorage: {
    policy: 'Ignore',
    why: 'Ignore: a bad storage only fails its probe (phase Unavailable); platform admins can still fix it.',
  },
};

function validatingWebhook(): { obj: Obj; annotate: Annotate } {
  const webhooks = ALL_KINDS.map((k) => ({
    name: `${k.plural}.validate.${GROUP}`,
    admissionReviewVersions: ['v1'],
    clientConfig: {
      service: { name: WEBHOOK_SERVICE, namespace: NAMESPACE, path: `/validate/${k.plural}`, port: 443 },
    },
    rules: [
      {
        apiGroups: [GROUP],
        apiVersions: [VERSION],
        operations: ['CREATE', 'UPDATE'],
        resources: [k.plural],
        scope: k.scope,
      },
    ],
    failurePolicy: FAILURE_POLICY[k.kind]?.policy ?? 'Fail',
    matchPolicy: 'Equivalent',
    sideEffects: 'None',
    timeoutSeconds: 5,
    namespaceSelector: {
      matchExpressions: [
        { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [NAMESPACE, 'kube-system'] },
      ],
    },
  }));
  return {
    obj: {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: meta(WEBHOOK_NAME, false),
      webhooks,
    },
    annotate: (doc) => {
      ALL_KINDS.forEach((k, i) => {
        const map = doc.getIn(['webhooks', i]) as YAMLMap;
        const why = FAILURE_POLICY[k.kind]?.why;
        if (why) commentKey(map, 'failurePolicy', why);
      });
      const first = doc.getIn(['webhooks', 0]) as YAMLMap;
      commentKey(
        first,
        'timeoutSeconds',
        'The server answers within 4 s (its own deadline) so the API server never times out first.',
      );
      commentKey(
        first,
        'namespaceSelector',
        "The operator's namespace and kube-system never wait on this webhook (no self-deadlock).\n" +
          'Cluster-scoped kinds (types, storages) are not filtered by a namespace selector.',
      );
    },
  };
}

// --- cert-manager component -----------------------------------------------------------------------

function certManagerComponent(): Map<string, string> {
  const files = new Map<string, string>();
  const dnsNames = [
    `${WEBHOOK_SERVICE}.${NAMESPACE}.svc`,
    `${WEBHOOK_SERVICE}.${NAMESPACE}.svc.cluster.local`,
  ];
  files.set(
    'components/cert-manager/kustomization.yaml',
    render(
      [
        {
          obj: {
            apiVersion: 'kustomize.config.k8s.io/v1alpha1',
            kind: 'Component',
            resources: ['certificate.yaml'],
            patches: [
              {
                path: 'inject-ca.yaml',
                target: { kind: 'ValidatingWebhookConfiguration', name: WEBHOOK_NAME },
              },
              {
                // Serve the certificate cert-manager writes into the mounted Secret.
                patch:
                  '- op: add\n  path: /spec/template/spec/containers/0/args/-\n  value: --webhook-cert-dir=/etc/mwop/webhook-tls\n',
                target: { kind: 'Deployment', name: OPERATOR_NAME },
              },
            ],
          },
        },
      ],
      "Serve the webhook with a cert-manager certificate instead of the operator's own CA.\n" +
        'cert-manager writes the Secret the Deployment mounts, and its cainjector fills caBundle.',
    ),
  );
  files.set(
    'components/cert-manager/certificate.yaml',
    render([
      {
        obj: {
          apiVersion: 'cert-manager.io/v1',
          kind: 'Issuer',
          metadata: meta('mwop-selfsigned'),
          spec: { selfSigned: {} },
        },
      },
      {
        obj: {
          apiVersion: 'cert-manager.io/v1',
          kind: 'Certificate',
          metadata: meta(WEBHOOK_NAME),
          spec: {
            secretName: WEBHOOK_TLS_SECRET,
            dnsNames,
            issuerRef: { kind: 'Issuer', name: 'mwop-selfsigned' },
            duration: '2160h',
            renewBefore: '360h',
            privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
          },
        },
      },
    ]),
  );
  files.set(
    'components/cert-manager/inject-ca.yaml',
    render([
      {
        obj: {
          apiVersion: 'admissionregistration.k8s.io/v1',
          kind: 'ValidatingWebhookConfiguration',
          metadata: {
            name: WEBHOOK_NAME,
            annotations: { 'cert-manager.io/inject-ca-from': `${NAMESPACE}/${WEBHOOK_NAME}` },
          },
        },
      },
    ]),
  );
  return files;
}

// --- the generator ------------------------------------------------------------------------------

/** Files other generators own, by output directory; read from them so paths never drift. */
async function siblingFiles(outputDir: string): Promise<string[] | undefined> {
  const { generators } = await import('./registry.ts');
  const gen = generators.find((g) => g.outputDir === outputDir);
  if (!gen) return undefined;
  return [...(await gen.generate()).keys()].filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort();
}

export const deployGenerator: Generator = {
  name: 'deploy',
  outputDir: 'deploy/operator',
  async generate() {
    const files = new Map<string, string>();
    const own: Array<[string, string]> = [
      ['namespace.yaml', render([{ obj: namespace() }])],
      ['serviceaccount.yaml', render([{ obj: serviceAccount() }])],
      [
        'rbac/operator-clusterrole.yaml',
        render(
          [operatorClusterRole()],
          'Least privilege, generated from src/kube/permissions.ts: one rule per row, with its reason.',
        ),
      ],
      [
        'rbac/operator-clusterrolebinding.yaml',
        render([{ obj: clusterRoleBinding(OPERATOR_NAME, OPERATOR_NAME, [operatorSubject]) }]),
      ],
      ['rbac/leader-election.yaml', render(leaderElection().map((obj) => ({ obj })))],
      [
        'rbac/user-roles.yaml',
        render(
          userRoles().map((obj) => ({ obj })),
          'Aggregated into the built-in view, edit and admin ClusterRoles.',
        ),
      ],
      ['rbac/platform-admin.yaml', render([{ obj: platformAdmin() }])],
      ['rbac/catalog-view.yaml', render(catalogView().map((obj) => ({ obj })))],
      ['notifications-configmap.yaml', render([{ obj: notificationsConfigMap() }])],
      ['deployment.yaml', render([{ obj: deployment() }])],
      ['poddisruptionbudget.yaml', render([{ obj: podDisruptionBudget() }])],
      ['services.yaml', render(services().map((obj) => ({ obj })))],
      ['webhook.yaml', render([validatingWebhook()])],
    ];
    for (const [name, text] of own) files.set(name, text);
    for (const [name, text] of certManagerComponent()) files.set(name, text);

    const crds = (await siblingFiles('crds')) ?? [];
    const templates = (await siblingFiles('workflow-templates')) ?? [];
    const resources = [
      ...crds.map((f) => `../../crds/${f}`),
      ...templates.map((f) => `../../workflow-templates/${f}`),
      ...own.map(([name]) => name),
    ];
    files.set(
      'kustomization.yaml',
      render(
        [{ obj: { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources } }],
        'The CRDs and workflow templates live outside this directory, so build with\n' +
          '  kubectl kustomize --load-restrictor LoadRestrictionsNone deploy/operator | kubectl apply --server-side -f -\n' +
          'Argo Workflows must be installed first (docs/install.md).',
      ),
    );
    // The same resources plus the cert-manager component. It lists files rather than '../..', because
    // a kustomization may not include a directory that contains it.
    files.set(
      'overlays/cert-manager/kustomization.yaml',
      render(
        [
          {
            obj: {
              apiVersion: 'kustomize.config.k8s.io/v1beta1',
              kind: 'Kustomization',
              resources: resources.map((r) => `../../${r}`),
              components: ['../../components/cert-manager'],
            },
          },
        ],
        'Install with cert-manager serving the webhook certificate:\n' +
          '  kubectl kustomize --load-restrictor LoadRestrictionsNone deploy/operator/overlays/cert-manager',
      ),
    );
    return files;
  },
};
