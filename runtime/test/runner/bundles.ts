/**
 * Test helpers for the runner and the CLI (ours): bundles `cli.js` and `runner.js` from the
 * current sources into one temporary directory under runtime/ (so `esbuild`, kept external,
 * resolves from the workspace's node_modules), and finds processes left behind by a run.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { build, type BuildOptions } from "esbuild";

/** Where the misbehaving probe connectors live. */
export const PROBES = path.resolve(__dirname, "../fixtures/misbehaving");

/** Builds the CLI and the runner; returns their paths and a cleanup. */
export async function buildBundles(): Promise<{ dir: string; cli: string; runner: string; dispose(): void }> {
  const dir = mkdtempSync(path.join(__dirname, ".bundles-"));
  const common: BuildOptions = { bundle: true, platform: "node", target: "node20", format: "cjs", sourcemap: true, external: ["esbuild", "esbuild-wasm", "typescript"], logLevel: "error" };
  const src = path.resolve(__dirname, "../../src");
  await Promise.all([
    build({ ...common, entryPoints: [path.join(src, "cli/main.ts")], outfile: path.join(dir, "cli-lib.js") }),
    build({ ...common, entryPoints: [path.join(src, "runner/runner-main.ts")], outfile: path.join(dir, "runner.js") }),
  ]);
  // The bin script, as runtime/bin/lmcache-connector.js, next to the bundles (the CLI finds runner.js beside itself).
  const cli = path.join(dir, "cli.js");
  writeFileSync(cli, readFileSync(path.resolve(__dirname, "../../bin/lmcache-connector.js"), "utf8").replace("../dist/cli.js", "./cli-lib.js"));
  return { dir, cli, runner: path.join(dir, "runner.js"), dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The URL of probe `module` (class name = the file's exported class). */
export function probeUrl(module: string): string {
  const source = readFileSync(path.join(PROBES, `${module}.ts`), "utf8");
  const cls = /export class (\w+)/.exec(source)![1];
  return `external://host:0/${module}/?connector_name=${cls}`;
}

/** Pids of live processes whose environment carries `TAG=value` (the run's marker). */
export function processesTagged(tag: string, value: string): number[] {
  const needle = `${tag}=${value}`;
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, "latin1").split("\0");
      if (!env.includes(needle)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, "latin1");
      if (/\) Z /.test(stat)) continue; // a zombie is gone, only not yet reaped
      found.push(Number(entry));
    } catch {
      /* gone meanwhile, or not ours */
    }
  }
  return found;
}

/** Whether `pid` is a live process (a zombie is dead, only not yet reaped). */
export function alive(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, "latin1"));
  } catch {
    return false;
  }
}

/** Live (non-zombie) members of process group `pgid`. */
export function groupMembers(pgid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "latin1");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] !== "Z" && Number(fields[2]) === pgid) found.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return found;
}

/** Waits until no process carries the marker (or `ms` passed); returns the survivors. */
export async function survivors(tag: string, value: string, ms = 1500): Promise<number[]> {
  const end = Date.now() + ms;
  for (;;) {
    const live = processesTagged(tag, value);
    if (live.length === 0 || Date.now() > end) return live;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs `tasks` with at most `limit` at a time. */
export async function pool<T>(limit: number, tasks: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
