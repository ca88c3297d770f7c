/**
 * Conformance under the debugger (the Debug profile and "Debug this failure"): the extension
 * starts the runner itself, exactly as for a Run (`startRunner`: events on the runner's own
 * channel, crash detection, process-group kill), but with `--inspect-brk=127.0.0.1:0`, and
 * attaches js-debug to the port the runner announces on stderr. The hang watchdog is off (a
 * runner paused on a breakpoint is not hung); a crash, an exit or a kill is still reported. The
 * run ends when the runner does; cancelling the run kills it, which ends the session.
 */
import * as vscode from "vscode";
import { startRunner } from "../../runtime/src/runner/client.js";
import type { RunnerJob } from "../../runtime/src/runner/job.js";
import { runnerAttach } from "./debug-launch";
import type { RunReporter } from "./run-reporter";

/** `Debugger listening on ws://127.0.0.1:PORT/uuid`, as Node prints it on stderr. */
const INSPECTOR_BANNER = /Debugger listening on ws:\/\/[^:]+:(\d+)\//;

/** Owns the debug runs in flight. */
export class DebugRuns implements vscode.Disposable {
  private readonly cancels = new Set<() => void>();

  constructor(private readonly runnerPath: string, private readonly cacheDir: string, private readonly log: vscode.LogOutputChannel) {}

  /** Starts `job` under the debugger in `folder` and resolves when the runner has ended. */
  async start(job: RunnerJob, folder: string, reporter: RunReporter, token: vscode.CancellationToken): Promise<void> {
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
        void Promise.resolve(vscode.debug.startDebugging(workspaceFolder, config as vscode.DebugConfiguration)).then(
          (ok) => {
            if (!ok) {
              this.log.error("the debug session could not be started");
              handle.cancel();
            }
          },
          (err: unknown) => {
            this.log.error(`the debug session could not be started: ${(err as Error)?.message ?? String(err)}`);
            handle.cancel();
          },
        );
      },
    });
    const cancel = (): void => handle.cancel();
    this.cancels.add(cancel);
    const cancelSub = token.onCancellationRequested(cancel);
    try {
      const outcome = await handle.done;
      this.log.info(`debug runner exited with ${outcome.exitCode ?? outcome.signal}${outcome.crashed ? ` (${outcome.crashed.reason})` : ""}`);
    } finally {
      this.cancels.delete(cancel);
      cancelSub.dispose();
      sessionSub.dispose();
      if (session) void vscode.debug.stopDebugging(session);
    }
  }

  dispose(): void {
    for (const cancel of this.cancels) cancel();
    this.cancels.clear();
  }
}
