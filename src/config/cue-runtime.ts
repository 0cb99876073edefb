// The CUE runtime (cue-wasm, CUE v0.4.3 compiled to WebAssembly). Loading it costs about 1.7 s and
// 150 MB, so it is loaded once per process, on first use, and shared by every caller.
import * as cueWasm from 'cue-wasm';

export interface CueRuntime {
  /** Evaluates CUE source to JSON text; throws the CUE error text when it does not evaluate. */
  toJSON(source: string): string;
  /** The OpenAPI 3.0 document of the definitions in source (JSON text). */
  toOpenAPI(source: string): string;
}

let loading: Promise<CueRuntime> | undefined;

/** The process-wide runtime. Concurrent first callers share one load. */
export function cueRuntime(): Promise<CueRuntime> {
  loading ??= cueWasm.init().then(
    (cue): CueRuntime => ({
      toJSON: (source) => call(() => cue.toJSON(source)),
      toOpenAPI: (source) => call(() => cue.toOpenAPI(source)),
    }),
    (err: unknown) => {
      loading = undefined;
      throw new Error(`cannot load the CUE runtime (cue-wasm): ${(err as Error).message ?? String(err)}`);
    },
  );
  return loading;
}

/** Whether this thread has started loading its own runtime (a process with CUE workers need not). */
export function cueRuntimeLoaded(): boolean {
  return loading !== undefined;
}

/** cue-wasm throws the Go error text as a bare string; turn it into a CueError. */
function call(fn: () => string): string {
  try {
    return fn();
  } catch (err) {
    throw new CueError(typeof err === 'string' ? err : ((err as Error).message ?? String(err)));
  }
}

export class CueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CueError';
  }
}
