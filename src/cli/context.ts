// What every subcommand needs from the root options: a REST client for the chosen kubeconfig and
// context, the namespace (-n, else the context's namespace, else "default"), and output streams.
import type { Command } from 'commander';
import { KubeRest } from '../kube/rest.ts';
import { loadKubeConfig } from '../operator/kubeconfig.ts';
import { CliError } from './errors.ts';

export interface RootOptions {
  namespace?: string;
  context?: string;
  kubeconfig?: string;
}

export interface Output {
  write(text: string): void;
  isTTY: boolean;
}

export interface CliContext {
  rest: KubeRest;
  namespace: string;
  /** True when -n was given explicitly (list -A ignores the default namespace, not an explicit one). */
  namespaceExplicit: boolean;
  contextName: string;
  user: string;
  /** Namespaces the kubeconfig names (its contexts and -n): where `-A` looks when it cannot list namespaces. */
  kubeconfigNamespaces: string[];
  out: Output;
  err: Output;
}

export function rootOptions(cmd: Command): RootOptions {
  return cmd.optsWithGlobals<RootOptions>();
}

export function stdout(): Output {
  return { write: (t) => void process.stdout.write(t), isTTY: Boolean(process.stdout.isTTY) };
}

export function stderr(): Output {
  return { write: (t) => void process.stderr.write(t), isTTY: Boolean(process.stderr.isTTY) };
}

/** Builds the client; kubeconfig problems become errors that say which flag to fix. */
export function cliContext(cmd: Command): CliContext {
  const opts = rootOptions(cmd);
  let kc: ReturnType<typeof loadKubeConfig>;
  try {
    kc = loadKubeConfig({
      ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
      ...(opts.context ? { context: opts.context } : {}),
    });
  } catch (err) {
    throw new CliError(
      (err as Error).message,
      'pass --kubeconfig <file> or set $KUBECONFIG; `kubectl config get-contexts` lists the contexts',
    );
  }
  const contextName = kc.getCurrentContext();
  const ctxObj = contextName ? kc.getContextObject(contextName) : null;
  if (!kc.getCurrentCluster()) {
    throw new CliError(
      'the kubeconfig has no current cluster',
      'pass --kubeconfig <file> or --context <name>; `kubectl config get-contexts` lists the contexts',
    );
  }
  const namespace = opts.namespace ?? ctxObj?.namespace ?? 'default';
  return {
    rest: new KubeRest(kc),
    namespace,
    namespaceExplicit: opts.namespace !== undefined,
    contextName: contextName ?? '',
    user: kc.getCurrentUser()?.name ?? '',
    kubeconfigNamespaces: [namespace, ...kc.getContexts().map((c) => c.namespace ?? '')].filter(
      (n) => n !== '',
    ),
    out: stdout(),
    err: stderr(),
  };
}
