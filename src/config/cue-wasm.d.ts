// cue-wasm ships JavaScript only. Its one export loads the WebAssembly CUE runtime.
declare module 'cue-wasm' {
  export function init(): Promise<{
    toJSON(source: string): string;
    toOpenAPI(source: string): string;
    parse(source: string): unknown;
  }>;
}
