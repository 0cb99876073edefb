// Reads the credentials Secret: a file in the credentials directory wins over the environment
// variable. Read on every call, so a rotated Secret is picked up without restarting the agent.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AGENT_ENV, CREDENTIAL_FILES } from './contract.ts';

export type CredentialKey = keyof typeof CREDENTIAL_FILES;

export interface CredentialSource {
  dir: string | undefined;
  env: Record<string, string | undefined>;
}

export async function readCredential(
  source: CredentialSource,
  key: CredentialKey,
): Promise<string | undefined> {
  if (source.dir) {
    try {
      // A mounted Secret file usually has no trailing newline, but one written by hand often does.
      return (await readFile(join(source.dir, CREDENTIAL_FILES[key]), 'utf8')).replace(/\r?\n$/, '');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  const v = source.env[AGENT_ENV[key]];
  return v === undefined || v === '' ? undefined : v;
}
