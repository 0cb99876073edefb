// What an image built by images.sh says about itself: the labels of its OCI layout in the cache
// (for instance the Debian package version of redis-server, which names the middleware version).
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const imageCacheDir = () =>
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mwop/images');

function blob(layout: string, digest: string): unknown {
  return JSON.parse(readFileSync(join(layout, 'blobs', ...digest.split(':')), 'utf8'));
}

export function imageLabels(name: string): Record<string, string> {
  const layout = join(imageCacheDir(), 'oci', name);
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as {
    manifests: { digest: string }[];
  };
  const manifest = blob(layout, index.manifests[0]!.digest) as { config: { digest: string } };
  const config = blob(layout, manifest.config.digest) as { config?: { Labels?: Record<string, string> } };
  return config.config?.Labels ?? {};
}

/** "5:7.0.15-1~deb12u10" -> "7.0.15": the upstream version inside a Debian package version. Pure. */
export function upstreamVersion(debianVersion: string): string {
  const m = /^(?:\d+:)?(\d+(?:\.\d+)*)/.exec(debianVersion);
  if (!m) throw new Error(`not a Debian package version: ${JSON.stringify(debianVersion)}`);
  return m[1]!;
}
