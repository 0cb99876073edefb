// What an instance will take out of its namespace's ResourceQuotas (issue 9, FR-004): computed from
// the same effective values the renderer uses, so admission and the applied objects agree.
import type { MiddlewareInstance, ResourceRequirements } from '../api/index.ts';
import type { ResolvedPlugin } from '../plugins/types.ts';
import { DEFAULT_AGENT_RESOURCES, memberResources, replicas, storageSize } from './effective.ts';
import { add, count, parseQuantity, type Quantity, times } from './quantity.ts';

export * from './quantity.ts';

export interface FootprintInput {
  instance: MiddlewareInstance;
  plugin: ResolvedPlugin;
  /** The agent sidecar's resources when the operator overrides the default. */
  agentResources?: ResourceRequirements;
  /**
   * A backup tool pod runs next to the members: a schedule is set and a run is due, or a backup
   * or restore was asked for. Its share counts only then, because it only exists then.
   */
  backupDue?: boolean;
  /** The certificate's Secret counts towards count/secrets when a Certificate is rendered. */
  certManager?: boolean;
}

/**
 * Whether admission should count the backup tool's pod: scheduled backups that are not suspended
 * start it on their own at any time, and it must then fit the quota next to the members.
 */
export function scheduledBackupApplies(instance: MiddlewareInstance): boolean {
  const b = instance.spec.backup;
  return Boolean(b?.schedule && !b.suspend);
}

export type ComputeResource = 'requests.cpu' | 'requests.memory' | 'limits.cpu' | 'limits.memory';
export const COMPUTE_RESOURCES: readonly ComputeResource[] = [
  'requests.cpu',
  'requests.memory',
  'limits.cpu',
  'limits.memory',
];

/** Pods of one kind, all alike. */
export interface PodGroup {
  role: 'member' | 'backup';
  count: number;
  /** One pod's total over its containers, requests defaulted from limits as the API server does. */
  perPod: Partial<Record<ComputeResource, Quantity>>;
  /** Compute resources that at least one container leaves unset. */
  unset: ComputeResource[];
  /** Has activeDeadlineSeconds, which is what the quota scope Terminating selects. */
  terminating: boolean;
  /** No container sets any request or limit (quota scope BestEffort). */
  bestEffort: boolean;
}

export interface Footprint {
  /** Totals by ResourceQuota resource name (requests.cpu, pods, requests.storage, services, ...). */
  resources: Record<string, Quantity>;
  /** The pods behind the pod resources, for quotas with scopes. */
  podGroups: PodGroup[];
}

/** Sums containers into one pod, the way the quota evaluator does. */
function podOf(
  containers: ResourceRequirements[],
  path: string,
): Pick<PodGroup, 'perPod' | 'unset' | 'bestEffort'> {
  const perPod: Partial<Record<ComputeResource, Quantity>> = {};
  const unset = new Set<ComputeResource>();
  let bestEffort = true;
  containers.forEach((c, i) => {
    for (const key of ['cpu', 'memory'] as const) {
      const limitText = c.limits?.[key];
      const requestText = c.requests?.[key];
      const limit =
        limitText === undefined ? undefined : parseQuantity(limitText, `${path}[${i}].limits.${key}`);
      // A container without a request gets its limit as the request, as the API server defaults it.
      const request =
        requestText === undefined ? limit : parseQuantity(requestText, `${path}[${i}].requests.${key}`);
      const pairs: Array<[ComputeResource, Quantity | undefined]> = [
        [`requests.${key}`, request],
        [`limits.${key}`, limit],
      ];
      for (const [name, q] of pairs) {
        if (q === undefined) {
          unset.add(name);
          continue;
        }
        bestEffort = false;
        perPod[name] = perPod[name] ? add(perPod[name]!, q) : q;
      }
    }
  });
  return { perPod, unset: COMPUTE_RESOURCES.filter((r) => unset.has(r)), bestEffort };
}

const bump = (acc: Record<string, Quantity>, name: string, q: Quantity) => {
  acc[name] = acc[name] ? add(acc[name]!, q) : q;
};

export function instanceFootprint(input: FootprintInput): Footprint {
  const { instance, plugin } = input;
  const n = replicas(instance);
  const groups: PodGroup[] = [
    {
      role: 'member',
      count: n,
      terminating: false,
      ...podOf(
        [memberResources(instance, plugin), input.agentResources ?? DEFAULT_AGENT_RESOURCES],
        'containers(middleware, agent)',
      ),
    },
  ];
  const backup = plugin.version.backupConfig;
  if (input.backupDue && backup) {
    // The tool pod runs with activeDeadlineSeconds (its timeout), so it is a Terminating pod.
    groups.push({
      role: 'backup',
      count: 1,
      terminating: true,
      ...podOf(
        [backup.resources ?? {}],
        `${plugin.typeName} ${plugin.version.pluginVersion} backupConfig.resources`,
      ),
    });
  }

  const resources: Record<string, Quantity> = {};
  for (const g of groups) {
    bump(resources, 'pods', count(g.count));
    bump(resources, 'count/pods', count(g.count));
    for (const r of COMPUTE_RESOURCES) {
      const q = g.perPod[r];
      if (q) bump(resources, r, times(q, g.count));
    }
  }
  // The unprefixed names are the same as requests.* in a ResourceQuota.
  if (resources['requests.cpu']) resources.cpu = resources['requests.cpu'];
  if (resources['requests.memory']) resources.memory = resources['requests.memory'];

  const size = parseQuantity(storageSize(instance, plugin), 'spec.storage.size');
  const storage = times(size, n);
  resources['requests.storage'] = storage;
  resources.persistentvolumeclaims = count(n);
  resources['count/persistentvolumeclaims'] = count(n);
  const sc = instance.spec.storage?.storageClassName;
  // Without a class name the cluster's default class applies, which admission cannot see here;
  // those per-class quotas are then checked by the API server when the PVCs are created.
  if (sc) {
    resources[`${sc}.storageclass.storage.k8s.io/requests.storage`] = storage;
    resources[`${sc}.storageclass.storage.k8s.io/persistentvolumeclaims`] = count(n);
  }

  const type = instance.spec.serviceType ?? 'ClusterIP';
  resources.services = count(2);
  resources['count/services'] = count(2);
  // As the quota evaluator counts them: a LoadBalancer also allocates a node port per port.
  resources['services.loadbalancers'] = count(type === 'LoadBalancer' ? 1 : 0);
  resources['services.nodeports'] = count(type === 'ClusterIP' ? 0 : plugin.version.workload.ports.length);
  resources['count/statefulsets.apps'] = count(1);
  resources['count/configmaps'] = count(1);
  const secrets =
    (instance.spec.credentials?.existingSecret ? 0 : 1) +
    (instance.spec.tls?.enabled && input.certManager ? 1 : 0);
  resources['count/secrets'] = count(secrets);
  for (const [k, v] of Object.entries(resources)) if (v.nanos === 0n) delete resources[k];
  return { resources, podGroups: groups };
}
