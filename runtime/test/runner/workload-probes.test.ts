/**
 * Issue 10's never-settling probes through `run` and `bench`: with `blocking_timeout_secs` 1
 * (LMCACHE_BLOCKING_TIMEOUT_SECS), a put/exists/get/close that never settles gives exit 1 with the
 * method named in the report's hung calls, the JSON report parses, the CLI ends within the deadline
 * plus a margin (not the 10-minute whole-run limit), and no process the run started survives.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBundles, pool, probeUrl, survivors } from "./bundles";
import { runCli, TAG, type CliRun } from "./cli-probes";

const DEADLINE_MS = 1000;
// Node starting twice, compiling the probe, a short workload, then about one deadline for the
// hang and one for close — on a loaded machine. The whole-run limit is 600 000 ms.
const WITHIN_MS = 9000 + 2 * DEADLINE_MS;
const ENV = { LMCACHE_BLOCKING_TIMEOUT_SECS: String(DEADLINE_MS / 1000) };

type Cmd = "run" | "bench";
interface WorkloadProbe {
  cmd: Cmd;
  module: string;
  method: string;
  format: "json" | "text";
}

const METHODS: Array<[module: string, method: string]> = [
  ["put_never_settles", "put"],
  ["exists_never_settles", "exists"],
  ["get_never_settles", "get"],
  ["close_never_settles", "close"],
];
const LIST: WorkloadProbe[] = [
  ...METHODS.map(([module, method]) => ({ cmd: "run" as const, module, method, format: "json" as const })),
  ...METHODS.map(([module, method]) => ({ cmd: "bench" as const, module, method, format: "json" as const })),
  // A live socket and interval in the connector do not keep the CLI waiting either.
  { cmd: "run", module: "live_socket", method: "put", format: "json" },
  { cmd: "bench", module: "live_socket", method: "put", format: "text" },
  { cmd: "run", module: "put_never_settles", method: "put", format: "text" },
];

const ARGS: Record<Cmd, string[]> = {
  run: ["--requests", "40", "--chunk-size", "16", "--max-local-cpu-size", "0.001"],
  bench: ["--rounds", "1", "--warmup", "0", "--keys", "8", "--payload-bytes", "4096", "--inflight", "2"],
};

let bundles: Awaited<ReturnType<typeof buildBundles>>;
const runs = new Map<string, CliRun>();
const id = (p: WorkloadProbe) => `${p.cmd}/${p.module}/${p.format}`;

let loopRun: Promise<CliRun>;

beforeAll(async () => {
  bundles = await buildBundles();
  // The 10 s watchdog probe runs beside the others, so the file stays short.
  loopRun = runCli(bundles.cli, ["run", probeUrl("exists_sync_loops"), ...ARGS.run, "--extra", "use_exists_sync=true"], ENV);
  await pool(
    4,
    LIST.map((p) => async () => {
      runs.set(id(p), await runCli(bundles.cli, [p.cmd, probeUrl(p.module), ...ARGS[p.cmd], "--format", p.format], ENV));
    }),
  );
}, 180_000);
afterAll(() => bundles?.dispose());

describe.each(LIST.map((p) => [id(p), p] as const))("%s", (_name, probe) => {
  it(`exit 1, ${probe.method}() named as hung, a parsable report, in time, no survivors`, async () => {
    const run = runs.get(id(probe))!;
    // The harness may reach a hanging get through the base class's batchedGetNonBlocking.
    const methods = probe.cmd === "run" && probe.method === "get" ? "(get|batchedGetNonBlocking)" : probe.method;
    const message = new RegExp(`^${methods}\\(\\) did not settle within ${DEADLINE_MS} ms$`);
    expect({ code: run.code, stderr: run.stderr.slice(-600) }).toMatchObject({ code: 1 });
    if (probe.format === "json") {
      const report = JSON.parse(run.stdout) as { hungCalls: Array<{ method: string; message: string }> };
      expect(report.hungCalls.some((c) => message.test(c.message))).toBe(true);
    } else {
      const line = /^Hung calls: (.*) — FAILED$/m.exec(run.stdout);
      expect(line?.[1].split("; ").some((m) => message.test(m.replace(/ \(\d+ calls\)$/, "")))).toBe(true);
    }
    expect(run.ms).toBeLessThan(WITHIN_MS);
    expect(await survivors(TAG, run.tag)).toEqual([]);
  });
});

describe("a synchronous loop the deadlines cannot reach", () => {
  it("run with use_exists_sync on exists_sync_loops: the watchdog kills the runner, exit 3 naming the hang, in time, no survivors", async () => {
    const run = await loopRun;
    expect({ code: run.code, stderr: run.stderr.slice(-600) }).toMatchObject({ code: 3 });
    expect(run.stdout + run.stderr).toMatch(/the connector hung the runner \(timeout\)/);
    // The runner's heartbeat limit for run/bench (WORKLOAD_HANG_MS, 10 s) plus start-up and a margin.
    expect(run.ms).toBeLessThan(10_000 + 9000);
    expect(await survivors(TAG, run.tag)).toEqual([]);
  }, 40_000);
});

describe("a method RemoteBackend never calls", () => {
  it("run on list_never_settles: list() is never called (as in LMCache), so the run is clean: exit 0, a full report", async () => {
    const run = await runCli(bundles.cli, ["run", probeUrl("list_never_settles"), ...ARGS.run, "--format", "json"], ENV);
    expect({ code: run.code, stderr: run.stderr.slice(-600) }).toMatchObject({ code: 0 });
    const report = JSON.parse(run.stdout) as { hungCalls: unknown[]; requestsRun: number; requests: number };
    expect(report.hungCalls).toEqual([]);
    expect(report.requestsRun).toBe(report.requests);
    expect(await survivors(TAG, run.tag)).toEqual([]);
  }, 30_000);
});

describe("the same commands on the example connector", () => {
  it.each(["run", "bench"] as const)("%s on docs/examples/my_connector.ts: exit 0, no hung calls", async (cmd) => {
    const run = await runCli(bundles.cli, [cmd, "external://host:0/my_connector/?connector_name=MyConnector", "--cwd", `${__dirname}/../../../docs/examples`, ...ARGS[cmd], "--format", "json"], ENV);
    expect({ code: run.code, stderr: run.stderr.slice(-600) }).toMatchObject({ code: 0 });
    expect((JSON.parse(run.stdout) as { hungCalls: unknown[] }).hungCalls).toEqual([]);
  }, 30_000);
});
