/**
 * Reading a user-named text file safely (ours): regular files only and a size cap, decided on the
 * opened file itself (`fstat` of the descriptor), so a FIFO cannot hang the kit, a symlink to
 * `/dev/zero` cannot grow its memory, and a file swapped after a check is still caught.
 * Used for the files `lint` reads and for LMCache config files (`--config`, `LMCACHE_CONFIG_FILE`).
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { PythonError } from "../errors";

/** The largest text file the kit reads: 8 MiB (an LMCache config or a connector source is far smaller). */
export const MAX_TEXT_FILE_BYTES = 8 * 1024 * 1024;

/** Why a path was not read: `error.name` is `OSError` (Python's family for such failures), the message says why (ours). */
export class UnreadableFileError extends PythonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("OSError", message, options);
  }
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  if (st.isDirectory()) return "a directory";
  return "not a regular file";
}

function mib(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * The UTF-8 text of the regular file at `path`, at most `maxBytes` (default {@link MAX_TEXT_FILE_BYTES}).
 * Opens with `O_NONBLOCK` (opening a FIFO for reading would otherwise wait for a writer), then
 * checks the descriptor: anything but a regular file, or a file over the cap (also one that grows
 * past it while read), → {@link UnreadableFileError} naming the path and the reason. Errors of
 * `open` itself (ENOENT, EACCES, …) propagate unchanged, so callers keep their own messages.
 */
export function readRegularTextFile(path: string, maxBytes: number = MAX_TEXT_FILE_BYTES): string {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UnreadableFileError(`Refusing to read '${path}': ${kindOf(st)}, not a regular file`);
    if (st.size > maxBytes) throw new UnreadableFileError(`Refusing to read '${path}': ${mib(st.size)}, over the ${mib(maxBytes)} limit for text files`);
    // read to the cap + 1, whatever fstat said: the file may grow (or lie, as /proc files do)
    const buf = Buffer.allocUnsafe(Math.min(maxBytes + 1, Math.max(st.size, 64 * 1024)));
    let chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw new UnreadableFileError(`Refusing to read '${path}': it grew past the ${mib(maxBytes)} limit for text files while being read`);
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    const text = Buffer.concat(chunks, total).toString("utf8");
    chunks = [];
    return text;
  } finally {
    closeSync(fd);
  }
}
