// Which BackupStorages a retention cleanup runs against: one workflow step per storage holding a
// victim's objects, or the instance's own storage when no victim has objects (failed backups only),
// so every victim is deleted by some step. Pure.
import type { MiddlewareBackup } from '../../api/index.ts';

export function retentionStorageNames(
  victims: readonly MiddlewareBackup[],
  instanceStorage: string,
): string[] {
  const names = new Set<string>();
  for (const b of victims) {
    const hasObjects = Boolean(b.status?.path || b.status?.metadataPath);
    const storage = b.status?.storage ?? b.spec.storage;
    if (hasObjects && storage) names.add(storage);
  }
  return names.size > 0 ? [...names].sort() : [instanceStorage];
}
