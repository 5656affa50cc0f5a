// The HTJ2K codec of the emulator: OpenJPH compiled to WebAssembly (@cornerstonejs/codec-openjph), loaded
// once per process. Encoding and decoding go through src/core/htj2k.ts, which the frames viewer shares.
import type { OpenJphModule } from '../../src/core/htj2k';

type Factory = (options?: { print?: (text: string) => void; printErr?: (text: string) => void }) => Promise<OpenJphModule>;

let loading: Promise<OpenJphModule> | undefined;

/** The codec module (about 30 ms to load the first time). The decoder's own error output is not printed:
 *  decodeHtj2k reports errors itself. */
export function loadHtj2kCodec(): Promise<OpenJphModule> {
  if (!loading) {
    const factory = require('@cornerstonejs/codec-openjph') as Factory;
    loading = factory({ print: () => undefined, printErr: () => undefined });
    loading.catch(() => (loading = undefined));
  }
  return loading;
}
