/**
 * `lmcache-connector check <url>`: runs the conformance suite in-process (ours). Exit codes:
 * 0 nothing failed, 1 a case failed, 2 bad arguments, an LMCache config that could not be loaded
 * or a connector that could not be loaded (LMCache's error is printed as LMCache raises it).
 * `--config`/`--search-path`/`--extra` are parsed by the shared `../engine-config-options`.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { CliCommand, CliIO } from "../command";
import { cliUsageError, ENGINE_CONFIG_HELP, ENGINE_CONFIG_SYNOPSIS, loadEngineSettingsOrReport, printLoggedErrors, takeEngineConfigArgsOrUsage } from "../engine-config-options";
import { REPORT_FORMATS, type ReportFormat } from "../../conformance/report";
import type { LMCacheEngineConfig } from "../../config";

const HELP = `Usage: lmcache-connector check <url> [options] ${ENGINE_CONFIG_SYNOPSIS}

Runs the conformance suite against the connector at <url>, built exactly as LMCache builds it
(createConnector → adapter → InstrumentedRemoteConnector). Examples:
  lmcache-connector check memory://
  lmcache-connector check "external://host:0/my_pkg.my_connector/?connector_name=MyConnector"
  lmcache-connector check plugin://mystore --config lmcache.yaml --extra use_exists_sync=true

Options:
  --cwd DIR          directory module paths resolve against (default: current directory)
  --cases GLOB       run only matching case ids; repeatable or comma-separated
                     (e.g. "roundtrip.*", "refs", "batched.get-order")
  --seed N           seed of payloads and random sequences (default: random, printed)
  --timeout-ms N     per-case timeout in ms (default 5000; single calls get half, at most 2000)
  --strict           count every skip as a failure
  --format FORMAT    text (default; colour on a terminal), json or junit
  -h, --help         show this help

${ENGINE_CONFIG_HELP}
The conformance model uses 256-token chunks, so a chunk_size in the config is ignored (noted on
stderr); every other key reaches the connector as LMCache would pass it.

Exit status: 0 all cases passed or were skipped, 1 a case failed, 2 bad arguments, a config that
could not be loaded, or a connector that could not be loaded.
`;

/** The config overrides the suite gets: everything but `chunk_size`, which its model fixes (ours). */
function conformanceOverrides(config: LMCacheEngineConfig, chunkTokens: number, io: CliIO): Partial<LMCacheEngineConfig> {
  const { chunkSize, ...rest } = config;
  if (chunkSize !== chunkTokens) io.stderr(`lmcache-connector check: chunk_size ${chunkSize} from the config is ignored; the conformance model uses ${chunkTokens}-token chunks\n`);
  return rest;
}

function usageError(io: CliIO, message: string): number {
  return cliUsageError(io, "check", message);
}

function parseInteger(text: string, flag: string, min: number): number | string {
  if (!/^-?\d+$/.test(text.trim())) return `${flag} expects an integer, got '${text}'`;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) return `${flag} must be an integer ≥ ${min}, got '${text}'`;
  return n;
}

const command: CliCommand = {
  summary: "run the conformance suite against a connector URL",
  async run(args: string[], io: CliIO): Promise<number> {
    const engineArgs = takeEngineConfigArgsOrUsage(args, io, "check");
    if (typeof engineArgs === "number") return engineArgs;
    let parsed;
    try {
      parsed = parseArgs({
        args: engineArgs.rest,
        allowPositionals: true,
        strict: true,
        options: {
          cwd: { type: "string" },
          cases: { type: "string", multiple: true },
          seed: { type: "string" },
          "timeout-ms": { type: "string" },
          strict: { type: "boolean" },
          format: { type: "string" },
          help: { type: "boolean", short: "h" },
        },
      });
    } catch (err) {
      return usageError(io, (err as Error).message);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      io.stdout(HELP);
      return 0;
    }
    if (positionals.length !== 1) {
      return usageError(io, positionals.length === 0 ? "missing <url> (e.g. memory://)" : `expected one <url>, got ${positionals.length}: ${positionals.join(" ")}`);
    }
    const format = (values.format ?? "text") as ReportFormat;
    if (!REPORT_FORMATS.includes(format)) return usageError(io, `--format must be one of ${REPORT_FORMATS.join(", ")}, got '${values.format}'`);
    let seed: number | undefined;
    if (values.seed !== undefined) {
      const n = parseInteger(values.seed, "--seed", -0x80000000);
      if (typeof n === "string") return usageError(io, n);
      seed = n;
    }
    let timeoutMs: number | undefined;
    if (values["timeout-ms"] !== undefined) {
      const n = parseInteger(values["timeout-ms"], "--timeout-ms", 1);
      if (typeof n === "string") return usageError(io, n);
      timeoutMs = n;
    }
    const cases = (values.cases ?? []).flatMap((g) => g.split(",")).map((g) => g.trim()).filter(Boolean);
    const cwd = resolve(io.cwd, values.cwd ?? ".");

    const { runConformance, selectCases } = await import("../../conformance/engine.js");
    if (cases.length > 0 && selectCases(cases).length === 0) return usageError(io, `no conformance case matches ${cases.join(", ")}`);
    const settings = loadEngineSettingsOrReport(engineArgs, io, "check");
    if (typeof settings === "number") return settings;
    const { renderReport } = await import("../../conformance/report/index.js");
    const { CHUNK_TOKENS } = await import("../../conformance/env.js");
    const started = Date.now();
    const run = await runConformance({
      url: positionals[0]!,
      cwd,
      searchPaths: settings.searchPaths,
      config: conformanceOverrides(settings.config, CHUNK_TOKENS, io),
      cases: cases.length > 0 ? cases : undefined,
      seed,
      timeoutMs,
      strict: values.strict ?? false,
    });
    if (run.loadError) {
      io.stderr(`lmcache-connector check: could not load the connector at ${run.url}\n${run.loadError.errorName}: ${run.loadError.message}\n`);
      printLoggedErrors(io, started);
      return 2;
    }
    io.stdout(renderReport(run, format, io.isTTY));
    return run.summary.failed > 0 ? 1 : 0;
  },
};

export default command;
