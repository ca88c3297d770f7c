/**
 * Entry point of `dist/runner.js`, the process that runs a connector on behalf of the CLI and the
 * VS Code extension (ours). It reads one JSON job (first argument, or first stdin line), streams
 * NDJSON events (see `protocol.ts`) on stdout and exits.
 *
 * Channel choice: stdout carries events only. `console.*` and stray `process.stdout.write` calls
 * from connector code become `log` events (see `stdout-guard.ts`). When the connector takes the
 * process down — `process.exit`, an unhandled rejection, an uncaught exception — the runner writes
 * one fatal line on stderr (see `fatal.ts`) that the supervising parent turns into `runner-crashed`.
 * Started with `--enable-source-maps` (and optionally `--inspect-brk=0`), so stack traces and
 * breakpoints land in the connector's TypeScript.
 */
import { createInterface } from "node:readline";
import { setLogSink } from "../logging";
import { describeThrown, encodeFatal, FATAL_EXIT_CODE } from "./fatal";
import { executeJob } from "./execute-job";
import { parseJob } from "./job";
import { installStdoutGuard } from "./stdout-guard";

const realExit = process.exit.bind(process) as (code?: number) => never;

function die(reason: "exit" | "unhandled-rejection", detail: string, code: number): never {
  process.stderr.write(encodeFatal({ reason, detail }));
  return realExit(code);
}

async function readJobText(): Promise<string> {
  const arg = process.argv[2];
  if (arg !== undefined && arg.trim().startsWith("{")) return arg;
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  throw new Error("runner: no job given (pass JSON as the first argument or the first stdin line)");
}

async function main(): Promise<void> {
  const writer = installStdoutGuard();
  process.on("unhandledRejection", (reason) => die("unhandled-rejection", describeThrown(reason), FATAL_EXIT_CODE));
  process.on("uncaughtException", (err) => die("exit", `uncaught exception: ${describeThrown(err)}`, FATAL_EXIT_CODE));
  // A connector calling process.exit would end the run silently; record who did it, then let it.
  process.exit = ((code?: number) =>
    die("exit", `process.exit(${code ?? ""}) called by connector code\n${new Error("process.exit").stack ?? ""}`, code ?? 0)) as typeof process.exit;

  const job = parseJob(await readJobText());
  const runId = job.runId ?? `run-${process.pid}-${Date.now().toString(36)}`;
  writer.setRunId(runId);
  setLogSink((record) => {
    if (record.level !== "debug") writer.emit({ v: 1, type: "log", runId, level: record.level, message: `${record.logger}: ${record.message}` });
  });
  const code = await executeJob({ ...job, runId }, writer.emit);
  await writer.flush();
  // Connectors may leave sockets or timers open; the run is over, so leave without waiting for them.
  realExit(code);
}

main().catch((err: unknown) => {
  process.stderr.write(`runner: ${describeThrown(err)}\n`);
  realExit(2);
});
