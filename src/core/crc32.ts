// CRC-32 (IEEE 802.3, as zlib computes it): HealthImaging's image frame checksum
// (`PixelDataChecksumFromBaseToFullResolution`). Shared by the emulator, which writes the checksums,
// and the frames viewer, which checks decoded pixels against them. Pure: a table and a loop.

const TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** The CRC-32 of `bytes` as an unsigned 32-bit number (zlib's `crc32`). */
export function crc32(bytes: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
