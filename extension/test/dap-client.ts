/**
 * A minimal Debug Adapter Protocol client for tests: what VS Code does when it is handed a
 * `DebugAdapterServer` (connect, `Content-Length` framed JSON both ways, requests with `seq`,
 * responses by `request_seq`, events). Used to drive the real debugpy adapter the kit's Python
 * bridge listens on, as the editor does.
 */
import * as net from "node:net";

export interface DapMessage {
  type: "request" | "response" | "event";
  seq: number;
  command?: string;
  event?: string;
  request_seq?: number;
  success?: boolean;
  message?: string;
  body?: Record<string, unknown>;
}

export class DapClient {
  private readonly socket: net.Socket;
  private buffer = Buffer.alloc(0);
  private seq = 1;
  private readonly waiting = new Map<number, (m: DapMessage) => void>();
  private readonly eventWaiters: { name: string; resolve: (m: DapMessage) => void }[] = [];
  /** Every event received, in order. */
  readonly events: DapMessage[] = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on("data", (chunk) => this.onData(chunk));
  }

  static connect(port: number, host = "127.0.0.1"): Promise<DapClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host, () => resolve(new DapClient(socket)));
      socket.once("error", reject);
    });
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf("\r\n\r\n");
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString("ascii"))?.[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const message = JSON.parse(this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString("utf8")) as DapMessage;
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      if (message.type === "response") this.waiting.get(message.request_seq!)?.(message);
      else if (message.type === "event") {
        this.events.push(message);
        for (const w of this.eventWaiters.filter((x) => x.name === message.event)) {
          this.eventWaiters.splice(this.eventWaiters.indexOf(w), 1);
          w.resolve(message);
        }
      }
    }
  }

  /** Sends a request; resolves with its response (rejects when it failed). */
  request(command: string, args: Record<string, unknown> = {}): Promise<DapMessage> {
    const seq = this.seq++;
    const json = Buffer.from(JSON.stringify({ type: "request", seq, command, arguments: args }), "utf8");
    this.socket.write(Buffer.concat([Buffer.from(`Content-Length: ${json.length}\r\n\r\n`, "ascii"), json]));
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, (m) => {
        this.waiting.delete(seq);
        if (m.success) resolve(m);
        else reject(new Error(`${command} failed: ${m.message ?? JSON.stringify(m.body)}`));
      });
    });
  }

  /** The next event named `name` (one already received and not yet waited for counts). */
  nextEvent(name: string, after = 0): Promise<DapMessage> {
    const seen = this.events.slice(after).find((e) => e.event === name);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.eventWaiters.push({ name, resolve }));
  }

  close(): void {
    this.socket.destroy();
  }
}
