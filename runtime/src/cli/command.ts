/** What every CLI command module exports as its default. */
export interface CliCommand {
  /** One-line summary shown in `lmcache-connector --help`. */
  summary: string;
  /** Runs the command; resolves to the process exit code. */
  run(args: string[], io: CliIO): Promise<number>;
}

/** Output streams and environment, injectable so tests run commands in-process. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stdout is a terminal (enables colour and live progress). */
  isTTY: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function defaultIO(): CliIO {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    isTTY: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    cwd: process.cwd(),
    env: process.env,
  };
}
