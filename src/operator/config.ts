// Operator settings from flags and environment (flags win). Pure: takes argv and env, returns
// the config or every problem at once, each naming the flag, the value and what is accepted.
import { parseArgs } from 'node:util';
import { parseDuration } from '../backup/errors.ts';

export interface OperatorConfig {
  kubeconfig?: string;
  context?: string;
  /** Namespaces to watch; empty means all. */
  namespaces: string[];
  /** Only instances matching this label selector (sharding by label). */
  labelSelector?: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  metricsPort: number;
  healthPort: number;
  /** 0 picks a free port (tests). */
  webhookPort: number;
  /** tls.crt and tls.key to serve (cert-manager); watched and reloaded. Unset: a self-signed CA. */
  webhookCertDir?: string;
  /** The ValidatingWebhookConfiguration whose caBundle the self-signed mode keeps current. */
  webhookConfigName?: string;
  leaderElection: boolean;
  leaseNamespace: string;
  leaseName: string;
  identity: string;
  shutdownGraceMs: number;
  /** Members not ready for this long, with a container error, move the instance to Failed. */
  podFailureMs: number;
  operatorImage: string;
  agentImage: string;
  notificationsConfig?: string;
  /** Rebuild missing MiddlewareBackup CRs from each BackupStorage's S3 metadata this often; 0: never. */
  backupCatalogSyncMs: number;
}

export interface ConfigProblem {
  flag: string;
  value: string;
  message: string;
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

function port(flag: string, raw: string, problems: ConfigProblem[]): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    problems.push({ flag, value: raw, message: 'must be a port number between 0 and 65535' });
    return 0;
  }
  return n;
}

export function parseOperatorConfig(
  argv: string[],
  env: Record<string, string | undefined>,
): { ok: true; config: OperatorConfig } | { ok: false; problems: ConfigProblem[] } {
  const { values } = parseArgs({
    args: argv,
    strict: false,
    options: {
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      namespaces: { type: 'string' },
      'label-selector': { type: 'string' },
      'log-level': { type: 'string' },
      'metrics-port': { type: 'string' },
      'health-port': { type: 'string' },
      'webhook-port': { type: 'string' },
      'webhook-cert-dir': { type: 'string' },
      'webhook-config-name': { type: 'string' },
      'leader-elect': { type: 'string' },
      'lease-namespace': { type: 'string' },
      'lease-name': { type: 'string' },
      identity: { type: 'string' },
      'shutdown-grace-seconds': { type: 'string' },
      'pod-failure-seconds': { type: 'string' },
      'operator-image': { type: 'string' },
      'agent-image': { type: 'string' },
      'notifications-config': { type: 'string' },
      'backup-catalog-sync-interval': { type: 'string' },
    },
  });
  const get = (flag: string, envName: string, fallback?: string): string | undefined => {
    const v = values[flag];
    if (typeof v === 'string') return v;
    return env[envName] ?? fallback;
  };
  const problems: ConfigProblem[] = [];
  const logLevel = get('log-level', 'MWOP_LOG_LEVEL', 'info')!;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problems.push({
      flag: '--log-level',
      value: logLevel,
      message: `must be one of: ${LOG_LEVELS.join(', ')}`,
    });
  }
  const leaderRaw = get('leader-elect', 'MWOP_LEADER_ELECT', 'true')!;
  if (!['true', 'false'].includes(leaderRaw)) {
    problems.push({ flag: '--leader-elect', value: leaderRaw, message: 'must be true or false' });
  }
  const graceRaw = get('shutdown-grace-seconds', 'MWOP_SHUTDOWN_GRACE_SECONDS', '25')!;
  const grace = Number(graceRaw);
  if (!Number.isFinite(grace) || grace < 0) {
    problems.push({
      flag: '--shutdown-grace-seconds',
      value: graceRaw,
      message: 'must be a number of seconds >= 0',
    });
  }
  const failRaw = get('pod-failure-seconds', 'MWOP_POD_FAILURE_SECONDS', '300')!;
  const fail = Number(failRaw);
  if (!Number.isFinite(fail) || fail < 0) {
    problems.push({
      flag: '--pod-failure-seconds',
      value: failRaw,
      message: 'must be a number of seconds >= 0',
    });
  }
  const syncRaw = get('backup-catalog-sync-interval', 'MWOP_BACKUP_CATALOG_SYNC_INTERVAL', '0')!;
  let syncMs = 0;
  if (syncRaw !== '0' && syncRaw !== '') {
    try {
      syncMs = parseDuration(syncRaw, '--backup-catalog-sync-interval');
    } catch {
      syncMs = Number.NaN;
    }
    if (!(syncMs >= 60_000)) {
      problems.push({
        flag: '--backup-catalog-sync-interval',
        value: syncRaw,
        message: 'must be 0 (off) or a duration of at least 1m, for example 15m or 1h',
      });
      syncMs = 0;
    }
  }
  const config: OperatorConfig = {
    kubeconfig: get('kubeconfig', 'KUBECONFIG'),
    context: get('context', 'MWOP_CONTEXT'),
    namespaces: (get('namespaces', 'MWOP_NAMESPACES', '') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    labelSelector: get('label-selector', 'MWOP_LABEL_SELECTOR'),
    logLevel: logLevel as OperatorConfig['logLevel'],
    metricsPort: port('--metrics-port', get('metrics-port', 'MWOP_METRICS_PORT', '8080')!, problems),
    healthPort: port('--health-port', get('health-port', 'MWOP_HEALTH_PORT', '8081')!, problems),
    webhookPort: port('--webhook-port', get('webhook-port', 'MWOP_WEBHOOK_PORT', '9443')!, problems),
    webhookCertDir: get('webhook-cert-dir', 'MWOP_WEBHOOK_CERT_DIR') || undefined,
    webhookConfigName: get('webhook-config-name', 'MWOP_WEBHOOK_CONFIG_NAME') || undefined,
    leaderElection: leaderRaw === 'true',
    leaseNamespace: get('lease-namespace', 'POD_NAMESPACE', 'mwop-system')!,
    leaseName: get('lease-name', 'MWOP_LEASE_NAME', 'mwop-operator-leader')!,
    identity: get('identity', 'POD_NAME', `mwop-${process.pid}`)!,
    shutdownGraceMs: Math.round(grace * 1000),
    podFailureMs: Math.round(fail * 1000),
    operatorImage: get('operator-image', 'MWOP_OPERATOR_IMAGE', 'ghcr.io/mwop/operator:0.1.0')!,
    agentImage: get('agent-image', 'MWOP_AGENT_IMAGE', 'ghcr.io/mwop/agent:0.1.0')!,
    notificationsConfig: get('notifications-config', 'MWOP_NOTIFICATIONS_CONFIG'),
    backupCatalogSyncMs: syncMs,
  };
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config };
}
