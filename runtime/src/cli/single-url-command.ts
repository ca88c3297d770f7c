/**
 * The command-line preamble shared by `check`, `run` and `bench` (ours): one connector URL, plus
 * `--cwd DIR`, `--format`, `--help`/`-h`, the LMCache-config options of `./engine-config-options`
 * and the command's own flags, all read by the one parser in `./argv`. Usage errors are printed
 * with the command's usage (exit code 2); `--help` prints it (exit code 0) and loads nothing.
 */
import { resolve } from "node:path";
import { formatFlag, readCommandLine, stringFlag, UsageError, type ParsedArgs } from "./argv";
import type { CliIO } from "./command";
import { ENGINE_CONFIG_FLAGS, engineConfigArgs, type EngineConfigArgs } from "./engine-config-options";

/** How a single-URL command reads its command line. */
export interface SingleUrlCommandSpec<F extends string, O> {
  /** The command's name, e.g. `"run"`, for messages. */
  name: string;
  /** Its `--help` text, also printed after a usage error. */
  usage: string;
  /** Its accepted `--format` values; the first is the default. */
  formats: readonly F[];
  /** Its own value flags (besides `--cwd`, `--format` and the LMCache-config ones). */
  values: readonly string[];
  /** Its own boolean flags (besides `--help`). */
  booleans?: readonly string[];
  /** Reads its own flags from the parsed line; throws {@link UsageError} for a bad value. */
  options(parsed: ParsedArgs): O;
}

/** A single-URL command line, parsed and checked. */
export interface SingleUrlInvocation<F extends string, O> {
  url: string;
  /** `--cwd` resolved against the current directory (default: the current directory). */
  cwd: string;
  format: F;
  /** The `--config`/`--search-path`/`--extra` values, for `loadEngineSettingsOrReport` or `runEngineWithSettings`. */
  engineArgs: EngineConfigArgs;
  /** What {@link SingleUrlCommandSpec.options} returned. */
  options: O;
}

/** Parses a single-URL command line; resolves to the invocation, or to the exit code after `--help` (0) or a usage error (2). */
export function parseSingleUrlCommand<F extends string, O>(args: readonly string[], io: CliIO, spec: SingleUrlCommandSpec<F, O>): SingleUrlInvocation<F, O> | number {
  const flags = { values: ["cwd", "format", ...ENGINE_CONFIG_FLAGS, ...spec.values], booleans: spec.booleans };
  return readCommandLine(args, io, spec, flags, (parsed) => {
    const urls = parsed.positionals;
    if (urls.length !== 1) throw new UsageError(urls.length === 0 ? "missing <url> (e.g. memory://)" : `expected one <url>, got ${urls.length}: ${urls.join(" ")}`);
    return {
      url: urls[0]!,
      cwd: resolve(io.cwd, stringFlag(parsed, "cwd", ".")),
      format: formatFlag(parsed, spec.formats),
      engineArgs: engineConfigArgs(parsed),
      options: spec.options(parsed),
    };
  });
}
