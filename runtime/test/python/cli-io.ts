/** A captured CliIO for the CLI tests on Python connectors: cwd is the Python fixtures, no TTY. */
import type { CliIO } from "../../src/cli/command";
import { FIXTURES } from "./load-connector";

/** Fresh IO whose stdout/stderr collect into `out`/`err`. */
export function io(): CliIO & { out: string; err: string } {
  const box = { out: "", err: "", isTTY: false, cwd: FIXTURES, env: { ...process.env }, stdout: (t: string) => void (box.out += t), stderr: (t: string) => void (box.err += t) };
  return box;
}
