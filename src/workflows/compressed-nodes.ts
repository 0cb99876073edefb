// Argo compresses a large status.nodes into status.compressedNodes: base64 of gzip of the JSON.
import { gunzipSync, gzipSync } from 'node:zlib';
import type { NodeStatus, WorkflowStatus } from './argo-types.ts';

export function decodeCompressedNodes(encoded: string): Record<string, NodeStatus> {
  let json: string;
  try {
    json = gunzipSync(Buffer.from(encoded, 'base64')).toString('utf8');
  } catch (err) {
    throw new Error(
      `status.compressedNodes: not base64 of gzip (${(err as Error).message}); accepted: what Argo writes, base64(gzip(JSON of status.nodes))`,
    );
  }
  const parsed = JSON.parse(json) as unknown;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(
      `status.compressedNodes: decodes to ${Array.isArray(parsed) ? 'an array' : typeof parsed}; accepted: an object of nodes by id`,
    );
  }
  return parsed as Record<string, NodeStatus>;
}

/** For tests and tools: what Argo would write. */
export function encodeCompressedNodes(nodes: Record<string, NodeStatus>): string {
  return gzipSync(Buffer.from(JSON.stringify(nodes))).toString('base64');
}

/** The nodes, whichever way the controller stored them. */
export function nodesOf(status: WorkflowStatus | undefined): Record<string, NodeStatus> {
  if (!status) return {};
  if (status.nodes && Object.keys(status.nodes).length > 0) return status.nodes;
  if (status.compressedNodes) return decodeCompressedNodes(status.compressedNodes);
  return {};
}
