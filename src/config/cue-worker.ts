// A worker thread of CueEvaluator (cue-evaluator.ts): its own cue-wasm runtime, one toJSON (or,
// for a schema's field catalog, toOpenAPI) call per message, answered with the JSON text or CUE's
// error text.
import { parentPort } from 'node:worker_threads';
import { CueError, cueRuntime } from './cue-runtime.ts';

const cue = await cueRuntime();
parentPort!.on('message', ({ id, source, op }: { id: number; source: string; op?: 'openapi' }) => {
  try {
    parentPort!.postMessage({ id, json: op === 'openapi' ? cue.toOpenAPI(source) : cue.toJSON(source) });
  } catch (err) {
    // Anything cue-wasm throws is CUE's verdict (cue-runtime.ts); anything else ends the worker.
    if (!(err instanceof CueError)) throw err;
    parentPort!.postMessage({ id, error: err.message });
  }
});
parentPort!.postMessage({ ready: true });
