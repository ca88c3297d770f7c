/**
 * A person debugging a connector pauses it at a breakpoint; that is not a failure (ours). Under a
 * debugger (the Node inspector: VSCODE_INSPECTOR_OPTIONS, as js-debug sets it; or the Python
 * bridge under debugpy: LMCACHE_KIT_DEBUGPY) the CLI applies no hang/case limits and the engine
 * lifts its case timeouts and call deadlines. The probes hold their first get() for a while —
 * the TS one the whole runner thread (no heartbeat, as when paused), the Python one the bridge's
 * loop (Node keeps running) — under deadlines far shorter than the pause.
 */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { underDebugger } from "../../src/cli/runner-session";
import { stopBridges } from "../../src/python/host";
import { buildBundles, probeUrl } from "./bundles";
import { runCli } from "./cli-probes";

let bundles: Awaited<ReturnType<typeof buildBundles>>;
beforeAll(async () => {
  bundles = await buildBundles();
}, 60_000);
afterAll(async () => {
  bundles?.dispose();
  await stopBridges();
});

const DEBUGGER = { VSCODE_INSPECTOR_OPTIONS: JSON.stringify({ inspectorIpc: "/nonexistent" }) };
const PY_DIR = path.resolve(__dirname, "../fixtures/python/debugging");
const PY_URL = "external://host:0/paused_get/?connector_name=PausedGet";

describe("a pause at a breakpoint", () => {
  it("debugging is the Node inspector or the Python bridge under debugpy", () => {
    expect(underDebugger({})).toBe(false);
    expect(underDebugger(DEBUGGER)).toBe(true);
    expect(underDebugger({ LMCACHE_KIT_DEBUGPY: "0" })).toBe(true);
  });

  it("of the TS runner (no heartbeat for 3 s) is a hang without a debugger and nothing with one", async () => {
    const args = ["check", probeUrl("pauses_in_get"), "--cases", "roundtrip.4kib", "--timeout-ms", "400"];
    const plain = await runCli(bundles.cli, args);
    expect(plain.code, plain.stdout + plain.stderr).toBe(3);
    expect(plain.stdout + plain.stderr).toMatch(/event loop was blocked for more than 2000 ms/);

    const debugged = await runCli(bundles.cli, args, DEBUGGER);
    expect(debugged.code, debugged.stdout + debugged.stderr).toBe(0);
    expect(debugged.stdout).toMatch(/PASS\s+roundtrip\.4kib/);
  }, 60_000);

  it("of a Python coroutine (1.5 s) fails its call deadline without a debugger and nothing with one", async () => {
    const args = ["check", PY_URL, "--cwd", PY_DIR, "--python", "/usr/bin/python3", "--cases", "roundtrip.4kib", "--timeout-ms", "400"];
    const plain = await runCli(bundles.cli, args);
    expect(plain.code, plain.stdout + plain.stderr).toBe(1);
    expect(plain.stdout).toMatch(/get\(\) did not settle within 200 ms/);

    const debugged = await runCli(bundles.cli, args, DEBUGGER);
    expect(debugged.code, debugged.stdout + debugged.stderr).toBe(0);
    expect(debugged.stdout).toMatch(/PASS\s+roundtrip\.4kib/);
  }, 60_000);
});
