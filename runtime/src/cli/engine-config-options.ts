/**
 * The LMCache-config options shared by `check`, `run` and `bench` (ours): `--config FILE`,
 * `--search-path DIR` (repeatable) and `--extra KEY=VALUE` (repeatable). Connectors read their
 * settings from `config.extraConfig` because LMCache hands them nothing else, so these options are
 * the only way to give a connector its Redis URL, `use_exists_sync`, `ping_interval`, … from the CLI.
 *
 * The commands take these options out of their argument list with {@link takeEngineConfigArgs}
 * before parsing their own, so one implementation serves all three parsers; `run` and `bench`
 * then load the config and drive their engine through {@link runEngineWithSettings}.
 */
import { isAbsolute, resolve } from "node:path";
import { loadEngineConfigWithOverrides, type LMCacheEngineConfig } from "../config";
import { progressLine } from "../harness/progress-line";
import { getLogRecords, setLogSink, type LogRecord } from "../logging";
import type { CliIO } from "./command";

/** Synopsis fragment for a command's usage line. */
export const ENGINE_CONFIG_SYNOPSIS = "[--config FILE] [--search-path DIR]... [--extra KEY=VALUE]...";

/** The options block every command that takes an LMCache config prints in its `--help`. */
export const ENGINE_CONFIG_HELP = `LMCache config (the same for check, run and bench):
  --config FILE       an LMCache YAML config, loaded like LMCache: LMCACHE_* environment
                      variables override its keys (LMCACHE_EXTRA_CONFIG replaces extra_config).
                      Without --config, LMCACHE_CONFIG_FILE names the file; with neither,
                      LMCache's defaults plus LMCACHE_* variables. Connectors read their settings
                      from its extra_config; plugin://<name> URLs need the plugin listed in
                      remote_storage_plugins with remote_storage_plugin.<name>.module_path and
                      .class_name in extra_config
  --search-path DIR   a directory module paths are looked up in, like PYTHONPATH (repeatable;
                      relative to the current directory); searched after --cwd and before
                      the directories in LMCACHE_CONNECTOR_PATH
  --extra KEY=VALUE   sets extra_config[KEY] on top of the config and environment (repeatable);
                      VALUE is parsed as JSON when it parses (true, 0.5, null, "a b", {"k":1}),
                      otherwise kept as the literal string (--extra url=redis://h:6379)
                      (--extra is the kit's, not LMCache's)
`;

const VALUE_FLAGS = ["config", "search-path", "extra"] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

/** The LMCache-config options found in a command line, and the arguments left for the command. */
export interface EngineConfigArgs {
  /** `--config FILE` as given (the last one wins, like any single-valued flag). */
  configFile?: string;
  /** `--search-path DIR` values in order, as given. */
  searchPaths: string[];
  /** `--extra KEY=VALUE` pairs in order, values already parsed. */
  extras: Array<[string, unknown]>;
  /** Every other argument, in order, for the command's own parser. */
  rest: string[];
}

/** A usage error in the shared options (the commands map it to exit code 2). */
export class EngineConfigUsageError extends Error {
  override name = "UsageError";
}

/**
 * `--extra KEY=VALUE` → `[KEY, value]`: the text after the FIRST `=` is parsed as JSON when it
 * parses, else kept as a string (ours). An empty key or a missing `=` is a usage error.
 */
export function parseExtraAssignment(text: string): [string, unknown] {
  const eq = text.indexOf("=");
  if (eq < 0) throw new EngineConfigUsageError(`--extra expects KEY=VALUE, got '${text}'`);
  const key = text.slice(0, eq).trim();
  if (key === "") throw new EngineConfigUsageError(`--extra expects a non-empty KEY in KEY=VALUE, got '${text}'`);
  const raw = text.slice(eq + 1);
  try {
    return [key, JSON.parse(raw)];
  } catch {
    return [key, raw];
  }
}

/**
 * Takes `--config`, `--search-path` and `--extra` (as `--flag value` or `--flag=value`) out of
 * `args`; everything else is returned in `rest`. Scanning stops at `--`, which stays in `rest`.
 */
export function takeEngineConfigArgs(args: readonly string[]): EngineConfigArgs {
  const out: EngineConfigArgs = { searchPaths: [], extras: [], rest: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      out.rest.push(...args.slice(i));
      break;
    }
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") ? arg.slice(2, eq < 0 ? undefined : eq) : "";
    if (!(VALUE_FLAGS as readonly string[]).includes(name)) {
      out.rest.push(arg);
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) throw new EngineConfigUsageError(`--${name} needs a value`);
    addValue(out, name as ValueFlag, value);
  }
  return out;
}

function addValue(out: EngineConfigArgs, flag: ValueFlag, value: string): void {
  if (value === "") throw new EngineConfigUsageError(`--${flag} needs a non-empty value`);
  if (flag === "config") out.configFile = value;
  else if (flag === "search-path") out.searchPaths.push(value);
  else out.extras.push(parseExtraAssignment(value));
}

/** What the engines receive: the loaded config and the module search path. */
export interface EngineSettings {
  config: LMCacheEngineConfig;
  /** Absolute `--search-path` directories, in order. */
  searchPaths: string[];
  /** The config file that was read (from `--config` or `LMCACHE_CONFIG_FILE`), or null. */
  configFile: string | null;
}

