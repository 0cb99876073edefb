// The generated credentials Secret (FR-037). Rendered only when the caller passes a freshly
// generated password: that is, at creation, when the Secret does not exist yet. On later reconciles
// it is left out, so server-side apply never rewrites or drops a password in use.
import type { V1Secret } from '@kubernetes/client-node';
import type { MiddlewareInstance } from '../api/index.ts';
import type { ResolvedPlugin } from '../plugins/types.ts';
import { credentialRefs } from './effective.ts';
import { RenderError } from './errors.ts';
import { childMeta, LABEL_CREDENTIALS } from './meta.ts';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

export function renderCredentialsSecret(
  instance: MiddlewareInstance,
  plugin: ResolvedPlugin,
  generatedPassword: string | undefined,
): V1Secret | undefined {
  const refs = credentialRefs(instance, plugin);
  if (!refs.generated || generatedPassword === undefined) return undefined;
  if (generatedPassword.length === 0)
    throw new RenderError('credentials.generatedPassword', '', 'a non-empty generated password');
  const data: Record<string, string> = { [refs.passwordKey]: b64(generatedPassword) };
  if (refs.fixedUsername) data[refs.usernameKey] = b64(refs.fixedUsername);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    // The credentials label lets a restore find the Secret of a deleted, Retained instance by
    // instance name (together with mwop.dev/instance) after its ownerReference is gone.
    metadata: childMeta(instance, plugin.typeName, 'credentials', refs.secretName, {
      labels: { [LABEL_CREDENTIALS]: 'true' },
    }),
    type: 'Opaque',
    data,
  };
}
