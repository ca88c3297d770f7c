/**
 * Entry point of the `lmcache-connector` CLI. Each command lives in its own module under
 * `commands/`; this file only dispatches. Exit codes: 0 ok, 1 a check failed, 2 bad usage or a
 * connector that could not be loaded.
 */
import type { CliCommand, CliIO } from "./command";
import { defaultIO } from "./command";

/** Command table: name → lazily imported module (keeps `--help` fast). */
const COMMANDS: Record<string, () => Promise<CliCommand>> = {
  check: async () => (await import("./commands/check.js")).default as unknown as CliCommand,
  lint: async () => (await import("./commands/lint.js")).default as unknown as CliCommand,
  run: async () => (await import("./commands/run.js")).default as unknown as CliCommand,
  bench: async () => (await import("./commands/bench.js")).default as unknown as CliCommand,
  demo: async () => (await import("./commands/demo.js")).default as unknown as CliCommand,
};

/** Top-level help; each command's one-line summary comes from its own module. */
async function usage(): Promise<string> {
  const names = Object.keys(COMMANDS).sort();
  const width = Math.max(...names.map((n) => n.length));
  const lines = await Promise.all(names.map(async (n) => `  ${n.padEnd(width)}  ${(await COMMANDS[n]()).summary}`));
  return [
    "Usage: lmcache-connector <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Run `lmcache-connector <command> --help` for a command's options; `--version` prints versions.",
  ].join("\n");
}

/** Runs the CLI with `argv` (without `node` and the script path); resolves to the exit code. */
export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout((await usage()) + "\n");
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-V") {
    io.stdout(await (await import("./version.js")).versionText());
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.stderr(`lmcache-connector: unknown command '${name}'\n\n${await usage()}\n`);
    return 2;
  }
  const command = await load();
  return command.run(rest, io);
}