function absolute(cwd: string, path: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}

/**
 * Loads the config like LMCache's `load_engine_config_with_overrides`: the `--config` file, else
 * `LMCACHE_CONFIG_FILE` from `io.env`, else defaults; then `LMCACHE_*` overrides from `io.env`;
 * then the `--extra` keys merged into `extra_config` (ours). Relative paths resolve against
 * `io.cwd`. Throws the loader's error (e.g. `FileNotFoundError`, `ValueError`) unchanged.
 */
export function loadEngineSettings(parsed: EngineConfigArgs, io: CliIO): EngineSettings {
  const fromEnv = io.env["LMCACHE_CONFIG_FILE"] || undefined;
  const given = parsed.configFile ?? fromEnv;
  const configFile = given === undefined ? null : absolute(io.cwd, given);
  const config = loadEngineConfigWithOverrides({ env: io.env, configFilePath: configFile ?? undefined });
  if (parsed.extras.length > 0) config.extraConfig = { ...(config.extraConfig ?? {}), ...Object.fromEntries(parsed.extras) };
  return { config, searchPaths: parsed.searchPaths.map((p) => absolute(io.cwd, p)), configFile };
}

function printRecord(io: CliIO, record: LogRecord): void {
  io.stderr(`LMCache ${record.level.toUpperCase()}: ${record.message}\n`);
}

/** Prints a usage error of command `name` with the pointer to its `--help`; returns exit code 2. */
export function cliUsageError(io: CliIO, name: string, message: string): number {
  io.stderr(`lmcache-connector ${name}: ${message}\nRun \`lmcache-connector ${name} --help\` for usage.\n`);
  return 2;
}

/**
 * {@link takeEngineConfigArgs} for command `name`: the parsed options, or exit code 2 after
 * printing the usage error. Nothing is loaded yet, so `--help` never fails on a bad config.
 */
export function takeEngineConfigArgsOrUsage(args: readonly string[], io: CliIO, name: string): EngineConfigArgs | number {
  try {
    return takeEngineConfigArgs(args);
  } catch (err) {
    return cliUsageError(io, name, (err as Error).message);
  }
}

/**
 * {@link loadEngineSettings} for command `name`, printing LMCache's warnings (unknown keys,
 * deprecated aliases, unparsable `LMCACHE_*` values) to stderr as `LMCache WARNING: …`.
 * A config that does not load → exit code 2 after printing the loader's error as
 * `<ErrorName>: <message>` (LMCache's text where LMCache has one, e.g. `FileNotFoundError`).
 */
export function loadEngineSettingsOrReport(parsed: EngineConfigArgs, io: CliIO, name: string): EngineSettings | number {
  const previous = setLogSink((record) => {
    if (record.level === "warning" || record.level === "error") printRecord(io, record);
  });
  try {
    return loadEngineSettings(parsed, io);
  } catch (err) {
    const e = err as Error;
    io.stderr(`lmcache-connector ${name}: could not load the LMCache config\n${e?.name ?? "Error"}: ${e?.message ?? String(err)}\n`);
    return 2;
  } finally {
    setLogSink(previous);
  }
}

/**
 * Prints the errors LMCache logged since `sinceMs` (e.g. "Failed to load remote connector x due
 * to import/attribute error: …"): the plugin launcher logs such failures instead of raising, so
 * without them a bad plugin only shows up as "No adapter found for URL: plugin://x".
 */
export function printLoggedErrors(io: CliIO, sinceMs: number): void {
  for (const record of getLogRecords()) {
    if (record.level === "error" && record.time >= sinceMs) printRecord(io, record);
  }
}

/** What {@link runEngineWithSettings} hands the engine of a `run`/`bench` command. */
export interface EngineRunContext extends EngineSettings {
  /** Progress callback drawing the command's progress line on stderr. */
  onProgress(done: number, total: number, text?: string): void;
}

/**
 * The part `run` and `bench` share after their own options are parsed: load the config
 * ({@link loadEngineSettingsOrReport}), run `engine` with a progress line labelled `unit`, and map
 * a thrown error (the connector's load error as LMCache raises it) to exit code 2, printed as
 * `<ErrorName>: <message>` followed by the errors LMCache logged meanwhile. Resolves to the
 * engine's report, or to the exit code.
 */
export async function runEngineWithSettings<R extends object>(
  parsed: EngineConfigArgs,
  io: CliIO,
  name: string,
  unit: string,
  engine: (context: EngineRunContext) => Promise<R>,
): Promise<R | number> {
  const settings = loadEngineSettingsOrReport(parsed, io, name);
  if (typeof settings === "number") return settings;
  const started = Date.now();
  const progress = progressLine(io.stderr, io.isTTY, unit);
  let report: R;
  try {
    report = await engine({ ...settings, onProgress: (done, total, text) => progress.update(done, total, text) });
  } catch (err) {
    const e = err as Error;
    progress.end(); // clear the live line before the error
    io.stderr(`${e?.name ?? "Error"}: ${e?.message ?? String(err)}\n`);
    printLoggedErrors(io, started);
    return 2;
  }
  progress.end();
  return report;
}
