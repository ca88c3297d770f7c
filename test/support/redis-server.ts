/** Test support: a throw-away `redis-server` on a free loopback port (no persistence). */
import { spawn, type ChildProcess } from "node:child_process";
import { freeLoopbackPort } from "./free-port";

export interface RedisServer {
  port: number;
  url: string;
  stop(): Promise<void>;
}

/** Starts `redis-server --port <free> --bind 127.0.0.1`; resolves once it accepts connections. */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freeLoopbackPort();
  const child: ChildProcess = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`redis-server did not start:\n${output}`)), 10_000);
    const onExit = (code: number | null): void => done(new Error(`redis-server exited with ${code}:\n${output}`));
    function done(error?: Error): void {
      clearTimeout(timer);
      child.off("exit", onExit);
      if (error) reject(error);
      else resolve();
    }
    child.once("error", (error) => done(error));
    child.once("exit", onExit);
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) done();
    });
  });
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
