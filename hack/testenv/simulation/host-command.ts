// Runs a container step whose image is one of mwop's own (ghcr.io/mwop/...: the backup tools and
// kubectl-mw) as a process on this host, the way the kubelet would run it in a pod: the pod's
// environment with its Secret and ConfigMap references resolved, a kubeconfig holding a token of
// the pod's ServiceAccount (TokenRequest, as the projected token would be), and the pod's
// PersistentVolumeClaims at their simulated hostPath volumes. What the cluster network would have
// resolved (a member's DNS name) comes from the namespace annotation
//   sim.mwop.dev/env: '{"MWOP_DB_HOST":"127.0.0.1","MWOP_DB_PORT":"6390"}'
// Other images cannot run here: the caller simulates them.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Obj, SimKube } from './kube.ts';

export const ANNOTATION_ENV = 'sim.mwop.dev/env';
export const OWN_IMAGE_PREFIX = 'ghcr.io/mwop/';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string };
  };
}

export interface OutputParameter {
  name: string;
  valueFrom?: { path?: string; default?: string };
}

export interface HostRunResult {
  ok: boolean;
  message: string;
  outputs: { name: string; value: string }[];
}

export function runsOnHost(image: string | undefined): boolean {
  return image?.startsWith(OWN_IMAGE_PREFIX) ?? false;
}

async function resolveEnv(kube: SimKube, pod: Obj, vars: EnvVar[]): Promise<Record<string, string>> {
  const ns = pod.metadata.namespace as string;
  const env: Record<string, string> = {};
  const cache = new Map<string, Obj | undefined>();
  const lookup = async (kind: 'secrets' | 'configmaps', name: string) => {
    const key = `${kind}/${name}`;
    if (!cache.has(key)) cache.set(key, await kube.get(`/api/v1/namespaces/${ns}/${kind}/${name}`));
    return cache.get(key);
  };
  for (const v of vars) {
    if (v.value !== undefined) env[v.name] = v.value;
    const ref = v.valueFrom;
    if (!ref) continue;
    if (ref.secretKeyRef) {
      const s = await lookup('secrets', ref.secretKeyRef.name);
      const data = (s as { data?: Record<string, string> } | undefined)?.data?.[ref.secretKeyRef.key];
      if (data === undefined && !ref.secretKeyRef.optional) {
        throw new Error(
          `CreateContainerConfigError: secret "${ref.secretKeyRef.name}" key "${ref.secretKeyRef.key}" not found`,
        );
      }
      if (data !== undefined) env[v.name] = Buffer.from(data, 'base64').toString('utf8');
    } else if (ref.configMapKeyRef) {
      const c = await lookup('configmaps', ref.configMapKeyRef.name);
      const data = (c as { data?: Record<string, string> } | undefined)?.data?.[ref.configMapKeyRef.key];
      if (data === undefined && !ref.configMapKeyRef.optional) {
        throw new Error(
          `CreateContainerConfigError: configmap "${ref.configMapKeyRef.name}" key "${ref.configMapKeyRef.key}" not found`,
        );
      }
      if (data !== undefined) env[v.name] = data;
    } else if (ref.fieldRef) {
      const f = ref.fieldRef.fieldPath;
      env[v.name] = f === 'metadata.namespace' ? ns : f === 'metadata.name' ? pod.metadata.name : '';
    }
  }
  return env;
}

/** A kubeconfig file for the pod's ServiceAccount, as its projected token would give it. */
async function serviceAccountKubeconfig(kube: SimKube, pod: Obj, dir: string): Promise<string> {
  const sa = (pod.spec?.serviceAccountName as string | undefined) ?? 'default';
  const { config } = await kube.as(pod.metadata.namespace as string, sa);
  const path = join(dir, 'kubeconfig.yaml');
  writeFileSync(path, config.exportConfig(), { mode: 0o600 });
  return path;
}

