/**
 * Blocking Redis commands for the synchronous half of the connector contract (`existsSync`, and
 * anything else LMCache calls without awaiting) — ours; LMCache's Python blocks on
 * `asyncio.run_coroutine_threadsafe(...).result()`, which Node cannot do on its one thread.
 *
 * A worker thread holds its own node-redis connection. The caller posts a command and sleeps in
 * `Atomics.wait` until the worker has posted the reply and bumped a shared counter; then it takes
 * the reply with `receiveMessageOnPort`. Every call waits at most `timeoutMs` (LMCache's would wait
 * forever on a dead server), and the worker never keeps the process alive.
 */
import { createRequire } from "node:module";
import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort } from "node:worker_threads";
import { RuntimeError, TimeoutError } from "../errors";

/**
 * What node-redis's `createClient` is given (plain data: it crosses into the worker). The
 * runtime's RedisConnector passes the fields it parsed as redis-py parses the URL; a generated
 * redis connector passes `url` (node-redis reads it, as its own async client does).
 */
export interface RedisClientOptions {
  url?: string;
  socket: { host?: string; port?: number; path?: string; tls?: boolean; connectTimeout?: number };
  username?: string;
  password?: string;
  database?: number;
}

// The worker (CommonJS, evaluated from this string). Replies carry the id they answer, so a late
// reply to a call that timed out is recognised and dropped.
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { createClient } = require(workerData.redisPath);
const { port, counter, options, label } = workerData;
const client = createClient({ ...options, socket: { ...options.socket, reconnectStrategy: (n) => (n >= 3 ? new Error("Redis at " + label + " is unreachable") : 100) } });
client.on("error", () => {});
const ready = client.connect();
ready.catch(() => {});
port.on("message", async ({ id, args }) => {
  let reply;
  try {
    await ready;
    reply = { id, value: await client.sendCommand(args) };
  } catch (error) {
    reply = { id, error: String((error && error.message) || error) };
  }
  port.postMessage(reply);
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
});
`;

interface Reply {
  id: number;
  value?: unknown;
  error?: string;
}

/** Where the `redis` package is (the worker loads the same copy); a clear error when it is missing. */
export function resolveRedisPackage(): string {
  try {
    return createRequire(__filename).resolve("redis");
  } catch {
    throw new RuntimeError("redis:// needs the 'redis' npm package (node-redis): npm install redis");
  }
}

/** A blocking client for one Redis server, backed by a worker thread. */
export class RedisSyncBridge {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  /** Replies posted so far; the caller sleeps until it changes. */
  private readonly counter = new Int32Array(new SharedArrayBuffer(4));
  private nextId = 0;
  private closed = false;

  /** `label` names the server in error texts (pass a redacted URL). */
  constructor(
    options: RedisClientOptions,
    private readonly label: string,
    /** How long one call may block. */
    readonly timeoutMs = 10_000,
  ) {
    const { port1, port2 } = new MessageChannel();
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { port: port2, counter: this.counter, options, label, redisPath: resolveRedisPackage() },
      transferList: [port2],
    });
    this.worker.unref();
    this.worker.on("error", () => undefined); // a dead worker shows as timeouts
    port1.unref();
    this.port = port1;
  }

  /** Sends one command (e.g. `["EXISTS", key]`) and returns the reply, blocking the thread. */
  call(args: string[]): unknown {
    if (this.closed) throw new RuntimeError("the Redis sync bridge is closed");
    const id = ++this.nextId;
    this.port.postMessage({ id, args });
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      // Read the counter BEFORE draining the port: a reply posted after the drain changes it, so
      // the wait returns at once instead of missing the wake-up.
      const seen = Atomics.load(this.counter, 0);
      let received: { message: Reply } | undefined;
      while ((received = receiveMessageOnPort(this.port) as { message: Reply } | undefined)) {
        if (received.message.id !== id) continue;
        const reply = received.message;
        if (reply.error !== undefined) throw new RuntimeError(`Redis ${args[0]} at ${this.label} failed: ${reply.error}`);
        return reply.value;
      }
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(this.counter, 0, seen, left) === "timed-out") {
        throw new TimeoutError(`Redis ${args[0]} at ${this.label} did not answer within ${this.timeoutMs} ms (synchronous call)`);
      }
    }
  }

  /** Stops the worker and its connection. A second call is harmless. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.port.close();
    await this.worker.terminate();
  }
}
