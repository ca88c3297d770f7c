/**
 * Issue 10's misbehaving connectors through the CLI, in all three report formats: every probe
 * gets a failing (exit 1) or crashed (exit 3) verdict that names its cause, the report parses,
 * the CLI ends within the deadline plus a margin, and no process the run started survives
 * (found by the marker in their environment, so grandchildren count too).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alive, buildBundles, pool, probeUrl, survivors } from "./bundles";
import { PROBE_LIST, runCli, TAG, TIMEOUT_MS, type CliRun, type Probe } from "./cli-probes";

const FORMATS = ["text", "json", "junit"] as const;
type Format = (typeof FORMATS)[number];

let bundles: Awaited<ReturnType<typeof buildBundles>>;
const runs = new Map<string, CliRun>();
let pidDir: string;

beforeAll(async () => {
  bundles = await buildBundles();
  pidDir = mkdtempSync(path.join(tmpdir(), "lmc-probe-pids-"));
  const tasks = PROBE_LIST.flatMap((p) =>
    FORMATS.map((format) => async () => {
      const env = { ...p.env, PROBE_PID_FILE: path.join(pidDir, `${p.module}-${format}`) };
      runs.set(`${p.module}/${format}`, await runCli(bundles.cli, ["check", probeUrl(p.module), "--cases", p.cases, "--timeout-ms", String(TIMEOUT_MS), "--seed", "7", "--format", format, ...(p.strict ? ["--strict-cases", p.strict] : [])], env));
    }),
  );
  await pool(4, tasks);
}, 240_000);
afterAll(() => {
  bundles?.dispose();
  if (pidDir) rmSync(pidDir, { recursive: true, force: true });
});

/** Checks the report of one format parses and carries the verdict; returns its searchable text. */
function parsedReport(format: Format, run: CliRun, probe: Probe): string {
  if (format === "json") {
    const report = JSON.parse(run.stdout) as { summary: { failed: number }; cases: Array<{ id: string; status: string; message: string | null }>; crash?: { caseId?: string } };
    expect(report.summary.failed + (report.crash ? 1 : 0)).toBeGreaterThan(0);
    if (probe.failedCase) expect(report.cases.find((c) => c.id === probe.failedCase)?.status).toBe("failed");
    if (probe.code === 3) expect(report.crash).toBeDefined();
  } else if (format === "junit") {
    expect(run.stdout.startsWith("<?xml")).toBe(true);
    expect(run.stdout.trimEnd().endsWith("</testsuites>")).toBe(true);
    // Every element that opens closes: a cheap well-formedness check of the structure we emit.
    const opened = (run.stdout.match(/<testcase\b[^>]*[^/]>/g) ?? []).length;
    expect((run.stdout.match(/<\/testcase>/g) ?? []).length).toBe(opened);
    if (probe.failedCase) expect(run.stdout).toMatch(new RegExp(`name="${probe.failedCase.replace(".", "\\.")}"[^>]*><(failure|error) `));
  } else {
    expect(run.stdout).toMatch(probe.code === 3 ? /^CRASHED: /m : /^FAILED: /m);
    if (probe.failedCase) expect(run.stdout).toContain(`✗ ${probe.failedCase}`);
  }
  return run.stdout + run.stderr;
}

describe.each(PROBE_LIST.map((p) => [p.module, p] as const))("check on the %s probe", (_name, probe) => {
  it.each(FORMATS)("--format %s: a failing or crashed verdict naming the cause, a parsable report, no survivors", async (format) => {
    const run = runs.get(`${probe.module}/${format}`)!;
    expect({ code: run.code, stderr: run.stderr.slice(-600) }).toMatchObject({ code: probe.code });
    const text = parsedReport(format, run, probe);
    // JUnit escapes quotes and brackets; the causes are plain enough to read there too.
    expect(format === "junit" ? text.replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&") : text).toMatch(probe.cause);
    expect(run.ms).toBeLessThan(probe.withinMs);
    expect(await survivors(TAG, run.tag)).toEqual([]);
  });
});

describe("probe specifics", () => {
  it("console spam is shown, bounded, under the failing case, and says how much was dropped", () => {
    const json = JSON.parse(runs.get("console_spam/json")!.stdout) as { cases: Array<{ id: string; output?: { stdout?: string } }>; output?: { stdout?: string } };
    const out = json.cases.find((c) => c.id === "roundtrip.4kib")!.output!.stdout!;
    expect(out).toMatch(/^0 spam/);
    expect(out).toMatch(/\[\d+ bytes of output dropped\]/);
    expect(out.length).toBeLessThan(10_000);
    // The last bytes may arrive after the case ended (two pipes, no common order): then they are
    // shown as output outside any case — but shown.
    expect(out + (json.output?.stdout ?? "")).toContain("SPAM-TAIL-MARKER");
    expect(runs.get("console_spam/text")!.stdout).toMatch(/connector stdout:\n\s+\| 0 spam/);
  });

  it("forged event lines on fd 1 are only output: the run still has every case, none counted as the forgery says", () => {
    const json = JSON.parse(runs.get("raw_fd1_forged/json")!.stdout) as { summary: { passed: number; failed: number }; cases: unknown[]; crash?: unknown };
    expect(json.summary.passed).not.toBe(99);
    expect(json.cases).toHaveLength(2);
    expect(json.crash).toBeUndefined();
  });

  it("a connector patching JSON.stringify, console, stdout and Promise.race cannot change the report", () => {
    const json = JSON.parse(runs.get("patched_globals/json")!.stdout) as { summary: { failed: number }; cases: Array<{ status: string }> };
    expect(json.summary.failed).toBe(1);
    expect(json.cases).toHaveLength(1);
  });

  it("a helper started with stdio 'inherit' is ended with the run", async () => {
    for (const format of FORMATS) {
      const pids = readFileSync(path.join(pidDir, `inherit_helper-${format}`), "utf8").trim().split("\n").map(Number);
      expect(pids.length).toBeGreaterThan(0);
      for (const pid of pids) expect(alive(pid)).toBe(false);
    }
  });
});
