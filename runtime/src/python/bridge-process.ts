/**
 * The Python bridge process, seen from Node (ours). Started with the chosen interpreter as a
 * child of the process that loads a Python connector (the runner, or the CLI in-process): same
 * process group, so whatever kills the runner kills it; it also exits when its channel closes and,
 * on Linux, when its parent dies (`PR_SET_PDEATHSIG`).
 *
 * Two channels (see `lmcache_connector_kit/bridge.py`):
 * - fd 3, a socket: frames for `open`, coroutine `call`s and the replies to Python's callbacks,
 *   read by Node's event loop;
 * - two FIFOs for synchronous methods: Node writes the call and then blocks (`Atomics.wait` in
 *   short sleeps between non-blocking reads) until the answer comes or the deadline passes, while
 *   answering Python's callbacks (an `allocate` from `exists_sync`) on the same pair.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BridgeError, PythonException, type PythonExceptionInfo } from "./errors";
import { encodeFrame, FrameParser, type Frame } from "./frames";
import { type PythonInterpreter, PythonSetupError, INSTALL_HINT } from "./interpreter";
import { kitPythonDir } from "./kit-python-dir";

/** `--lmcache`: which `lmcache` package the connector runs against. */
export type LmcacheMode = "installed" | "kit" | "auto";

/** What the bridge reports once it runs: the report header names these. */
export interface BridgeHello {
  pid: number;
  python: { executable: string; version: string };
  torch: string;
  lmcache: { source: "installed" | "kit"; version: string; path: string };
}

/** Answers a callback from Python (`allocate`); throwing sends the error back to Python. */
export type CallbackHandler = (frame: Frame) => unknown;

// Imports the bridge, then takes the kit's folder off sys.path again: `import lmcache` must find
// an installed LMCache first (bridge.select_lmcache adds the kit's package when asked or needed).
const BOOTSTRAP =
  "import sys\np = sys.argv[1]\nsys.path.insert(0, p)\nimport lmcache_connector_kit.bridge as b\n" +
  "sys.path[:] = [e for e in sys.path if e != p]\nb.main(sys.argv[2:])";

/** Default deadline of one synchronous call (ours; `LMCACHE_KIT_SYNC_DEADLINE_MS` overrides). */
export const SYNC_DEADLINE_MS = 2000;
/** How often the loop watchdog samples the asyncio thread while calls are pending. */
const LOOP_SAMPLE_MS = 500;
/** Busy samples in a row that stop the bridge (about 2.5 s of a loop that never yields). */
const LOOP_BUSY_SAMPLES = 5;
/** How long one watchdog sample may block Node (the answer normally takes well under 1 ms). */
const LOOP_SAMPLE_DEADLINE_MS = 200;

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** The first naps of a synchronous call's wait: most answers come within a few hundred µs. */
const SHORT_NAP_MS = 0.01;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  what: string;
  withTraceback: boolean;
}

export class BridgeProcess {
  readonly hello: BridgeHello;
  readonly interpreter: PythonInterpreter;
  onCallback: CallbackHandler = () => {
    throw new Error("no callback handler");
  };
  onEvents: (events: [number, string][]) => void = () => undefined;
  private readonly child: ChildProcess;
  private readonly socket: Socket;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead: string | null = null;
  private readonly syncReqFd: number;
  private readonly syncRespFd: number;
  private readonly syncParser = new FrameParser();
  private readonly syncBuffer = Buffer.allocUnsafe(64 * 1024);
  private readonly syncBacklog: Frame[] = [];
  private asyncParser: FrameParser | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private busySamples = 0;
  /** Under debugpy (`LMCACHE_KIT_DEBUGPY`) a thread paused on a breakpoint is not a busy loop: no loop watchdog. */
  private readonly debugging: boolean;

  private constructor(init: { child: ChildProcess; socket: Socket; hello: BridgeHello; interpreter: PythonInterpreter; syncReqFd: number; syncRespFd: number; debugging: boolean }) {
    this.child = init.child;
    this.socket = init.socket;
    this.hello = init.hello;
    this.interpreter = init.interpreter;
    this.syncReqFd = init.syncReqFd;
    this.syncRespFd = init.syncRespFd;
    this.debugging = init.debugging;
  }

