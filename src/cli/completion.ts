// Pure: shell completion scripts for bash and zsh, generated from the command tree so every
// subcommand (including ones other modules register) completes without editing this file.
// Instance, type and backup names are completed live with kubectl.

export interface CompletionNode {
  /** Space-separated path, '' for the root. */
  path: string;
  description: string;
  subcommands: { name: string; description: string }[];
  flags: { flag: string; description: string; takesValue: boolean }[];
  /** What each positional argument is: 'instance', 'type', 'backup' or 'other'. */
  args: string[];
}

export function argKind(argName: string): string {
  if (argName === 'name' || argName === 'instance') return 'instance';
  if (argName === 'type') return 'type';
  if (argName === 'backup') return 'backup';
  return 'other';
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
/** Shell arrays cannot have an empty key, so the root command is '_'. */
const key = (path: string) => q(path || '_');

function valueFlags(nodes: readonly CompletionNode[]): string[] {
  return [...new Set(nodes.flatMap((n) => n.flags.filter((f) => f.takesValue).map((f) => f.flag)))].sort();
}

/** The kubectl calls that list live names, shared by both shells. */
function liveLister(fn: string): string {
  return `${fn}() {
  local ns_args=()
  [[ -n "$__mw_ns" ]] && ns_args=(-n "$__mw_ns")
  case "$1" in
    instance) kubectl get middlewareinstances.mwop.dev "\${ns_args[@]}" -o jsonpath='{.items[*].metadata.name}' 2>/dev/null ;;
    backup) kubectl get middlewarebackups.mwop.dev "\${ns_args[@]}" -o jsonpath='{.items[*].metadata.name}' 2>/dev/null ;;
    type) kubectl get middlewaretypes.mwop.dev -o jsonpath='{.items[*].metadata.name}' 2>/dev/null ;;
    namespace) kubectl get namespaces -o jsonpath='{.items[*].metadata.name}' 2>/dev/null ;;
    context) kubectl config get-contexts -o name 2>/dev/null ;;
  esac
}`;
}

export function bashCompletion(nodes: readonly CompletionNode[], bin = 'kubectl-mw'): string {
  const subs = nodes.map((n) => `  [${key(n.path)}]=${q(n.subcommands.map((s) => s.name).join(' '))}`);
  const flags = nodes.map((n) => `  [${key(n.path)}]=${q(n.flags.map((f) => f.flag).join(' '))}`);
  const args = nodes.filter((n) => n.args.length > 0).map((n) => `  [${key(n.path)}]=${q(n.args.join(' '))}`);
  return `# bash completion for ${bin} (kubectl mw). Load it with:
#   source <(${bin} completion bash)
declare -gA __mw_subs=(
${subs.join('\n')}
)
declare -gA __mw_flags=(
${flags.join('\n')}
)
declare -gA __mw_args=(
${args.join('\n')}
)
__mw_value_flags=" ${valueFlags(nodes).join(' ')} "

${liveLister('__mw_live')}

_kubectl_mw() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local path="" i w nargs=0 skip=0
  __mw_ns=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$w" in
      -n|--namespace) __mw_ns="\${COMP_WORDS[i+1]}"; skip=1; continue ;;
      --namespace=*) __mw_ns="\${w#--namespace=}"; continue ;;
      -*) [[ "$__mw_value_flags" == *" $w "* ]] && skip=1; continue ;;
    esac
    if [[ " \${__mw_subs[\${path:-_}]} " == *" $w "* ]]; then
      path="\${path:+$path }$w"; nargs=0
    else
      ((nargs++))
    fi
  done
  case "$prev" in
    -n|--namespace) COMPREPLY=($(compgen -W "$(__mw_live namespace)" -- "$cur")); return ;;
    --context) COMPREPLY=($(compgen -W "$(__mw_live context)" -- "$cur")); return ;;
    --kubeconfig|-f|--filename) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  if [[ "$__mw_value_flags" == *" $prev "* ]]; then COMPREPLY=(); return; fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "\${__mw_flags[\${path:-_}]} \${__mw_flags[_]}" -- "$cur")); return
  fi
  if [[ -n "\${__mw_subs[\${path:-_}]}" ]]; then
    COMPREPLY=($(compgen -W "\${__mw_subs[\${path:-_}]}" -- "$cur")); return
  fi
  local kinds=(\${__mw_args[\${path:-_}]})
  local kind="\${kinds[$nargs]}"
  if [[ -n "$kind" && "$kind" != other ]]; then
    COMPREPLY=($(compgen -W "$(__mw_live "$kind")" -- "$cur"))
  fi
}
complete -F _kubectl_mw ${bin}
`;
}

export function zshCompletion(nodes: readonly CompletionNode[], bin = 'kubectl-mw'): string {
  const esc = (s: string) => s.replace(/:/g, '\\:');
  const subs = nodes.map(
    (n) =>
      `  ${key(n.path)} ${q(n.subcommands.map((s) => `${esc(s.name)}:${esc(s.description)}`).join('\n'))}`,
  );
  const flags = nodes.map(
    (n) => `  ${key(n.path)} ${q(n.flags.map((f) => `${esc(f.flag)}:${esc(f.description)}`).join('\n'))}`,
  );
  const args = nodes.filter((n) => n.args.length > 0).map((n) => `  ${key(n.path)} ${q(n.args.join(' '))}`);
  return `#compdef ${bin}
# zsh completion for ${bin} (kubectl mw). Load it with:
#   source <(${bin} completion zsh)
# or save it as _${bin} in a directory on $fpath.
typeset -gA __mw_subs __mw_flags __mw_args
__mw_subs=(
${subs.join('\n')}
)
__mw_flags=(
${flags.join('\n')}
)
__mw_args=(
${args.join('\n')}
)
__mw_value_flags=" ${valueFlags(nodes).join(' ')} "

${liveLister('__mw_live')}

_kubectl_mw() {
  local path="" w nargs=0 skip=0 i
  local -a items
  __mw_ns=""
  for ((i = 2; i < CURRENT; i++)); do
    w="\${words[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$w" in
      -n|--namespace) __mw_ns="\${words[i+1]}"; skip=1; continue ;;
      -*) [[ "$__mw_value_flags" == *" $w "* ]] && skip=1; continue ;;
    esac
    if [[ -n "\${__mw_subs[\${path:-_}]}" && $'\\n'"\${__mw_subs[\${path:-_}]}"$'\\n' == *$'\\n'"$w":* ]]; then
      path="\${path:+$path }$w"; nargs=0
    else
      ((nargs++))
    fi
  done
  local prev="\${words[CURRENT-1]}" cur="\${words[CURRENT]}"
  case "$prev" in
    -n|--namespace) items=(\${=$(__mw_live namespace)}); compadd -a items; return ;;
    --context) items=(\${(f)"$(__mw_live context)"}); compadd -a items; return ;;
    --kubeconfig|-f|--filename) _files; return ;;
  esac
  [[ "$__mw_value_flags" == *" $prev "* ]] && return
  if [[ "$cur" == -* ]]; then
    items=(\${(f)__mw_flags[\${path:-_}]} \${(f)__mw_flags[_]})
    _describe -t flags 'flag' items; return
  fi
  if [[ -n "\${__mw_subs[\${path:-_}]}" ]]; then
    items=(\${(f)__mw_subs[\${path:-_}]})
    _describe -t commands 'command' items; return
  fi
  local -a kinds=(\${=__mw_args[\${path:-_}]})
  local kind="\${kinds[nargs+1]}"
  if [[ -n "$kind" && "$kind" != other ]]; then
    items=(\${=$(__mw_live "$kind")}); compadd -a items
  fi
}
if [[ "\${funcstack[1]}" == "_${bin}" ]]; then _kubectl_mw "$@"; else compdef _kubectl_mw ${bin}; fi
`;
}

/** What to offer for the words typed so far (the last one is the partial word), cobra-style. */
export interface CompletionRequest {
  /** Subcommand path found in the words, e.g. 'backup create'. */
  path: string;
  /** 'flags', 'subcommands', a live kind ('instance', 'type', 'backup', 'namespace', 'context'), or 'none'. */
  offer: string;
  candidates: string[];
  /** -n given among the words, for listing live names there. */
  namespace?: string;
}

/** Pure: decides what `kubectl mw <words><TAB>` completes, from the command tree. */
export function completionRequest(
  nodes: readonly CompletionNode[],
  words: readonly string[],
): CompletionRequest {
  const byPath = new Map(nodes.map((n) => [n.path, n]));
  const valueFlags = new Set(valueFlagsOf(nodes));
  const typed = words.slice(0, -1);
  const cur = words[words.length - 1] ?? '';
  let path = '';
  let nargs = 0;
  let namespace: string | undefined;
  for (let i = 0; i < typed.length; i++) {
    const w = typed[i] as string;
    if (w === '-n' || w === '--namespace') {
      namespace = typed[i + 1];
      i++;
      continue;
    }
    if (w.startsWith('--namespace=')) {
      namespace = w.slice('--namespace='.length);
      continue;
    }
    if (w.startsWith('-')) {
      if (valueFlags.has(w)) i++;
      continue;
    }
    const node = byPath.get(path);
    if (node?.subcommands.some((s) => s.name === w)) {
      path = path ? `${path} ${w}` : w;
      nargs = 0;
    } else {
      nargs++;
    }
  }
  const node = byPath.get(path) as CompletionNode;
  const prev = typed[typed.length - 1];
  const base = { path, ...(namespace ? { namespace } : {}) };
  const filter = (xs: string[]) => xs.filter((x) => x.startsWith(cur));
  if (prev === '-n' || prev === '--namespace') return { ...base, offer: 'namespace', candidates: [] };
  if (prev === '--context') return { ...base, offer: 'context', candidates: [] };
  if (prev !== undefined && valueFlags.has(prev)) return { ...base, offer: 'none', candidates: [] };
  if (cur.startsWith('-')) {
    const root = byPath.get('') as CompletionNode;
    const flags = [...new Set([...node.flags, ...(path ? root.flags : [])].map((f) => f.flag))];
    return { ...base, offer: 'flags', candidates: filter(flags) };
  }
  if (node.subcommands.length > 0) {
    return { ...base, offer: 'subcommands', candidates: filter(node.subcommands.map((s) => s.name)) };
  }
  const kind = node.args[nargs];
  return { ...base, offer: kind && kind !== 'other' ? kind : 'none', candidates: [] };
}

function valueFlagsOf(nodes: readonly CompletionNode[]): string[] {
  return valueFlags(nodes);
}