/** mountPath -> hostPath of the bound PersistentVolume, for the main container's PVC mounts. */
async function hostMounts(kube: SimKube, pod: Obj): Promise<[string, string][]> {
  const ns = pod.metadata.namespace as string;
  type Container = { name: string; volumeMounts?: { name: string; mountPath: string }[] };
  const main = ((pod.spec?.containers ?? []) as Container[]).find((c) => c.name === 'main');
  const mounts: [string, string][] = [];
  for (const m of main?.volumeMounts ?? []) {
    const vol = (
      (pod.spec?.volumes ?? []) as { name: string; persistentVolumeClaim?: { claimName: string } }[]
    ).find((v) => v.name === m.name);
    const claim = vol?.persistentVolumeClaim?.claimName;
    if (!claim) continue;
    const pvc = await kube.get(`/api/v1/namespaces/${ns}/persistentvolumeclaims/${claim}`);
    const pv = pvc?.spec?.volumeName
      ? await kube.get(`/api/v1/persistentvolumes/${pvc.spec.volumeName}`)
      : undefined;
    const hostPath = pv?.spec?.hostPath?.path as string | undefined;
    if (!hostPath)
      throw new Error(`volume ${m.name}: claim ${claim} is not bound to a simulated hostPath volume`);
    mkdirSync(hostPath, { recursive: true }); // type DirectoryOrCreate, as the kubelet would
    mounts.push([m.mountPath, hostPath]);
  }
  return mounts;
}

function remap(text: string, pairs: [string, string][]): string {
  let out = text;
  for (const [from, to] of pairs) out = out.split(from).join(to);
  return out;
}

export async function runOnHost(
  kube: SimKube,
  pod: Obj,
  container: { command?: string[]; args?: string[] },
  outputs: OutputParameter[],
  binDirs: string[],
): Promise<HostRunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'mwop-sim-host-'));
  try {
    const main = ((pod.spec?.containers ?? []) as { name: string; env?: EnvVar[] }[]).find(
      (c) => c.name === 'main',
    );
    const env = await resolveEnv(kube, pod, main?.env ?? []);
    const nsObj = await kube.get(`/api/v1/namespaces/${pod.metadata.namespace}`);
    const overrides = nsObj?.metadata.annotations?.[ANNOTATION_ENV];
    if (overrides) Object.assign(env, JSON.parse(overrides) as Record<string, string>);
    // The pod's files land in this run's directory: output files and PVC mounts.
    const pairs: [string, string][] = await hostMounts(kube, pod);
    const outputFiles = outputs
      .filter((o) => o.valueFrom?.path)
      .map((o, i) => ({ o, hostPath: join(dir, `output-${i}`) }));
    for (const f of outputFiles) pairs.push([f.o.valueFrom?.path as string, f.hostPath]);
    for (const [k, v] of Object.entries(env)) env[k] = remap(v, pairs);
    const argv = [...(container.command ?? []), ...(container.args ?? [])].map((a) => remap(a, pairs));
    if (argv.length === 0) return { ok: false, message: 'the container has no command', outputs: [] };
    const kubeconfig = await serviceAccountKubeconfig(kube, pod, dir);
    const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
      const child = spawn(argv[0] as string, argv.slice(1), {
        cwd: dir,
        env: {
          PATH: [...binDirs, process.env.PATH ?? '/usr/bin:/bin'].join(':'),
          HOME: dir,
          ...env,
          KUBECONFIG: kubeconfig,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      // The tools print their result (or error) as a JSON line on stdout, details on stderr.
      const keep = (d: Buffer) => {
        err = (err + d.toString()).slice(-4096);
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      child.on('error', (e) => resolve({ code: 127, stderr: e.message }));
      child.on('close', (c) => resolve({ code: c ?? 1, stderr: err }));
    });
    const values = outputFiles.map((f) => ({
      name: f.o.name,
      value: existsSync(f.hostPath) ? readFileSync(f.hostPath, 'utf8') : (f.o.valueFrom?.default ?? ''),
    }));
    const lastLines = stderr.trim().split('\n').slice(-3).join('\n');
    return {
      ok: code === 0,
      message: code === 0 ? '' : `Error (exit code ${code}): ${lastLines}`,
      outputs: values,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
