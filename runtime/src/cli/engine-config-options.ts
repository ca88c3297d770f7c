/**
 * The LMCache-config options shared by `check`, `run` and `bench` (ours): `--config FILE`,
 * `--search-path DIR` (repeatable) and `--extra KEY=VALUE` (repeatable). Connectors read their
 * settings from `config.extraConfig` because LMCache hands them nothing else, so these options are
 * the only way to give a connector its Redis URL, `use_exists_sync`, `ping_interval`, … from the CLI.
 *
 * The commands parse them with their own options through `./single-url-command` (names from
 * {@link ENGINE_CONFIG_FLAGS}, values read by {@link engineConfigArgs}); `run` and `bench` then
 * load the config and drive their engine through {@link runEngineWithSettings}.
 */
import { isAbsolute, resolve } from "node:path";
import { loadEngineConfigWithOverrides, type LMCacheEngineConfig } from "../config";
import { progressLine } from "../harness/progress-line";
import { getLogRecords, setLogSink, type LogRecord } from "../logging";
import { UsageError, type ParsedArgs } from "./argv";
import type { CliIO } from "./command";
import { PYTHON_FLAGS, PYTHON_HELP, pythonEnv } from "./python-options";
import { escapeControls } from "../files/terminal-text";

/** Synopsis fragment for a command's usage line. */
export const ENGINE_CONFIG_SYNOPSIS = "[--config FILE] [--search-path DIR]... [--extra KEY=VALUE]... [--python PATH] [--language python|ts] [--lmcache installed|kit|auto]";

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
${PYTHON_HELP}`;

/** The shared options' names, for a command's {@link FlagSpec} `values` (each may be repeated). */
export const ENGINE_CONFIG_FLAGS = ["config", "search-path", "extra", ...PYTHON_FLAGS] as const;

/** The LMCache-config options found in a command line. */
export interface EngineConfigArgs {
  /** `--config FILE` as given (the last one wins, like any single-valued flag). */
  configFile?: string;
  /** `--search-path DIR` values in order, as given. */
  searchPaths: string[];
  /** `--extra KEY=VALUE` pairs in order, values already parsed. */
  extras: Array<[string, unknown]>;
  /** `--python`/`--language`/`--lmcache` as the environment variables they set (python-options.ts). */
  pythonEnv?: Record<string, string>;
}

/**
 * `--extra KEY=VALUE` → `[KEY, value]`: the text after the FIRST `=` is parsed as JSON when it
 * parses, else kept as a string (ours). An empty key or a missing `=` is a usage error.
 */
export function parseExtraAssignment(text: string): [string, unknown] {
  const eq = text.indexOf("=");
  if (eq < 0) throw new UsageError(`--extra expects KEY=VALUE, got '${text}'`);
  const key = text.slice(0, eq).trim();
  if (key === "") throw new UsageError(`--extra expects a non-empty KEY in KEY=VALUE, got '${text}'`);
  const raw = text.slice(eq + 1);
  try {
    return [key, JSON.parse(raw)];
  } catch {
    return [key, raw];
  }
}

/**
 * The `--config`, `--search-path` and `--extra` values of a command line parsed with
 * {@link ENGINE_CONFIG_FLAGS} among its value flags. An empty value or a malformed `--extra` is a
 * {@link UsageError}.
 */
export function engineConfigArgs(parsed: ParsedArgs): EngineConfigArgs {
  const values = (flag: "config" | "search-path" | "extra"): string[] => {
    const all = parsed.lists.get(flag) ?? [];
    if (all.includes("")) throw new UsageError(`--${flag} needs a non-empty value`);
    return all;
  };
  return {
    configFile: values("config").at(-1),
    searchPaths: values("search-path"),
    extras: values("extra").map(parseExtraAssignment),
    ...withPythonEnv(pythonEnv(parsed, process.cwd())),
  };
}

/** `{ pythonEnv }` when a Python flag was given, else nothing (the field stays absent). */
function withPythonEnv(env: Record<string, string>): Pick<EngineConfigArgs, "pythonEnv"> {
  return Object.keys(env).length > 0 ? { pythonEnv: env } : {};
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
  // The Python options travel as environment variables to whichever process loads the connector.
  for (const [name, value] of Object.entries(parsed.pythonEnv ?? {})) io.env[name] = process.env[name] = value;
  const fromEnv = io.env["LMCACHE_CONFIG_FILE"] || undefined;
  const given = parsed.configFile ?? fromEnv;
  const configFile = given === undefined ? null : absolute(io.cwd, given);
  const config = loadEngineConfigWithOverrides({ env: io.env, configFilePath: configFile ?? undefined });
  if (parsed.extras.length > 0) config.extraConfig = { ...(config.extraConfig ?? {}), ...Object.fromEntries(parsed.extras) };
  return { config, searchPaths: parsed.searchPaths.map((p) => absolute(io.cwd, p)), configFile };
}

function printRecord(io: CliIO, record: LogRecord): void {
  // keys and values quoted from the config file: no control byte reaches the terminal
  io.stderr(`LMCache ${record.level.toUpperCase()}: ${escapeControls(record.message)}\n`);
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
    io.stderr(`lmcache-connector ${name}: could not load the LMCache config\n${escapeControls(`${e?.name ?? "Error"}: ${e?.message ?? String(err)}`)}\n`);
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
