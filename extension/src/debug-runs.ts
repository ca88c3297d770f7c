/**
 * Conformance under the debugger (the Debug profile and "Debug this failure"): the extension
 * starts the runner itself, exactly as for a Run (`startRunner`: events on the runner's own
 * channel, crash detection, process-group kill), but with `--inspect-brk=127.0.0.1:0`, and
 * attaches js-debug to the port the runner announces on stderr. The hang watchdog is off (a
 * runner paused on a breakpoint is not hung); a crash, an exit or a kill is still reported. The
 * run ends when the runner does; cancelling the run kills it, which ends the session.
 *
 * A Python connector's side is debugged with debugpy instead (python-debug.ts): the runner starts
 * without the inspector, its bridge listens under debugpy and announces its port, and each
 * announced bridge gets a `lmcache-connector-python` attach (no Python extension needed).
 */
import * as vscode from "vscode";
import { startRunner, type RunnerHandle } from "../../runtime/src/runner/client.js";
import { debuggingJob, type RunnerJob } from "../../runtime/src/runner/job.js";
import type { DebugJobTarget } from "./conformance-tests";
import { debugpyEnv, pythonRunnerAttach, runnerAttach } from "./debug-launch";
import { PYTHON_DEBUG_TYPE } from "./ids";
import { announceFile, kitPythonDirNear, watchAnnouncements } from "./python-debug";
import type { RunReporter } from "./run-reporter";

/** `Debugger listening on ws://127.0.0.1:PORT/uuid`, as Node prints it on stderr. */
const INSPECTOR_BANNER = /Debugger listening on ws:\/\/[^:]+:(\d+)\//;

/** Owns the debug runs in flight. */
export class DebugRuns implements vscode.Disposable {
  private readonly cancels = new Set<() => void>();

  constructor(private readonly runnerPath: string, private readonly cacheDir: string, private readonly log: vscode.LogOutputChannel) {}

  /** Starts `job` under the debugger in `folder` and resolves when the runner has ended. */
  async start(debugged: RunnerJob, folder: string, reporter: RunReporter, token: vscode.CancellationToken, target?: DebugJobTarget): Promise<void> {
    const job = debuggingJob(debugged); // a pause at a breakpoint is not a failed case
    if (target?.language === "python") return this.startPython(job, folder, reporter, token, target.env);
    const runId = job.runId!;
    const workspaceFolder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(folder));
    let stderr = "";
    let attached = false;
    let session: vscode.DebugSession | undefined;
    const sessionSub = vscode.debug.onDidStartDebugSession((s) => {
      if (!session && s.configuration?.__lmcacheRunId === runId) session = s;
    });
    this.log.info(`debugging conformance: ${job.url} ${JSON.stringify(job.options ?? {})}`);
    const handle = startRunner(job, {
      onEvent: (e) => reporter.handle(e),
      runnerPath: this.runnerPath,
      debugArgs: ["--inspect-brk=127.0.0.1:0"],
      // In desktop VS Code process.execPath is the Electron binary: make it behave as Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" },
      onStderr: (text) => {
        if (attached) return;
        stderr = (stderr + text).slice(-2000);
        const m = INSPECTOR_BANNER.exec(stderr);
        if (!m) return;
        attached = true;
        const config = runnerAttach(Number(m[1]), job.cwd, this.cacheDir, `LMCache conformance: ${job.url}`, runId);
        this.attach(workspaceFolder, config, "debug session", handle);
      },
    });
    try {
      await this.untilEnded(handle, token);
    } finally {
      sessionSub.dispose();
      if (session) void vscode.debug.stopDebugging(session);
    }
  }

  /** A Python connector's job: the runner plain, its bridge(s) under debugpy, one attach per bridge. */
  private async startPython(job: RunnerJob, folder: string, reporter: RunReporter, token: vscode.CancellationToken, env: Record<string, string>): Promise<void> {
    const runId = job.runId!;
    const workspaceFolder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(folder));
    const sessions: vscode.DebugSession[] = [];
    const sessionSub = vscode.debug.onDidStartDebugSession((s) => {
      if (s.configuration?.__lmcacheRunId === runId) sessions.push(s);
    });
    const announce = announceFile();
    this.log.info(`debugging conformance (Python, debugpy): ${job.url} ${JSON.stringify(job.options ?? {})}`);
    const handle = startRunner(job, {
      onEvent: (e) => reporter.handle(e),
      runnerPath: this.runnerPath,
      // no inspector, but the runner's watchdogs are off as for any debug run: a breakpoint is not a hang
      debug: true,
      env: { ...process.env, ...env, ...debugpyEnv(announce.file), ELECTRON_RUN_AS_NODE: "1" },
      onStderr: (text) => this.log.trace(`runner stderr: ${text.trimEnd()}`),
    });
    const kitDir = kitPythonDirNear(this.runnerPath);
    const watcher = watchAnnouncements(announce.file, (a) => {
      const config = pythonRunnerAttach(PYTHON_DEBUG_TYPE, a.port, `LMCache conformance: ${job.url}`, runId, kitDir);
      this.log.info(`attaching to the Python bridge (pid ${a.pid}) on 127.0.0.1:${a.port}`);
      this.attach(workspaceFolder, config, "Python debug session", handle);
    });
    try {
      await this.untilEnded(handle, token);
    } finally {
      watcher.dispose();
      announce.dispose();
      sessionSub.dispose();
      for (const s of sessions) void vscode.debug.stopDebugging(s);
    }
  }

  /** Starts debug session `config`; the run is cancelled when it cannot start. */
  private attach(folder: vscode.WorkspaceFolder | undefined, config: object, what: string, handle: RunnerHandle): void {
    void Promise.resolve(vscode.debug.startDebugging(folder, config as vscode.DebugConfiguration)).then(
      (ok) => {
        if (!ok) {
          this.log.error(`the ${what} could not be started`);
          handle.cancel();
        }
      },
      (err: unknown) => {
        this.log.error(`the ${what} could not be started: ${(err as Error)?.message ?? String(err)}`);
        handle.cancel();
      },
    );
  }

  /** Waits for the runner to end; `token` (and disposing this) cancels it. */
  private async untilEnded(handle: RunnerHandle, token: vscode.CancellationToken): Promise<void> {
    const cancel = (): void => handle.cancel();
    this.cancels.add(cancel);
    const cancelSub = token.onCancellationRequested(cancel);
    try {
      const outcome = await handle.done;
      this.log.info(`debug runner exited with ${outcome.exitCode ?? outcome.signal}${outcome.crashed ? ` (${outcome.crashed.reason})` : ""}`);
    } finally {
      this.cancels.delete(cancel);
      cancelSub.dispose();
    }
  }

  dispose(): void {
    for (const cancel of this.cancels) cancel();
    this.cancels.clear();
  }
}
