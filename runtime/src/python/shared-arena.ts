/**
 * The shared-memory file of one Python connector instance (ours), under `/dev/shm` where it
 * exists (memory, not disk). Python maps it (`mmap`) and wraps object slices without copying.
 * The file is unlinked as soon as Python has mapped it, so a crash leaves nothing behind.
 *
 * Two ways the engine's bytes reach it:
 * - **shared** — the native mapping (`native-mapping.ts`) maps the same file into Node and the
 *   engine allocator adopts it as its arena before its first allocation: one set of pages, no
 *   copy either way (as in LMCache, where connector and engine share one address space);
 * - **copied** — otherwise the arena stays an `ArrayBuffer` the file mirrors: Node writes an
 *   object's bytes at its arena offset before handing it to Python (`put`) and reads them back
 *   when Python returns one (`get`), exactly one copy each way by `pwrite`/`pread`.
 */
import { constants as bufferConstants } from "node:buffer";
import { closeSync, existsSync, ftruncateSync, openSync, readSync, statfsSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MemoryAllocator } from "../memory/allocator";
import type { MemoryObj } from "../memory/memory-obj";
import { nativeMapper } from "./native-mapping";

const MAX_LENGTH = bufferConstants.MAX_LENGTH;
let counter = 0;

function shmDir(): string {
  return existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
}

/** How an instance's payloads cross to Python, and why (for reports and the bench). */
export interface PayloadTransport {
  kind: "shared" | "copied";
  /** Why `copied` (empty for `shared`). */
  reason: string;
}

/**
 * Maps `fd` into Node and gives it to `allocator` as its arena; the reason when that cannot be.
 * Mapped pages of a file that no longer fit in its filesystem fault with SIGBUS instead of failing
 * a write with ENOSPC, so the whole arena must fit in the free space now.
 */
function shareArena(fd: number, dir: string, size: number, allocator: MemoryAllocator | null, env: NodeJS.ProcessEnv): string {
  if (!allocator || size === 0 || allocator.capacityBytes !== size) return "the backend has no allocator arena";
  if (size > MAX_LENGTH) return `the arena (${(size / 2 ** 30).toFixed(1)} GiB) is over Node's ${MAX_LENGTH / 2 ** 30} GiB limit for an external buffer`;
  const { mapper, reason } = nativeMapper(env);
  if (!mapper) return reason;
  try {
    const fs = statfsSync(dir);
    if (fs.bavail * fs.bsize < size) return `${dir} has less free space than the ${size}-byte arena`;
  } catch {
    /* no statfs here: the mapping is still the better bet */
  }
  let buffer: ArrayBuffer;
  try {
    buffer = mapper.map(fd, size);
  } catch (err) {
    return (err as Error).message;
  }
  return allocator.adoptArena(buffer) ? "" : "the allocator had allocated before the connector was created";
}

export class SharedArena {
  readonly path: string;
  readonly size: number;
  readonly transport: PayloadTransport;
  private fd: number | null;
  private linked = true;

  /** A file of `size` bytes; shared with `allocator`'s arena when the native mapping allows it. */
  constructor(size: number, allocator: MemoryAllocator | null = null, env: NodeJS.ProcessEnv = process.env) {
    this.size = size;
    const dir = shmDir();
    this.path = join(dir, `lmcache-kit-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 8)}`);
    this.fd = openSync(this.path, "w+", 0o600);
    ftruncateSync(this.fd, Math.max(size, 4096));
    const reason = shareArena(this.fd, dir, size, allocator, env);
    this.transport = { kind: reason === "" ? "shared" : "copied", reason };
  }

  /** True when Node and Python map the same pages (nothing to copy). */
  private get shared(): boolean {
    return this.transport.kind === "shared";
  }

  /** Removes the file's name (the mappings stay valid). */
  unlink(): void {
    if (!this.linked) return;
    this.linked = false;
    try {
      unlinkSync(this.path);
    } catch {
      /* already gone */
    }
  }

  /** True once {@link close} ran (the instance is gone; its objects can no longer reach Python). */
  get closed(): boolean {
    return this.fd === null;
  }

  private handle(): number {
    if (this.fd === null) throw new Error("the shared arena is closed");
    return this.fd;
  }

  /** Copies `obj`'s bytes (its logical size) to its arena offset in the file (nothing to do when shared). */
  writeFrom(obj: MemoryObj): void {
    if (this.shared) return;
    const bytes = obj.byteArray;
    let done = 0;
    while (done < bytes.length) done += writeSync(this.handle(), bytes, done, bytes.length - done, obj.meta.address + done);
  }

  /** Copies the file's bytes at `obj`'s arena offset into `obj` (nothing to do when shared). */
  readInto(obj: MemoryObj): void {
    if (this.shared) return;
    const bytes = obj.byteArray;
    let done = 0;
    while (done < bytes.length) {
      const n = readSync(this.handle(), bytes, done, bytes.length - done, obj.meta.address + done);
      if (n === 0) break;
      done += n;
    }
  }

  /**
   * Writes `length` bytes of `value` at `address` (the allocator's poison-on-free, mirrored; when
   * shared the allocator's own fill already reached Python, and the range may be in use again).
   */
  fill(address: number, length: number, value: number): void {
    if (this.shared || length <= 0) return;
    const pattern = Buffer.alloc(Math.min(length, 1 << 20), value);
    let done = 0;
    while (done < length) done += writeSync(this.handle(), pattern, 0, Math.min(pattern.length, length - done), address + done);
  }

  close(): void {
    this.unlink();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