  /** Starts a bridge and waits for its hello (Python and torch start take about 1.5 s). */
  static start(opts: { interpreter: PythonInterpreter; lmcache: LmcacheMode; cwd: string; env?: NodeJS.ProcessEnv; helloTimeoutMs?: number }): Promise<BridgeProcess> {
    const dir = mkdtempSync(join(tmpdir(), "lmcache-kit-bridge-"));
    const syncReq = join(dir, "sync-req");
    const syncResp = join(dir, "sync-resp");
    execFileSync("mkfifo", ["-m", "600", syncReq, syncResp]);
    // Read-write / non-blocking opens never block on a FIFO, so neither side waits for the other.
    const syncReqFd = openSync(syncReq, constants.O_RDWR);
    const syncRespFd = openSync(syncResp, constants.O_RDONLY | constants.O_NONBLOCK);
    const env = { ...(opts.env ?? process.env) };
    env["PYTHONUNBUFFERED"] = "1";
    env["LMCACHE_LOG_LEVEL"] ??= "WARNING"; // LMCache logs INFO per connector; the reports say what matters
    env["PYTHONPYCACHEPREFIX"] ??= join(tmpdir(), "lmcache-kit-pycache");
    const kitDir = kitPythonDir();
    const args = ["-c", BOOTSTRAP, kitDir, "--fd", "3", "--sync-req", syncReq, "--sync-resp", syncResp, "--lmcache", opts.lmcache, "--kit-path", kitDir];
    const child = spawn(opts.interpreter.path, args, { cwd: opts.cwd, env, stdio: ["ignore", "inherit", "inherit", "pipe"] });
    const socket = child.stdio[3] as Socket;
    const cleanupFifos = (): void => rmSync(dir, { recursive: true, force: true });
    return new Promise<BridgeProcess>((resolve, reject) => {
      const parser = new FrameParser();
      let settled = false;
      const fail = (message: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        cleanupFifos();
        closeSync(syncReqFd);
        closeSync(syncRespFd);
        child.kill("SIGKILL");
        reject(new PythonSetupError(message));
      };
      const timeoutMs = opts.helloTimeoutMs ?? 60_000;
      const timer = setTimeout(() => fail(`${opts.interpreter.path} did not start the kit's Python bridge within ${timeoutMs} ms`), timeoutMs);
      child.once("error", (err) => fail(`${opts.interpreter.path} could not be started: ${err.message}. ${INSTALL_HINT}`));
      child.once("exit", (code, signal) => fail(`the kit's Python bridge (${opts.interpreter.path}) exited during start-up (${signal ?? `code ${code}`})`));
      const onData = (chunk: Buffer): void => {
        let frames: Frame[];
        try {
          frames = parser.push(chunk);
        } catch (err) {
          fail((err as Error).message);
          return;
        }
        for (const frame of frames) {
          if (frame.t === "fatal") {
            const hint = frame["kind"] === "lmcache" || frame["kind"] === "no-debugpy" ? "" : ` ${INSTALL_HINT}`;
            fail(`${opts.interpreter.path}: ${String(frame["message"])}.${hint}`);
            return;
          }
          if (frame.t === "hello" && !settled) {
            settled = true;
            clearTimeout(timer);
            socket.off("data", onData);
            child.removeAllListeners("exit");
            child.removeAllListeners("error");
            cleanupFifos(); // both ends are open now; the names are no longer needed
            const bridge = new BridgeProcess({ child, socket, hello: frame as unknown as BridgeHello, interpreter: opts.interpreter, syncReqFd, syncRespFd, debugging: Boolean(env["LMCACHE_KIT_DEBUGPY"]) });
            bridge.attach(parser);
            resolve(bridge);
            return;
          }
        }
      };
      socket.on("data", onData);
    });
  }

