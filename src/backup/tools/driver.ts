import type { TransferResult } from '../s3/transfer.ts';
import type { Producer } from './process.ts';

/** Downloads the artifact to `dest`, verified: resolves only when size and SHA-256 match. */
export type FetchVerified = (dest: string) => Promise<TransferResult>;

/** One middleware type's backup tool: how to dump it, and how to load a verified dump. */
export interface ToolDriver<Source, Target> {
  /** MiddlewareType name it serves (a restore refuses a backup of another type). */
  type: string;
  /** Artifact format written into the metadata. */
  format: string;
  dataFile: string;
  contentType: string;
  /** Starts the dump; its stdout is the artifact. `cleanup` runs after the upload either way. */
  dump(source: Source): Promise<Producer & { cleanup(): Promise<void> }>;
  /**
   * Loads the artifact into the target. It must call `fetch` and let it resolve (verified) before
   * it touches the target, so a checksum mismatch leaves the target untouched.
   */
  restore(target: Target, fetch: FetchVerified): Promise<void>;
}
