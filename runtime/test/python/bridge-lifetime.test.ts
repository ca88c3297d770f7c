import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// The bridge process never outlives the process that started it (the CLI, or the runner child).
const BROKEN = join(__dirname, "..", "fixtures", "python", "broken");
const url = (module: string, className: string) => `external://host:0/${module}/?connector_name=${className}`;

describe("the bridge never outlives its parent", () => {
  it("dies with the process that started it, even when that one is SIGKILLed", async () => {
    const bin = join(__dirname, "..", "..", "bin", "lmcache-connector.js");
    const cli = spawn(process.execPath, [bin, "check", url("hangs_in_get", "HangsInGet"), "--cwd", BROKEN, "--python", "/usr/bin/python3", "--cases", "deadline.*", "--timeout-ms", "60000"], {
      stdio: "ignore",
    });
    try {
      const { pid, parent } = await waitForBridge(cli.pid!);
      process.kill(parent, "SIGKILL"); // the CLI itself, or the runner child it started
      await waitUntil(() => !alive(pid), 5000);
      expect(alive(pid)).toBe(false);
    } finally {
      cli.kill("SIGKILL");
    }
  }, 30_000);
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(ok: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!ok() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
}

/** The bridge under `pid` (its child, or grandchild via the runner) and the bridge's parent. */
async function waitForBridge(pid: number): Promise<{ pid: number; parent: number }> {
  const { readdirSync, readFileSync } = await import("node:fs");
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8");
        if (!cmd.includes("lmcache_connector_kit.bridge")) continue;
        const ppid = Number(readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);
        const gppid = Number(readFileSync(`/proc/${ppid}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);
        if (ppid === pid || gppid === pid) return { pid: Number(entry), parent: ppid };
      } catch {
        /* raced with an exit */
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("no bridge process appeared under the CLI");
}
