// @cornerstonejs/codec-openjph ships no types: its module exports the Emscripten factory of the OpenJPH build.
declare module '@cornerstonejs/codec-openjph' {
  const factory: (options?: {
    /** The .wasm bytes: given, nothing is fetched (the page has no network access). */
    wasmBinary?: ArrayBuffer | Uint8Array;
    print?: (text: string) => void;
    printErr?: (text: string) => void;
  }) => Promise<unknown>;
  export default factory;
}
