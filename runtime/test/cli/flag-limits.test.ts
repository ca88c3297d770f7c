import { describe, expect, it } from "vitest";
import { integerFlag, MAX_TIMER_MS, parseArgs, UsageError } from "../../src/cli/argv";
import { main } from "../../src/cli/main";
import { replayPathProblem } from "../../src/conformance/replay-path";
import { benchCpuBufferBytes, checkCpuBuffer } from "../../src/cli/flag-limits";
import { runConformance } from "../../src/conformance/engine";

async function cli(args: string[]) {
  let out = "";
  let err = "";
  const started = Date.now();
  const code = await main(args, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), isTTY: false, cwd: process.cwd(), env: {} });
  return { code, out, err, ms: Date.now() - started };
}

describe("integerFlag with a maximum", () => {
  it("accepts the bound and refuses one past it, naming the bound and why", () => {
    const at = (v: string) => integerFlag(parseArgs(["--timeout-ms", v], { values: ["timeout-ms"] }), "timeout-ms", 1, MAX_TIMER_MS, "Node's longest timer");
    expect(at(String(MAX_TIMER_MS))).toBe(2147483647);
    expect(() => at(String(MAX_TIMER_MS + 1))).toThrow(UsageError);
    expect(() => at("2147483648")).toThrow("--timeout-ms must be at most 2147483647 (Node's longest timer), got '2147483648'");
  });
});

describe("absurd flag values are usage errors (exit 2), before anything runs", () => {
  const cases: [string, string[], RegExp][] = [
    ["check --timeout-ms past Node's timer limit", ["check", "memory://", "--timeout-ms", "2147483648"], /--timeout-ms must be at most 2147483647/],
    ["check --timeout-ms far past it", ["check", "memory://", "--timeout-ms", "99999999999999"], /--timeout-ms must be/],
    ["check --seed past 32 bits", ["check", "memory://", "--seed", String(2 ** 40)], /--seed must be at most 2147483647 \(a 32-bit seed\)/],
    ["check --replay far past the runs", ["check", "memory://", "--replay", "999999999:1"], /--replay: a replay path starts with the index of a generated sequence, below 100, got 999999999/],
    ["check --replay not a path", ["check", "memory://", "--replay", "1:x"], /--replay: a replay path is numbers separated by ':'/],
    ["run --requests", ["run", "memory://", "--requests", "1000000000"], /--requests must be at most 100000/],
    ["run --seed", ["run", "memory://", "--seed", String(2 ** 40)], /--seed must be at most 4294967295/],
    ["run --max-run-ms", ["run", "memory://", "--max-run-ms", "2147483648"], /--max-run-ms must be at most 2147483647/],
    ["run --chunk-size", ["run", "memory://", "--chunk-size", "1000000000"], /--chunk-size must be/],
    ["bench --rounds", ["bench", "memory://", "--rounds", "1000000000000"], /--rounds must be at most 1000000/],
    ["bench --keys", ["bench", "memory://", "--keys", "1000000000"], /--keys must be/],
    ["bench --payload-bytes", ["bench", "memory://", "--payload-bytes", "1000000000000"], /--payload-bytes must be at most 268435456 \(256 MiB\)/],
    ["bench --inflight", ["bench", "memory://", "--inflight", "1000000"], /--inflight must be/],
    ["bench --max-run-ms", ["bench", "memory://", "--max-run-ms", "2147483648"], /--max-run-ms must be/],
    ["run --max-local-cpu-size past the machine's memory", ["run", "memory://", "--max-local-cpu-size", "100000"], /--max-local-cpu-size 100000 needs a 100000\.0 GiB CPU buffer/],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const r = await cli(args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.out).toBe("");
    });
  }
});

describe("CPU buffers past the machine's memory", () => {
  it("bench's payload × in-flight buffer is checked against the memory (here a 16 GiB machine)", () => {
    expect(benchCpuBufferBytes(1 << 20, 8)).toBe(64 << 20);
    expect(benchCpuBufferBytes(256 << 20, 256)).toBe((256 << 20) * 1032);
    expect(() => checkCpuBuffer(benchCpuBufferBytes(256 << 20, 256), "--payload-bytes 268435456 with --inflight 256", 16 * 1024 ** 3)).toThrow(
      "--payload-bytes 268435456 with --inflight 256 needs a 258.0 GiB CPU buffer, more than this machine's 16.0 GiB of memory",
    );
    expect(() => checkCpuBuffer(benchCpuBufferBytes(1 << 20, 8), "defaults", 16 * 1024 ** 3)).not.toThrow();
  });
});

describe("--replay paths are bounded", () => {
  it("replayPathProblem accepts what fast-check prints and refuses what would spin", () => {
    expect(replayPathProblem("12:0:3")).toBeNull();
    expect(replayPathProblem("99")).toBeNull();
    expect(replayPathProblem("100")).toMatch(/below 100/);
    expect(replayPathProblem("1:" + "0:".repeat(1000) + "0")).toMatch(/at most 1000 shrink steps/);
    expect(replayPathProblem("1:10001")).toMatch(/at most 10000/);
    expect(replayPathProblem("")).toMatch(/numbers separated/);
    expect(replayPathProblem("1::2")).toMatch(/numbers separated/);
  });

  it("the engine fails the differential case at once on such a path instead of spinning", async () => {
    const started = Date.now();
    const run = await runConformance({ url: "memory://", cwd: process.cwd(), seed: 1, cases: ["differential.*"], replayPath: "999999999:1" });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(run.results).toHaveLength(1);
    expect(run.results[0]!.status).toBe("failed");
    expect(run.results[0]!.message).toMatch(/below 100, got 999999999/);
  });
});
