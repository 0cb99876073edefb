// Checks that only show up once objects are built: names that fit every child, and a hook port that
// does not collide with the middleware's ports. Thrown as RenderError; admission can call these too.
import type { MiddlewareInstance } from '../api/index.ts';
import type { ResolvedPlugin } from '../plugins/types.ts';
import { RenderError } from './errors.ts';

/**
 * The StatefulSet's pods carry controller-revision-hash=<name>-<10-char hash>, a label value of at
 * most 63 characters, so the name can have 52 at most; Services also need a DNS-1035 label (a
 * letter first), and <name>-headless must fit in 63 as well.
 */
export const MAX_INSTANCE_NAME = 52;
const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

export function validateInstanceName(instance: MiddlewareInstance): void {
  const name = instance.metadata.name ?? '';
  if (name.length > MAX_INSTANCE_NAME || !DNS_1035.test(name))
    throw new RenderError(
      'metadata.name',
      name,
      `a name of at most ${MAX_INSTANCE_NAME} characters: lower-case letters, digits and '-', starting with a letter and ending with a letter or digit (it names the StatefulSet and the Services)`,
    );
}

export function validatePorts(plugin: ResolvedPlugin): void {
  const where = `MiddlewareType ${plugin.typeName} ${plugin.version.pluginVersion}`;
  for (const [i, p] of plugin.version.workload.ports.entries()) {
    if (p.port === plugin.hookPort)
      throw new RenderError(
        `${where} workload.ports[${i}].port`,
        p.port,
        `a port other than the hook agent's port ${plugin.hookPort} (lifecycleHooks.port), since both containers share the pod's network`,
      );
    if (p.name === 'hooks')
      throw new RenderError(
        `${where} workload.ports[${i}].name`,
        p.name,
        "a name other than 'hooks', which the agent's port uses",
      );
  }
}
