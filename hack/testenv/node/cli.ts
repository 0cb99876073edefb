// The real node (docs/real-node.md), for a control plane started by hack/testenv/cli.ts. Root only.
//   node hack/testenv/node/cli.ts up   --run-dir DIR [--node-dir NDIR] [--images redis,mariadb]
//                                       start containerd, CoreDNS (when built), kubelet, kube-proxy;
//                                       import the local images (pause + the list; built if missing);
//                                       print the exports (CONTAINERD_ADDRESS, MWOP_NODE_DIR)
//   node hack/testenv/node/cli.ts down --run-dir DIR [--node-dir NDIR]  delete the node's pods, stop
//                                       kubelet and containerd, remove mounts, netns, bridge, rules
// NDIR defaults to DIR-node. Run `down` here before `hack/testenv/cli.ts down`.
import { defaultNodeDir, readNodeState, startNode, stopNode } from './node.ts';

function arg(rest: string[], name: string): string | undefined {
  const i = rest.indexOf(name);
  return i >= 0 ? rest[i + 1] : undefined;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const runDir = arg(rest, '--run-dir');
  if (!runDir || (cmd !== 'up' && cmd !== 'down')) {
    process.stderr.write(
      'usage: node hack/testenv/node/cli.ts up|down --run-dir DIR [--node-dir NDIR] [--images a,b]\n',
    );
    return 2;
  }
  const nodeDir = arg(rest, '--node-dir') ?? defaultNodeDir(runDir);
  const say = (s: string) => process.stderr.write(`node: ${s}\n`);
  if (cmd === 'up') {
    const images = arg(rest, '--images')?.split(',').filter(Boolean);
    const state = await startNode({ controlPlaneRunDir: runDir, nodeDir, log: say, images });
    say(
      `containerd ${state.containerdReadyMs} ms, images ${state.imagesImportedMs} ms, Node Ready ${state.nodeReadyMs} ms (from the start)`,
    );
    say(
      `logs: ${nodeDir}/containerd.log ${nodeDir}/kubelet.log; stop with: node hack/testenv/node/cli.ts down --run-dir ${runDir}`,
    );
    process.stdout.write(
      `export CONTAINERD_ADDRESS=${state.containerdSocket}\nexport CONTAINERD_NAMESPACE=k8s.io\nexport MWOP_NODE_DIR=${nodeDir}\n`,
    );
    return 0;
  }
  const had = readNodeState(nodeDir) !== undefined;
  await stopNode(nodeDir, say);
  say(had ? `stopped; removed ${nodeDir}` : `no node state in ${nodeDir}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`node: ${err.message}\n`);
    process.exit(1);
  },
);
