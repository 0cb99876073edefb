export * from './backup-storage.ts';
export * from './common.ts';
export * from './crd.ts';
export * from './kinds.ts';
export * from './middleware-backup.ts';
export * from './middleware-instance.ts';
export * from './middleware-operation.ts';
export * from './middleware-type.ts';
export { API_VERSION, GROUP, VERSION } from './schema-kit.ts';
