/**
 * The one flag parser of the `lmcache-connector` CLI (ours): `--name value`, `--name=value`,
 * boolean `--flag`, single-letter aliases such as `-h`, positionals, and `--` ending the options.
 * Unknown flags and bad numbers are usage errors, which every command reports through
 * {@link printUsageError} with exit code 2.
 */
import type { CliIO } from "./command";

/** Bad command-line usage; the commands print its message with their usage and exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The flags a command accepts. */
export interface FlagSpec {
  /** Flags that take a value, e.g. `["cwd", "requests"]`; each may be repeated (see {@link ParsedArgs.lists}). */
  values: readonly string[];
  /** Flags without a value. */
  booleans?: readonly string[];
  /** Single-letter aliases, e.g. `{ h: "help" }` for `-h`. */
  short?: Readonly<Record<string, string>>;
}

/** What {@link parseArgs} found. */
export interface ParsedArgs {
  /** Arguments that are not flags, in order (everything after `--` included). */
  positionals: string[];
  /** Each flag given: its last value, or `true` for a boolean flag. */
  flags: Map<string, string | true>;
  /** Every value of each value flag given, in order — for repeatable flags such as `--extra`. */
  lists: Map<string, string[]>;
}

/**
 * Parses `args` by `spec`. A value flag takes the next argument even when it starts with `-`
 * (so `--requests -3` reports a bad number, not a missing value); a lone `-` and negative numbers
 * are positionals; any other `-x` not in `spec.short` is an unknown option.
 */
export function parseArgs(args: readonly string[], spec: FlagSpec): ParsedArgs {
  const parsed: ParsedArgs = { positionals: [], flags: new Map(), lists: new Map() };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      parsed.positionals.push(...args.slice(i + 1));
      break;
    }
    if (/^-[A-Za-z]$/.test(arg)) {
      const long = spec.short?.[arg.slice(1)];
      if (long === undefined) throw new UsageError(`unknown option ${arg}`);
      parsed.flags.set(long, true);
      continue;
    }
    if (/^-[A-Za-z]/.test(arg)) throw new UsageError(`unknown option ${arg}`);
    if (!arg.startsWith("--")) {
      parsed.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (spec.values.includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      parsed.flags.set(name, value);
      parsed.lists.set(name, [...(parsed.lists.get(name) ?? []), value]);
    } else if (spec.booleans?.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} does not take a value`);
      parsed.flags.set(name, true);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return parsed;
}

/** A string flag's value, `fallback` when absent. */
export function stringFlag(parsed: ParsedArgs, name: string, fallback: string): string {
  const raw = parsed.flags.get(name);
  return typeof raw === "string" ? raw : fallback;
}

/** A numeric flag (any JavaScript number literal, unless `syntax` says more), checked by `valid`; `undefined` when absent. */
export function numberFlag(parsed: ParsedArgs, name: string, valid: (n: number) => boolean, what: string, syntax = /\S/): number | undefined {
  const raw = parsed.flags.get(name);
  if (raw === undefined) return undefined;
  const n = typeof raw === "string" && syntax.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(n) || !valid(n)) throw new UsageError(`--${name} must be ${what}, got '${String(raw)}'`);
  return n;
}

/** `--format`: one of `formats` (the first is the default). */
export function formatFlag<F extends string>(parsed: ParsedArgs, formats: readonly F[]): F {
  const format = stringFlag(parsed, "format", formats[0]!);
  if (!(formats as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${formats.join(", ")}, got '${format}'`);
  return format as F;
}

/** The longest delay Node's timers honour (2^31 − 1 ms, about 24.8 days); longer ones fire after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * An integer flag written in decimal digits (no `1e3`, `0x10` or fractions), a safe integer
 * ≥ `min` and ≤ `max`; `undefined` when absent. `max` keeps absurd values (a timeout Node would
 * clamp to 1 ms, a workload that would never end or never fit in memory) a usage error; `why`
 * says where it comes from.
 */
export function integerFlag(parsed: ParsedArgs, name: string, min: number, max: number = Number.MAX_SAFE_INTEGER, why = ""): number | undefined {
  const what = min === 1 ? "a positive integer" : min === 0 ? "a non-negative integer" : `an integer ≥ ${min}`;
  const n = numberFlag(parsed, name, (x) => Number.isSafeInteger(x) && x >= min, what, /^\s*[-+]?\d+\s*$/);
  if (n !== undefined && n > max) throw new UsageError(`--${name} must be at most ${max}${why ? ` (${why})` : ""}, got '${String(parsed.flags.get(name))}'`);
  return n;
}

/**
 * Prints `lmcache-connector <command>: <message>` and the command's usage to stderr; returns
 * exit code 2, which every command uses for bad usage.
 */
export function printUsageError(io: CliIO, command: string, message: string, usage: string): number {
  io.stderr(`lmcache-connector ${command}: ${message}\n\n${usage}`);
  return 2;
}

/**
 * A command's whole command-line step: parses `args` by `spec` plus `--help`/`-h`, prints `usage`
 * for `--help` (exit code 0), else hands the parsed line to `read`; a {@link UsageError} from
 * either is printed with `usage` (exit code 2). Resolves to what `read` returned, or to the exit code.
 */
export function readCommandLine<T extends object | undefined>(
  args: readonly string[],
  io: CliIO,
  command: { name: string; usage: string },
  spec: FlagSpec,
  read: (parsed: ParsedArgs) => T,
): T | number {
  try {
    const parsed = parseArgs(args, { ...spec, booleans: ["help", ...(spec.booleans ?? [])], short: { h: "help", ...spec.short } });
    if (parsed.flags.has("help")) {
      io.stdout(command.usage);
      return 0;
    }
    return read(parsed);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return printUsageError(io, command.name, err.message, command.usage);
  }
}
