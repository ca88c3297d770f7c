/**
 * Pure builders of the `node` configurations the extension hands to js-debug: the F5 "Run against
 * local cache" launch (`lmcache-connector run <url>`; the CLI runs the connector in its runner
 * child, which js-debug follows with `autoAttachChildProcesses`) and the attach to a runner behind
 * the Debug profile and "Debug this failure". No `vscode` import: unit-tested as plain functions.
 *
 * Source maps: the runtime's loader compiles connector TypeScript with esbuild into a cache
 * directory (`defaultCompileCacheDir()`: `$XDG_CACHE_HOME` or `~/.cache` + `/lmcache-connector/compiled`) with inline source maps, and runs it
 * from there. js-debug only reads maps of scripts whose location matches
 * `resolveSourceMapLocations`, so the cache directory is listed there (and in `outFiles`, so
 * breakpoints are set before the compiled module loads).
 */

/** The attributes of a `lmcache-connector` launch configuration (see `configurationAttributes`). */
export interface ConnectorLaunchConfig {
  type: string;
  request: string;
  name: string;
  /** Connector URL, e.g. `external://host:0/src.acme_connector/?connector_name=AcmeConnector`. */
  url?: string;
  /** Directory module paths resolve against (default: the workspace folder). */
  cwd?: string;
  /** Number of workload requests. */
  requests?: number;
  seed?: number;
  /** Local CPU cache size in GB. */
  maxLocalCpuSize?: number;
  chunkSize?: number;
  /** `auto` (workspace runtime if installed, else the bundled one), `workspace` or `bundled`. */
  runtime?: "auto" | "workspace" | "bundled";
  env?: Record<string, string>;
  stopOnEntry?: boolean;
  [key: string]: unknown;
}

/** What the resolver needs to know about the machine. */
export interface LaunchContext {
  /** Absolute path of the workspace folder. */
  folder: string;
  /** The bundled CLI (`dist/lmcache-connector.js`). */
  bundledCli: string;
  /** The workspace's runtime CLI, when installed. */
  workspaceCli?: string;
  /** The loader's compile cache directory. */
  cacheDir: string;
}

/** A `node` (js-debug) launch configuration. */
export type NodeLaunchConfig = Record<string, unknown> & { type: "node"; request: "launch"; name: string; program: string; args: string[]; cwd: string };

/** Settings shared by every launch: source maps through the compile cache, Node internals skipped. */
export function sourceMapSettings(folder: string, cacheDir: string): Record<string, unknown> {
  return {
    sourceMaps: true,
    resolveSourceMapLocations: [`${folder}/**`, `${cacheDir}/**`, "!**/node_modules/**"],
    outFiles: [`${folder}/**/*.(m|c|)js`, `${cacheDir}/**/*.js`, "!**/node_modules/**"],
    skipFiles: ["<node_internals>/**"],
  };
}

/** Problems with a `lmcache-connector` configuration (empty when it can be launched). */
export function launchConfigProblems(config: ConnectorLaunchConfig): string[] {
  const problems: string[] = [];
  if (typeof config.url !== "string" || config.url.trim() === "") problems.push("the configuration needs a connector \"url\" (e.g. external://host:0/src.my_connector/?connector_name=MyConnector)");
  for (const key of ["requests", "seed", "chunkSize"] as const) {
    const v = config[key];
    if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v < 0)) problems.push(`"${key}" must be a non-negative integer`);
  }
  if (config.maxLocalCpuSize !== undefined && (typeof config.maxLocalCpuSize !== "number" || !(config.maxLocalCpuSize > 0))) problems.push("\"maxLocalCpuSize\" must be a positive number of GB");
  if (config.runtime !== undefined && !["auto", "workspace", "bundled"].includes(config.runtime)) problems.push("\"runtime\" must be auto, workspace or bundled");
  return problems;
}

/** Which CLI a configuration runs. */
export function chooseCli(config: ConnectorLaunchConfig, ctx: LaunchContext): string {
  const runtime = config.runtime ?? "auto";
  if (runtime === "bundled") return ctx.bundledCli;
  return ctx.workspaceCli ?? ctx.bundledCli;
}

/** The CLI's arguments for a configuration: `<command> <url> --cwd <cwd>`, the seed, and for `run` the workload flags. */
function cliArgs(command: "run" | "check", config: ConnectorLaunchConfig, cwd: string): string[] {
  const run = command === "run";
  const args = [command, config.url!, "--cwd", cwd];
  if (run && config.requests !== undefined) args.push("--requests", String(config.requests));
  if (config.seed !== undefined) args.push("--seed", String(config.seed));
  if (run && config.maxLocalCpuSize !== undefined) args.push("--max-local-cpu-size", String(config.maxLocalCpuSize));
  if (run && config.chunkSize !== undefined) args.push("--chunk-size", String(config.chunkSize));
  return args;
}

/**
 * Resolves a `lmcache-connector` configuration to a `node` launch of `lmcache-connector run`.
 * Variables such as `${workspaceFolder}` are left in place (VS Code substitutes them after
 * resolution). Throws an Error listing the problems when the configuration is unusable.
 */
export function resolveRunLaunch(config: ConnectorLaunchConfig, ctx: LaunchContext): NodeLaunchConfig {
  const problems = launchConfigProblems(config);
  if (problems.length > 0) throw new Error(problems.join("; "));
  const cwd = config.cwd ?? ctx.folder;
  const args = cliArgs("run", config, cwd);
  return {
    type: "node",
    request: "launch",
    name: config.name || "Run against local cache",
    program: chooseCli(config, ctx),
    args,
    cwd,
    ...sourceMapSettings(ctx.folder, ctx.cacheDir),
    console: "integratedTerminal",
    // The connector runs in the CLI's runner child process: follow it so breakpoints bind there.
    autoAttachChildProcesses: true,
    ...(config.env ? { env: config.env } : {}),
    ...(config.stopOnEntry ? { stopOnEntry: true } : {}),
  };
}