  private attach(parser: FrameParser): void {
    this.asyncParser = parser;
    this.socket.on("data", (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = parser.push(chunk);
      } catch (err) {
        this.markDead(`the Python bridge sent a bad frame: ${(err as Error).message}`);
        return;
      }
      for (const frame of frames) this.handleAsync(frame);
    });
    this.socket.on("error", () => undefined);
    this.child.on("exit", (code, signal) => {
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      this.markDead(`the Python bridge (pid ${this.child.pid}) ${how}`);
    });
    this.idle();
  }

  /** True until the process exits or a channel breaks. */
  get alive(): boolean {
    return this.dead === null;
  }

  private markDead(reason: string): void {
    if (this.dead !== null) return;
    this.dead = reason;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(new BridgeError(`${reason} while ${p.what} was in flight`));
    }
    try {
      closeSync(this.syncReqFd);
      closeSync(this.syncRespFd);
    } catch {
      /* closed already */
    }
  }

  // Node must not stay alive for an idle bridge, and must not exit while a call is pending.
  private busy(): void {
    this.socket.ref();
    if (!this.watchdog && !this.debugging) {
      this.watchdog = setInterval(() => this.sampleLoop(), LOOP_SAMPLE_MS);
      this.watchdog.unref();
    }
  }

  private idle(): void {
    if (this.pending.size === 0) {
      this.socket.unref();
      this.child.unref();
      if (this.watchdog) clearInterval(this.watchdog);
      this.watchdog = null;
      this.busySamples = 0;
    }
  }

  /**
   * The loop watchdog (ours): while calls are pending, sample where the asyncio loop thread is.
   * A coroutine that never yields (a busy loop, a blocking call) stalls every later call of every
   * instance; after {@link LOOP_BUSY_SAMPLES} busy samples in a row the bridge is stopped, and the
   * calls in flight fail naming the Python frame that held the loop. The next load starts afresh.
   */
  private sampleLoop(): void {
    if (this.dead !== null) return;
    let where: { idle: boolean; frames: [string, number, string][] };
    try {
      // answered by Python's caller thread, which is free while only coroutines are pending
      where = this.callSync({ t: "stack" }, "the loop watchdog", LOOP_SAMPLE_DEADLINE_MS, { stopOnTimeout: false }) as typeof where;
    } catch {
      return;
    }
    if (where.idle) {
      this.busySamples = 0;
      return;
    }
    if (++this.busySamples < LOOP_BUSY_SAMPLES) return;
    const [file, line, fn] = where.frames.at(-1) ?? ["?", 0, "?"];
    this.stop(`the connector's event loop thread was busy for ${(LOOP_BUSY_SAMPLES * LOOP_SAMPLE_MS) / 1000} s in ${fn} (${file}:${line}) — a busy loop or blocking call inside a coroutine; the Python bridge was stopped`);
  }

  /** Stops the process, failing whatever is in flight with `reason`. */
  private stop(reason: string): void {
    this.markDead(reason);
    this.child.kill("SIGKILL");
  }

  private handleAsync(frame: Frame): void {
    if (Array.isArray(frame["ev"])) this.onEvents(frame["ev"] as [number, string][]);
    if (frame.t === "result") {
      const p = this.pending.get(frame.id!);
      if (!p) return;
      this.pending.delete(frame.id!);
      this.idle();
      if (frame["ok"]) p.resolve(frame["value"]);
      else p.reject(new PythonException(frame["error"] as PythonExceptionInfo, { withTraceback: p.withTraceback }));
    } else if (frame.t === "cb") {
      this.socket.write(encodeFrame(this.answer(frame)));
    }
  }

  private answer(frame: Frame): object {
    try {
      return { t: "reply", id: frame.id, ok: true, value: this.onCallback(frame) ?? null };
    } catch (err) {
      const e = err as Error;
      return { t: "reply", id: frame.id, ok: false, error: { type: e?.name ?? "RuntimeError", message: e?.message ?? String(err) } };
    }
  }

  /**
   * Sends `frame` (an `open` or `call`) and resolves to Python's value; a Python exception
   * rejects as {@link PythonException} (with the traceback in the message when `withTraceback`).
   */
  request(frame: Omit<Frame, "id">, what: string, opts: { withTraceback?: boolean } = {}): Promise<unknown> {
    if (this.dead !== null) return Promise.reject(new BridgeError(`${this.dead}; cannot run ${what}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, what, withTraceback: opts.withTraceback ?? false });
      this.busy();
      this.socket.write(encodeFrame({ ...frame, id }));
    });
  }

  /** Sends a frame that needs no answer (`drop`). */
  notify(frame: Frame): void {
    if (this.dead === null) this.socket.write(encodeFrame(frame));
  }

  /**
   * Runs a synchronous method in one of Python's caller threads and blocks until it answers.
   * Past `deadlineMs` throws a `TimeoutError` naming the method (the Python thread is left running;
   * its late answer is discarded).
   */
  callSync(frame: Omit<Frame, "id">, what: string, deadlineMs: number, opts: { stopOnTimeout?: boolean } = {}): unknown {
    if (this.dead !== null) throw new BridgeError(`${this.dead}; cannot run ${what}`);
    const id = this.nextId++;
    this.writeSync(encodeFrame({ ...frame, id }));
    const started = performance.now();
    const until = started + deadlineMs;
    let nap = SHORT_NAP_MS;
    for (;;) {
      while (this.syncBacklog.length > 0) {
        const reply = this.syncBacklog.shift()!;
        if (Array.isArray(reply["ev"])) this.onEvents(reply["ev"] as [number, string][]);
        if (reply.t === "cb") this.writeSync(encodeFrame(this.answer(reply)));
        else if (reply.t === "result" && reply.id === id) {
          if (reply["ok"]) return reply["value"];
          throw new PythonException(reply["error"] as PythonExceptionInfo, { withTraceback: true });
        }
      }
      let n = -1;
      try {
        n = readSync(this.syncRespFd, this.syncBuffer, 0, this.syncBuffer.length, null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EAGAIN") {
          this.markDead(`the Python bridge's sync channel failed (${(err as Error).message})`);
          throw new BridgeError(`${this.dead} while ${what} was in flight`);
        }
      }
      if (n === 0) {
        this.markDead(`the Python bridge (pid ${this.child.pid}) exited`);
        throw new BridgeError(`${this.dead} while ${what} was in flight`);
      }
      if (n > 0) {
        this.syncBacklog.push(...this.syncParser.push(Buffer.from(this.syncBuffer.subarray(0, n))));
        continue;
      }
      if (this.serveSocketWhileBlocked()) continue;
      if (performance.now() > until) {
        // Python cannot stop a thread: the only way to end the call is to end the process.
        if (opts.stopOnTimeout ?? true) this.stop(`${what} did not return within ${deadlineMs} ms; the Python bridge was stopped`);
        const error = new Error(`${what} did not return within ${deadlineMs} ms (the Python bridge was stopped; the next load starts a new one)`);
        error.name = "TimeoutError";
        throw error;
      }
      Atomics.wait(sleeper, 0, 0, nap);
      // short naps while a fast answer is likely, then back off to 1 ms
      if (performance.now() - started > 2) nap = Math.min(nap * 2, 1);
    }
  }

  /**
   * While Node blocks in a synchronous call, the asyncio loop may be waiting for Node too — a
   * coroutine's `allocate` — and a caller-thread method may be waiting for that coroutine (an
   * `exists_sync` that does `run_coroutine_threadsafe(...).result()`, as LMCache connectors do).
   * So the socket is served here as well: its descriptor is read without the event loop (which is
   * not running), through the same parser; callbacks are answered at once, results settle their
   * promises. True when something was read.
   */
  private serveSocketWhileBlocked(): boolean {
    const fd = (this.socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
    if (fd === undefined || fd < 0 || this.asyncParser === null) return false;
    let n: number;
    try {
      n = readSync(fd, this.syncBuffer, 0, this.syncBuffer.length, null);
    } catch {
      return false; // EAGAIN: nothing there
    }
    if (n <= 0) return false;
    for (const frame of this.asyncParser.push(Buffer.from(this.syncBuffer.subarray(0, n)))) {
      if (frame.t === "cb" && this.socket.writableLength === 0) {
        const answer = encodeFrame(this.answer(frame));
        let done = 0;
        while (done < answer.length) done += writeSync(fd, answer, done, answer.length - done);
      } else {
        this.handleAsync(frame);
      }
    }
    return true;
  }

  private writeSync(buffer: Buffer): void {
    let done = 0;
    while (done < buffer.length) done += writeSync(this.syncReqFd, buffer, done, buffer.length - done);
  }

  /** Ends the process (the run is over, or it misbehaved). */
  kill(): void {
    this.stop("the Python bridge was stopped");
  }
}
