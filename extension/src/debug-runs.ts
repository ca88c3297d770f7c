/**
 * Conformance under the debugger (the Debug profile and "Debug this failure"): starts js-debug on
 * the bundled runner with the job as its argument, and reads the runner's NDJSON events back from
 * the session's stdout (a DebugAdapterTracker on `output` events), so results still land in the
 * TestRun. The run ends when the session terminates; cancelling the run stops the session.
 */
import * as vscode from "vscode";
import type { RunnerJob } from "../../runtime/src/runner/job.js";
import { decodeEvent } from "../../runtime/src/runner/protocol.js";
import { runnerLaunch } from "./debug-launch";
import type { RunReporter } from "./run-reporter";

/** The private key marking our sessions (js-debug copies it to its child sessions). */
const RUN_ID_KEY = "__lmcacheRunId";

interface Pending {
  reporter: RunReporter;
  buffer: string;
  session?: vscode.DebugSession;
  finished: () => void;
}

/** Owns the tracker and the sessions it follows. */
export class DebugRuns implements vscode.Disposable {
  private readonly pending = new Map<string, Pending>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly runnerPath: string, private readonly cacheDir: string, private readonly log: vscode.LogOutputChannel) {
    this.subscriptions = [
      vscode.debug.registerDebugAdapterTrackerFactory("*", { createDebugAdapterTracker: (s) => this.trackerFor(s) }),
      vscode.debug.onDidTerminateDebugSession((s) => {
        const runId = runIdOf(s);
        const p = runId ? this.pending.get(runId) : undefined;
        if (p && (p.session === undefined || p.session.id === s.id)) p.finished();
      }),
    ];
  }

  private trackerFor(session: vscode.DebugSession): vscode.DebugAdapterTracker | undefined {
    const runId = runIdOf(session);
    const p = runId ? this.pending.get(runId) : undefined;
    if (!p) return undefined;
    return {
      onDidSendMessage: (m: { type?: string; event?: string; body?: { category?: string; output?: string } }) => {
        if (m.type === "event" && m.event === "output" && m.body?.category === "stdout" && typeof m.body.output === "string") this.feed(p, m.body.output);
      },
    };
  }

  /** Feeds stdout text (NDJSON lines, possibly split) to the run's reporter. */
  feed(p: Pending, text: string): void {
    p.buffer += text;
    let nl: number;
    while ((nl = p.buffer.indexOf("\n")) >= 0) {
      const line = p.buffer.slice(0, nl).trim();
      p.buffer = p.buffer.slice(nl + 1);
      if (!line.startsWith("{")) continue;
      try {
        p.reporter.handle(decodeEvent(line));
      } catch (err) {
        this.log.debug(`debug session output not a runner event: ${(err as Error).message}`);
      }
    }
  }

  /** Starts `job` under the debugger in `folder` and resolves when the session ends. */
  async start(job: RunnerJob, folder: string, reporter: RunReporter, token: vscode.CancellationToken): Promise<void> {
    const runId = job.runId!;
    const config = runnerLaunch(job, this.runnerPath, this.cacheDir, `LMCache conformance: ${job.url}`);
    const done = new Promise<void>((resolve) => {
      this.pending.set(runId, { reporter, buffer: "", finished: resolve });
    });
    const sessionSub = vscode.debug.onDidStartDebugSession((s) => {
      const p = this.pending.get(runId);
      if (p && !p.session && runIdOf(s) === runId) p.session = s;
    });
    const cancelSub = token.onCancellationRequested(() => {
      const s = this.pending.get(runId)?.session;
      if (s) void vscode.debug.stopDebugging(s);
      this.pending.get(runId)?.finished();
    });
    try {
      const workspaceFolder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(folder));
      this.log.info(`debugging conformance: ${job.url} ${JSON.stringify(job.options ?? {})}`);
      const started = await vscode.debug.startDebugging(workspaceFolder, config as vscode.DebugConfiguration);
      if (!started) {
        this.log.error("the debug session could not be started");
        return;
      }
      await done;
    } finally {
      sessionSub.dispose();
      cancelSub.dispose();
      this.pending.delete(runId);
    }
  }

  /** The stdout sink of a pending run (tests feed it as js-debug would). */
  pendingRun(runId: string): Pending | undefined {
    return this.pending.get(runId);
  }

  dispose(): void {
    for (const p of this.pending.values()) p.finished();
    this.pending.clear();
    for (const s of this.subscriptions) s.dispose();
  }
}

function runIdOf(session: vscode.DebugSession): string | undefined {
  const own = session.configuration?.[RUN_ID_KEY];
  if (typeof own === "string") return own;
  const parent = session.parentSession?.configuration?.[RUN_ID_KEY];
  return typeof parent === "string" ? parent : undefined;
}
