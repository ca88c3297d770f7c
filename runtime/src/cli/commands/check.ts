/**
 * `lmcache-connector check <url>`: runs the conformance suite in the runner child process (ours),
 * the same runner and watchdog the VS Code extension uses; this process renders the report from
 * the runner's events and owns the exit code (see `../../runner/verdict` for the codes). LMCache's
 * error for a connector that does not load is printed as LMCache raises it. The command line is
 * read by the shared `../single-url-command`, like `run`'s and `bench`'s.
 */
import { integerFlag, printUsageError, UsageError } from "../argv";
import { replayPathProblem } from "../../conformance/replay-path";
import type { CliCommand, CliIO } from "../command";
import { ENGINE_CONFIG_HELP, ENGINE_CONFIG_SYNOPSIS, loadEngineSettingsOrReport } from "../engine-config-options";
import { parseSingleUrlCommand } from "../single-url-command";
import { hangLimitFor, runInRunner } from "../runner-session";
import { printRunnerFailure, redactText } from "../runner-output";
import { REPORT_FORMATS } from "../../conformance/report";
import { CHUNK_TOKENS } from "../../conformance/chunk-tokens";
import { DEFAULT_CASE_TIMEOUT_MS } from "../../conformance/timeouts";
import { conformanceRunOf, exitCodeOf, EXIT_CODES_HELP } from "../../runner/verdict";
import type { LMCacheEngineConfig } from "../../config";
import { FLAG_LIMITS } from "../flag-limits";

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
  --strict           count every skip and every advisory as a failure
  --strict-cases GLOB  count skips and advisories of matching case ids (or skip kinds,
                     e.g. capability-not-declared, or "advisory" for every advisory) as
                     failures; repeatable or comma-separated
  --reference URL    the connector the differential case compares against (default
                     memory://), e.g. redis://127.0.0.1:6379 for LMCache's RedisConnector
  --replay PATH      replay a differential failure: the fast-check path the report printed
                     (give the same --seed and --cases)
  --format FORMAT    text (default; colour on a terminal), json or junit
  -h, --help         show this help

Each case is required (LMCache relies on it: a failure fails the run) or advisory (good
practice LMCache does not rely on, e.g. list(), which RemoteBackend never calls, or calls after
close()): an advisory finding is shown as ADVS on a passing case, listed under "Advisories",
and fails only with --strict / --strict-cases. When the connector is the kit's port of
LMCache's FSConnector or RedisConnector, a failure LMCache's own connector shares says so.

${ENGINE_CONFIG_HELP}
The conformance model uses 256-token chunks, so a chunk_size in the config is ignored (noted on
stderr); every other key reaches the connector as LMCache would pass it.

The connector runs in a child process with deadlines: a call that does not settle fails its case
("get() did not settle within N ms"); a connector that exits, crashes or blocks the event loop
(longer than twice --timeout-ms, 2 to 10 s) is reported with the case in flight. What the
connector prints is captured (first and last 4 KiB per case) and shown under its failing case.

${EXIT_CODES_HELP}`;

/** The config overrides the suite gets: everything but `chunk_size`, which its model fixes (ours). */
function conformanceOverrides(config: LMCacheEngineConfig, chunkTokens: number, io: CliIO): Partial<LMCacheEngineConfig> {
  const { chunkSize, ...rest } = config;
  if (chunkSize !== chunkTokens) io.stderr(`lmcache-connector check: chunk_size ${chunkSize} from the config is ignored; the conformance model uses ${chunkTokens}-token chunks\n`);
  return rest;
}

/** `--replay PATH`, checked before anything runs (a path like `999999999:1` would spin for ever). */
function replayFlag(path: string | undefined): string | undefined {
  const problem = path === undefined ? null : replayPathProblem(path);
  if (problem) throw new UsageError(`--replay: ${problem}`);
  return path;
}

/** `--reference URL`: a non-empty URL with a scheme (whether it loads is the runner's to say). */
function referenceFlag(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  if (url.trim() === "" || !url.includes("://")) throw new UsageError(`--reference: expected a connector URL such as memory:// or redis://127.0.0.1:6379, got ${JSON.stringify(redactText(url, url))}`);
  return url;
}

/** A repeatable, comma-separated glob option as a flat list. */
function globList(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((g) => g.split(",")).map((g) => g.trim()).filter(Boolean);
}

const command: CliCommand = {
  summary: "run the conformance suite against a connector URL",
  async run(args: string[], io: CliIO): Promise<number> {
    const line = parseSingleUrlCommand(args, io, {
      name: "check",
      usage: HELP,
      formats: REPORT_FORMATS,
      values: ["cases", "seed", "timeout-ms", "strict-cases", "replay", "reference"],
      booleans: ["strict"],
      options: (parsed) => ({
        cases: globList(parsed.lists.get("cases")),
        seed: integerFlag(parsed, "seed", -0x80000000, ...FLAG_LIMITS["check-seed"]),
        timeoutMs: integerFlag(parsed, "timeout-ms", 1, ...FLAG_LIMITS["timeout-ms"]),
        strict: parsed.flags.has("strict") ? true : globList(parsed.lists.get("strict-cases")),
        replayPath: replayFlag(parsed.flags.get("replay") as string | undefined),
        referenceUrl: referenceFlag(parsed.flags.get("reference") as string | undefined),
      }),
    });
    if (typeof line === "number") return line;
    const { url, cwd, format, engineArgs, options } = line;
    const { cases } = options;
    const { renderReport } = await import("../../conformance/report/index.js");

    const settings = loadEngineSettingsOrReport(engineArgs, io, "check");
    if (typeof settings === "number") return settings;
    const timeoutMs = options.timeoutMs ?? DEFAULT_CASE_TIMEOUT_MS;
    const started = Date.now();
    const record = await runInRunner(
      {
        kind: "check",
        url,
        cwd,
        options: {
          searchPaths: settings.searchPaths,
          config: conformanceOverrides(settings.config, CHUNK_TOKENS, io),
          cases: cases.length > 0 ? cases : undefined,
          seed: options.seed,
          timeoutMs,
          strict: options.strict,
          replayPath: options.replayPath,
          referenceUrl: options.referenceUrl,
        },
      },
      io,
      // A case's own deadline fires first; the parent's is the backstop for a runner whose timers were broken.
      { hangMs: hangLimitFor(timeoutMs), caseLimitMs: 2 * timeoutMs + 5000 },
    );
    if (record.jobError?.blame === "usage") return printUsageError(io, "check", redactText(record.jobError.message, url), HELP);
    if (record.loadError || record.jobError) return printRunnerFailure(io, "check", url, record);
    const run = conformanceRunOf(record, url);
    if (!record.finished) run.ms = Date.now() - started;
    io.stdout(redactText(renderReport(run, format, io.isTTY), url));
    if (record.crash && format !== "text") io.stderr(`lmcache-connector check: ${redactText(run.crash!.detail, url)}\n`);
    return exitCodeOf(record);
  },
};

export default command;
