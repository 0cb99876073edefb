// Reads a BackupStorage's credentials Secret and builds what the operator and the tool pods need:
// an S3 config for the operator itself, and a copy of the keys in the instance namespace for the
// workflow pods (they cannot read Secrets in other namespaces).
import type { V1Secret } from '@kubernetes/client-node';
import type { BackupStorage } from '../../api/index.ts';
import { type S3StorageConfig, storageConfigFromSpec } from '../../backup/s3/client.ts';
import { serverSideApply } from '../../kube/apply.ts';
import { resourcePath } from '../../kube/gvr.ts';
import type { KubeRest } from '../../kube/rest.ts';

export const S3_ACCESS_KEY = 'accessKeyId';
export const S3_SECRET_KEY = 'secretAccessKey';

export function copiedSecretName(storage: string): string {
  return `mwop-s3-${storage}`.slice(0, 253);
}

async function readKeys(
  rest: KubeRest,
  storage: BackupStorage,
): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const ref = storage.spec.credentialsSecretRef;
  const secret = await rest.get<V1Secret>(
    resourcePath('v1', 'Secret', { namespace: ref.namespace, name: ref.name }),
  );
  const idKey = ref.accessKeyIdKey ?? 'accessKeyId';
  const secretKey = ref.secretAccessKeyKey ?? 'secretAccessKey';
  const id = secret.data?.[idKey];
  const key = secret.data?.[secretKey];
  if (!id || !key) {
    const missing = [!id ? idKey : undefined, !key ? secretKey : undefined].filter(Boolean).join(', ');
    throw new Error(
      `BackupStorage ${storage.metadata.name}: Secret ${ref.namespace}/${ref.name} has no key ${missing}; spec.credentialsSecretRef names keys ${idKey} and ${secretKey}`,
    );
  }
  return {
    accessKeyId: Buffer.from(id, 'base64').toString('utf8'),
    secretAccessKey: Buffer.from(key, 'base64').toString('utf8'),
  };
}

export async function operatorS3Config(rest: KubeRest, storage: BackupStorage): Promise<S3StorageConfig> {
  return storageConfigFromSpec(
    storage.spec,
    await readKeys(rest, storage),
    `BackupStorage ${storage.metadata.name} spec`,
  );
}

/** Copies the S3 keys into `namespace`; returns the Secret's name. */
export async function ensureNamespaceCredentials(
  rest: KubeRest,
  storage: BackupStorage,
  namespace: string,
): Promise<string> {
  const keys = await readKeys(rest, storage);
  const name = copiedSecretName(storage.metadata.name!);
  await serverSideApply(rest, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      namespace,
      labels: { 'app.kubernetes.io/managed-by': 'mwop', 'mwop.dev/backup-storage': storage.metadata.name! },
    },
    type: 'Opaque',
    stringData: { [S3_ACCESS_KEY]: keys.accessKeyId, [S3_SECRET_KEY]: keys.secretAccessKey },
  } as never);
  return name;
}
