/**
 * The tiny flag parser shared by `run`, `bench` and `demo` (ours): `--name value`, `--name=value`,
 * boolean `--flag`, positionals. Unknown flags and bad numbers are usage errors (exit code 2).
 */
export class UsageError extends Error {
  override name = "UsageError";
}

export interface FlagSpec {
  /** Flags that take a value, e.g. `["cwd", "requests"]`. */
  values: readonly string[];
  /** Flags without a value. */
  booleans?: readonly string[];
}

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

export function parseArgs(args: readonly string[], spec: FlagSpec): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--") || arg === "--") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (spec.values.includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
    } else if (spec.booleans?.includes(name) && eq < 0) {
      flags.set(name, true);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return { positionals, flags };
}

/** A numeric flag, checked by `valid`; `undefined` when absent. */
export function numberFlag(parsed: ParsedArgs, name: string, valid: (n: number) => boolean, what: string): number | undefined {
  const raw = parsed.flags.get(name);
  if (raw === undefined) return undefined;
  const n = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
  if (!Number.isFinite(n) || !valid(n)) throw new UsageError(`--${name} must be ${what}, got '${String(raw)}'`);
  return n;
}

export const isPositiveInt = (n: number): boolean => Number.isInteger(n) && n > 0;
export const isNonNegativeInt = (n: number): boolean => Number.isInteger(n) && n >= 0;
