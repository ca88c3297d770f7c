/**
 * Frames of the Python bridge's channels (ours): a little-endian u32 byte length, then a UTF-8
 * JSON header (call id, method, key fields, object ids). Payload bytes never travel in a frame —
 * they live in the connector instance's shared-memory file — so a header stays a few hundred
 * bytes. Mirrors `runtime/python/lmcache_connector_kit/frames.py`.
 */

/** A frame's decoded header. */
export type Frame = { t: string; id?: number; [field: string]: unknown };

/** Largest header accepted (as in frames.py). */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** `message` as one frame. */
export function encodeFrame(message: object): Buffer {
  const body = Buffer.from(JSON.stringify(message), "utf8");
  const out = Buffer.allocUnsafe(4 + body.length);
  out.writeUInt32LE(body.length, 0);
  body.copy(out, 4);
  return out;
}

/** Reassembles frames from chunks of a byte stream. */
export class FrameParser {
  private buffer: Buffer = Buffer.alloc(0);

  /** Adds bytes; returns the frames completed by them, in order. */
  push(chunk: Buffer): Frame[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: Frame[] = [];
    for (;;) {
      if (this.buffer.length < 4) break;
      const length = this.buffer.readUInt32LE(0);
      if (length > MAX_FRAME_BYTES) throw new Error(`the Python bridge sent a ${length}-byte frame header (limit ${MAX_FRAME_BYTES})`);
      if (this.buffer.length < 4 + length) break;
      frames.push(JSON.parse(this.buffer.toString("utf8", 4, 4 + length)) as Frame);
      this.buffer = this.buffer.subarray(4 + length);
    }
    if (this.buffer.length === 0) this.buffer = Buffer.alloc(0);
    return frames;
  }
}
