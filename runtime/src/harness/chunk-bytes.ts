/**
 * Deterministic chunk contents (ours): every chunk's bytes are derived from its hash, so any later
 * read — from the CPU cache or from the remote — can be verified byte for byte without keeping a
 * copy. A 4 KiB block is generated from the hash and tiled; the tail is a prefix of the block.
 */
const BLOCK = 4096;

function block(hash: number): Uint8Array {
  const out = new Uint8Array(BLOCK);
  let x = (hash ^ (hash / 2 ** 32)) >>> 0 || 0x9e3779b9;
  for (let i = 0; i < BLOCK; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
    out[i + 1] = (x >>> 8) & 0xff;
    out[i + 2] = (x >>> 16) & 0xff;
    out[i + 3] = x >>> 24;
  }
  return out;
}

/** Fills `bytes` with the pattern of `hash`. */
export function fillChunk(bytes: Uint8Array, hash: number): void {
  const b = block(hash);
  for (let off = 0; off < bytes.length; off += BLOCK) bytes.set(b.subarray(0, Math.min(BLOCK, bytes.length - off)), off);
}

/** Whether `bytes` hold exactly the pattern of `hash`. */
export function verifyChunk(bytes: Uint8Array, hash: number): boolean {
  const b = Buffer.from(block(hash).buffer);
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let off = 0; off < view.length; off += BLOCK) {
    const n = Math.min(BLOCK, view.length - off);
    if (view.compare(b, 0, n, off, off + n) !== 0) return false;
  }
  return true;
}
