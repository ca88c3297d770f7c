/** Shared test helpers: golden answers, tree reading, a redis-server. */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { freeLoopbackPort } from "../../test/support/free-port.js";
import type { PartialAnswers } from "../src/render/index.js";

/** The answers each golden tree is generated from (one per template and language). */
export const GOLDEN_ANSWERS: Record<string, PartialAnswers> = {
  memory: { name: "acme-store", template: "memory" },
  fs: { name: "acme-files", className: "AcmeFileStore", template: "fs", capabilities: ["batched", "removeSync"], loading: "plugin" },
  redis: { name: "@acme/redis-store", template: "redis", capabilities: ["batched", "ping", "removeSync"], ci: true },
  "python-memory": { language: "python", name: "acme-store", template: "memory", capabilities: ["ping"] },
  "python-fs": { language: "python", name: "acme-files", className: "AcmeFileStore", template: "fs", capabilities: ["batched", "removeSync"], loading: "plugin", ci: false },
  "python-redis": { language: "python", name: "acme-redis-store", template: "redis", capabilities: ["batched", "ping", "removeSync"], ci: true },
};

/** Every file under `dir` as relative POSIX path → bytes (sorted). */
export function readTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (sub: string): void => {
    for (const name of readdirSync(path.join(dir, sub)).sort()) {
      const rel = sub ? `${sub}/${name}` : name;
      if (statSync(path.join(dir, rel)).isDirectory()) walk(rel);
      else out.set(rel, readFileSync(path.join(dir, rel)));
    }
  };
  walk("");
  return out;
}

/** Starts `redis-server` on a free loopback port without persistence; resolves once it accepts connections. */
export async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freeLoopbackPort();
  const child: ChildProcess = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (error?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.off("exit", onEarlyExit);
      if (error) reject(error);
      else resolve();
    };
    const onEarlyExit = (code: number | null): void => settle(new Error(`redis-server exited with ${code}:\n${output}`));
    const timer = setTimeout(() => settle(new Error(`redis-server did not start:\n${output}`)), 10_000);
    child.once("error", (error) => settle(error));
    child.once("exit", onEarlyExit);
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) settle();
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
