/**
 * Issue 10's probes straight through `startRunner` (the path the Testing view uses): each ends in
 * a failed case or a `runner-crashed` event naming the case in flight — a signal death is
 * `crashed`, never `cancelled` (which the Testing view shows as skipped) — and the runner's whole
 * process group is gone when `done` resolves. Also the parent's own bounds: an event line without
 * a newline is a protocol error at the cap, not unbounded memory.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRunner } from "../../src/runner/client";
import { LineSplitter } from "../../src/runner/line-splitter";
import { OutputCapture } from "../../src/runner/output-capture";
import type { RunnerEvent } from "../../src/runner/protocol";
import { crashText } from "../../src/runner/verdict";
import { alive, buildBundles, groupMembers, pool, PROBES, probeUrl } from "./bundles";
import { PROBE_LIST, TIMEOUT_MS } from "./cli-probes";

let bundles: Awaited<ReturnType<typeof buildBundles>>;
const outcomes = new Map<string, { events: RunnerEvent[]; pid: number; groupGone: boolean; ms: number }>();

/** Whether any process of group `pgid` is alive, after giving the kernel a moment to reap. */
async function groupAlive(pgid: number): Promise<boolean> {
  for (let i = 0; i < 20 && groupMembers(pgid).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
  return groupMembers(pgid).length > 0;
}

beforeAll(async () => {
  bundles = await buildBundles();
  await pool(
    4,
    PROBE_LIST.map((p) => async () => {
      const events: RunnerEvent[] = [];
      const started = Date.now();
      const handle = startRunner(
        { kind: "check", url: probeUrl(p.module), cwd: PROBES, options: { cases: p.cases.split(","), timeoutMs: TIMEOUT_MS, seed: 7, ...(p.strict ? { strict: p.strict.split(",") } : {}) } },
        { onEvent: (e) => events.push(e), runnerPath: bundles.runner, hangMs: 2000, env: { ...process.env, ...p.env } },
      );
      await handle.done;
      outcomes.set(p.module, { events, pid: handle.pid!, groupGone: !(await groupAlive(handle.pid!)), ms: Date.now() - started });
    }),
  );
}, 240_000);
afterAll(() => bundles?.dispose());

describe.each(PROBE_LIST.map((p) => [p.module, p] as const))("runner on the %s probe", (_name, probe) => {
  it("fails or crashes naming the cause and the case, and leaves no process behind", () => {
    const o = outcomes.get(probe.module)!;
    const crash = o.events.find((e) => e.type === "runner-crashed");
    const failed = o.events.filter((e) => e.type === "case-finished" && e.status === "failed");
    const text = JSON.stringify(o.events) + (crash?.type === "runner-crashed" ? crashText(crash) : "");
    if (probe.code === 3) {
      expect(crash, text.slice(-800)).toBeDefined();
      if (crash?.type === "runner-crashed") {
        expect(crash.reason).not.toBe("cancelled");
        if (probe.failedCase) expect(crash.caseId).toBe(probe.failedCase);
      }
    } else {
      expect(crash).toBeUndefined();
      expect(failed.map((e) => (e.type === "case-finished" ? e.id : ""))).toContain(probe.failedCase);
    }
    expect(text.replace(/\\"/g, '"').replace(/\\n/g, "\n")).toMatch(probe.cause);
    expect(o.ms).toBeLessThan(probe.withinMs);
    expect(alive(o.pid)).toBe(false);
    expect(o.groupGone).toBe(true);
  });
});

describe("signal deaths are crashes, not cancels", () => {
  it("SIGSEGV and heap exhaustion are reported as crashed with the signal", () => {
    for (const module of ["sigsegv", "heap_exhaustion"]) {
      const crash = outcomes.get(module)!.events.find((e) => e.type === "runner-crashed");
      expect(crash?.type === "runner-crashed" && crash.reason).toBe("crashed");
      expect(crash?.type === "runner-crashed" && crash.signal).toMatch(/^SIG(SEGV|ABRT|TRAP)$/);
    }
  });
});

describe("the parent's buffering is bounded and linear", () => {
  it("splits lines across chunks and refuses a line over the cap without holding it", () => {
    const lines: string[] = [];
    let overflow = 0;
    const splitter = new LineSplitter(1024, (l) => lines.push(l), (n) => (overflow = n));
    splitter.push(Buffer.from('{"a":1}\n{"b"'));
    splitter.push(Buffer.from(':2}\n'));
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
    for (let i = 0; i < 100; i++) splitter.push(Buffer.alloc(100, 0x61));
    expect(overflow).toBeGreaterThan(1024);
    expect(splitter.unfinishedBytes).toBe(0); // nothing kept after the overflow
    splitter.push(Buffer.from("x\n"));
    expect(lines).toHaveLength(2);
  });

  it("80 MB of output without a newline keeps only head and tail, and says how much was dropped", () => {
    const cap = new OutputCapture(4096, 4096);
    const chunk = Buffer.alloc(64 * 1024, 0x62);
    chunk.write("HEAD", 0);
    cap.write(chunk);
    for (let i = 1; i < 1280; i++) cap.write(Buffer.alloc(64 * 1024, 0x62));
    cap.write(Buffer.from("TAIL"));
    const text = cap.text();
    expect(text.startsWith("HEAD")).toBe(true);
    expect(text.endsWith("TAIL")).toBe(true);
    expect(cap.total).toBe(1280 * 64 * 1024 + 4);
    expect(text).toContain(`[${cap.total - 8192} bytes of output dropped]`);
    expect(text.length).toBeLessThan(8300);
  });
});
