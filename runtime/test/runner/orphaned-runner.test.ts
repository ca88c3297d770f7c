/**
 * Issue 10: the run never outlives its supervisor. When the CLI itself is SIGKILLed (nothing of
 * it runs any more), the runner it started and everything in the runner's process group end on
 * the runner's next heartbeat instead of hanging on a never-settling connector call for ever.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { alive, buildBundles, probeUrl, processesTagged, PROBES, survivors } from "./bundles";
import { TAG } from "./cli-probes";

let bundles: Awaited<ReturnType<typeof buildBundles>>;
beforeAll(async () => {
  bundles = await buildBundles();
}, 120_000);
afterAll(() => bundles?.dispose());

it("a SIGKILLed CLI leaves no runner and no connector child behind", { timeout: 30_000 }, async () => {
  const tag = randomUUID();
  // get() starts a helper and never settles; the per-call deadline is far away: only the orphan check can end the group.
  const cli = spawn(process.execPath, [bundles.cli, "check", probeUrl("hangs_with_child"), "--cases", "roundtrip.4kib", "--timeout-ms", "600000"], {
    cwd: PROBES,
    env: { ...process.env, [TAG]: tag },
    stdio: "ignore",
  });
  // Wait until the runner (a process carrying the marker other than the CLI) is up.
  const deadline = Date.now() + 15_000;
  let others: number[] = [];
  while (Date.now() < deadline) {
    others = processesTagged(TAG, tag).filter((pid) => pid !== cli.pid);
    if (others.length > 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(others.length, "the runner never started").toBeGreaterThan(0);
  await new Promise((r) => setTimeout(r, 500)); // let the job reach the hanging get()
  cli.kill("SIGKILL");
  const left = await survivors(TAG, tag, 5_000);
  expect(left, `still running after the CLI was killed: ${left.join(", ")}`).toEqual([]);
  for (const pid of others) expect(alive(pid)).toBe(false);
});
