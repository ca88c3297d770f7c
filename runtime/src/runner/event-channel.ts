/**
 * The runner's side of the event channel (ours): each event is written synchronously, whole, to
 * file descriptor 3. Synchronous, so an event is in the pipe before the next line of connector code
 * runs — a connector that then kills the process (`process.reallyExit`, a signal) cannot lose it.
 * `JSON.stringify` and `fs.writeSync` are captured when this module loads, before any connector
 * code, so a connector that patches them changes nothing here.
 */
import * as fs from "node:fs";
import { EVENT_FD, type RunnerEvent } from "./protocol";

const stringify = JSON.stringify;
const writeSync = fs.writeSync;
const fstatSync = fs.fstatSync;

/** Writes events to the channel. */
export interface EventChannel {
  /** Sends one event. An event the kit cannot serialise becomes a `job-error` blaming the kit. */
  emit(event: RunnerEvent): void;
}

/** Whether fd 3 is open (the runner was started by `startRunner`). */
export function eventChannelOpen(): boolean {
  try {
    fstatSync(EVENT_FD);
    return true;
  } catch {
    return false;
  }
}

function writeAll(fd: number, data: Buffer): void {
  let off = 0;
  while (off < data.length) {
    try {
      off += writeSync(fd, data, off, data.length - off);
    } catch (err) {
      // A non-blocking pipe that is full: wait for the parent to read, then go on.
      if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

/** The channel on fd 3. */
export function openEventChannel(): EventChannel {
  const emit = (event: RunnerEvent): void => {
    let line: string;
    try {
      line = stringify(event) + "\n";
    } catch (err) {
      // The kit's own failure (e.g. a result holding a BigInt or a cycle): say so, blame nobody else.
      const message = `the runner could not serialise its '${event.type}' event: ${(err as Error)?.message ?? String(err)}`;
      line = stringify({ v: 1, type: "job-error", runId: event.runId, blame: "kit", errorName: "SerializationError", message }) + "\n";
    }
    try {
      writeAll(EVENT_FD, Buffer.from(line, "utf8"));
    } catch {
      // The parent is gone: nothing left to tell.
    }
  };
  return { emit };
}