/** A `node` (js-debug) attach configuration. */
export type NodeAttachConfig = Record<string, unknown> & { type: "node"; request: "attach"; name: string; port: number };

/**
 * A `node` attach to a runner the extension started itself with `--inspect-brk=127.0.0.1:0` (the
 * Debug profile and "Debug this failure"): the runner stays under the same supervisor as a Run —
 * events on its own channel, crash detection, process-group kill — and js-debug only attaches.
 * `continueOnAttach` releases the `--inspect-brk` pause once breakpoints are set; `runId` marks
 * the session (`__lmcacheRunId`).
 */
export function runnerAttach(port: number, cwd: string, cacheDir: string, name: string, runId: string): NodeAttachConfig {
  return {
    type: "node",
    request: "attach",
    name,
    address: "127.0.0.1",
    port,
    cwd,
    continueOnAttach: true,
    ...sourceMapSettings(cwd, cacheDir),
    __lmcacheRunId: runId,
  };
}

/**
 * The environment that puts a run's Python bridge under debugpy (runtime: bridge.py
 * `_start_debugpy`): listen on 127.0.0.1 on a free port, announce it in `announceFile`, wait for
 * the IDE. The bridge's synchronous-call deadline is lifted (a breakpoint in `exists_sync` blocks
 * the caller, which is not a hang); the runtime turns its loop watchdog off by itself.
 */
export function debugpyEnv(announceFile: string): Record<string, string> {
  return {
    LMCACHE_KIT_DEBUGPY: "0",
    LMCACHE_KIT_DEBUGPY_ANNOUNCE: announceFile,
    LMCACHE_KIT_SYNC_DEADLINE_MS: String(24 * 3600 * 1000),
  };
}

/** One line of the announce file: a bridge process listening for the debugger. */
export interface DebugpyAnnouncement {
  port: number;
  pid: number;
}

/** The well-formed announcements in an announce file's text, in order. */
export function parseAnnouncements(text: string): DebugpyAnnouncement[] {
  const out: DebugpyAnnouncement[] = [];
  for (const line of text.split("\n")) {
    try {
      const a = JSON.parse(line) as Partial<DebugpyAnnouncement>;
      if (Number.isInteger(a.port) && a.port! > 0 && a.port! < 65536 && Number.isInteger(a.pid)) out.push({ port: a.port!, pid: a.pid! });
    } catch {
      // a line being written, or not ours
    }
  }
  return out;
}

/** What the Python-side adapter factory needs to start the CLI itself (F5). */
export interface PythonLaunchSpec {
  program: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

/** A `lmcache-connector-python` attach configuration (debugpy's adapter, reached over TCP on 127.0.0.1). */
export type PythonAttachConfig = Record<string, unknown> & { type: string; request: "attach"; name: string };

/**
 * The debugpy attach arguments: stepping stays in the connector — `justMyCode` skips the standard
 * library and installed packages, and a rule hides the kit's own Python files (the bridge and the
 * kit's `lmcache` package); child processes are not followed.
 */
export function debugpyAttachArguments(kitPythonDir: string | undefined): Record<string, unknown> {
  return {
    justMyCode: true,
    subProcess: false,
    ...(kitPythonDir ? { rules: [{ path: `${kitPythonDir}/**`, include: false }] } : {}),
  };
}

/**
 * The attach to one bridge of a runner the extension started itself (the Debug profile and "Debug
 * this failure"): `__lmcacheDebugpyPort` is where the bridge's debugpy listens.
 */
export function pythonRunnerAttach(type: string, port: number, name: string, runId: string, kitPythonDir: string | undefined): PythonAttachConfig {
  return { type, request: "attach", name, __lmcacheDebugpyPort: port, __lmcacheRunId: runId, ...debugpyAttachArguments(kitPythonDir) };
}

/**
 * Resolves a `lmcache-connector` configuration of a Python connector to F5 under debugpy: the
 * Python-side debug type, whose adapter factory starts `lmcache-connector run|check <url>` itself
 * (`__lmcacheLaunch`) and hands VS Code debugpy's adapter. `python`: the interpreter chosen for
 * the folder (`--python`). Throws an Error listing the problems when the configuration is unusable.
 */
export function resolvePythonRunLaunch(type: string, config: ConnectorLaunchConfig, ctx: LaunchContext & { python?: string; kitPythonDir?: string }): PythonAttachConfig {
  const problems = launchConfigProblems(config);
  if (config.command !== undefined && config.command !== "run" && config.command !== "check") problems.push("\"command\" must be run or check");
  if (problems.length > 0) throw new Error(problems.join("; "));
  const cwd = config.cwd ?? ctx.folder;
  const args = cliArgs(config.command === "check" ? "check" : "run", config, cwd);
  if (ctx.python) args.push("--python", ctx.python);
  args.push("--language", "python");
  const launch: PythonLaunchSpec = { program: chooseCli(config, ctx), args, cwd, env: { ...(config.env ?? {}) } };
  return {
    type,
    request: "attach",
    name: config.name || "Run against local cache",
    __lmcacheLaunch: launch,
    ...debugpyAttachArguments(ctx.kitPythonDir),
  };
}
