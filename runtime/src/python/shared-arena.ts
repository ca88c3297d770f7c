/**
 * The shared-memory file of one Python connector instance (ours). Node 20 cannot `mmap`, so the
 * engine's allocator arena stays an `ArrayBuffer` and this file mirrors it: Python maps the file
 * (`mmap`) and wraps object slices without copying; Node writes an object's bytes at its arena
 * offset before handing it to Python (`put`) and reads them back when Python returns one (`get`)
 * — exactly one copy each way, by `pwrite`/`pread` on the file (under `/dev/shm` where it exists:
 * memory, not disk). The file is unlinked as soon as Python has mapped it, so a crash leaves
 * nothing behind.
 */
import { closeSync, existsSync, ftruncateSync, openSync, readSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MemoryObj } from "../memory/memory-obj";

let counter = 0;

function shmDir(): string {
  return existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
}

export class SharedArena {
  readonly path: string;
  readonly size: number;
  private fd: number | null;
  private linked = true;

  constructor(size: number) {
    this.size = size;
    this.path = join(shmDir(), `lmcache-kit-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 8)}`);
    this.fd = openSync(this.path, "w+", 0o600);
    ftruncateSync(this.fd, Math.max(size, 4096));
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

  /** Copies `obj`'s bytes (its logical size) to its arena offset in the file. */
  writeFrom(obj: MemoryObj): void {
    const bytes = obj.byteArray;
    let done = 0;
    while (done < bytes.length) done += writeSync(this.handle(), bytes, done, bytes.length - done, obj.meta.address + done);
  }

  /** Copies the file's bytes at `obj`'s arena offset into `obj` (its logical size). */
  readInto(obj: MemoryObj): void {
    const bytes = obj.byteArray;
    let done = 0;
    while (done < bytes.length) {
      const n = readSync(this.handle(), bytes, done, bytes.length - done, obj.meta.address + done);
      if (n === 0) break;
      done += n;
    }
  }

  /** Writes `length` bytes of `value` at `address` (the allocator's poison-on-free, mirrored). */
  fill(address: number, length: number, value: number): void {
    if (length <= 0) return;
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
