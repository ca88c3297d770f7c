/**
 * The Python side of a connector under the debugger, with no Python extension needed: the kit's
 * bridge runs under debugpy (bridge.py, `LMCACHE_KIT_DEBUGPY`), and debugpy speaks the Debug
 * Adapter Protocol itself — so for our debug type `lmcache-connector-python` the extension hands
 * VS Code a `DebugAdapterServer` on the port the bridge announced (127.0.0.1 only), and VS Code
 * sends debugpy `initialize` + `attach` as to any adapter. Breakpoints in the connector's `.py`
 * bind before its module is imported (the bridge waits for the attach).
 *
 * Two ways in: the Debug profile / "Debug this failure" (debug-runs.ts starts the runner and
 * attaches per announced bridge: `__lmcacheDebugpyPort`), and F5 (`__lmcacheLaunch`: the factory
 * starts the CLI itself, in its own process group, and ends it with the session).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import { debugpyEnv, parseAnnouncements, type DebugpyAnnouncement, type PythonLaunchSpec } from "./debug-launch";
import { findKitPythonDir } from "../../runtime/src/python/kit-python-dir.js";
import { PYTHON_DEBUG_TYPE } from "./ids";

/** How long F5 waits for the bridge to listen (interpreter and torch start: about 1.5 s). */
const ANNOUNCE_TIMEOUT_MS = 60_000;
/** The session ends when the bridge exits; the CLI may still be printing its report for this long. */
const REPORT_GRACE_MS = 5_000;
const POLL_MS = 100;

/** The kit's Python folder (bridge, kit lmcache) beside a runner or CLI bundle, found as the runtime finds it. */
export function kitPythonDirNear(file: string): string | undefined {
  return findKitPythonDir(path.dirname(file)) ?? undefined;
}

/** A fresh announce file in a private temporary folder; `dispose` removes it. */
export function announceFile(): { file: string; dispose(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lmcache-debugpy-"));
  return { file: path.join(dir, "announce"), dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Calls `onAnnounce` once per bridge that announces itself in `file`, until disposed. */
export function watchAnnouncements(file: string, onAnnounce: (a: DebugpyAnnouncement) => void): vscode.Disposable {
  let seen = 0;
  const timer = setInterval(() => {
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch {
      return;
    }
    const all = parseAnnouncements(text.slice(0, text.lastIndexOf("\n") + 1));
    for (const a of all.slice(seen)) onAnnounce(a);
    seen = all.length;
  }, POLL_MS);
  return new vscode.Disposable(() => clearInterval(timer));
}

/** A terminal showing a process's output (closing it ends the process through `onClose`). */
function outputTerminal(name: string, onClose: () => void): { write(text: string): void } {
  const writes = new vscode.EventEmitter<string>();
  const pending: string[] = [];
  let open = false;
  const pty: vscode.Pseudoterminal = {
    onDidWrite: writes.event,
    open: () => {
      open = true;
      for (const t of pending.splice(0)) writes.fire(t);
    },
    close: onClose,
  };
  const terminal = vscode.window.createTerminal({ name, pty });
  terminal.show(true);
  return {
    write: (text) => {
      const t = text.replace(/\r?\n/g, "\r\n");
      if (open) writes.fire(t);
      else pending.push(t);
    },
  };
}

/** The adapter of `lmcache-connector-python` sessions: debugpy's, over TCP. */
export class PythonDebugAdapterFactory implements vscode.DebugAdapterDescriptorFactory, vscode.Disposable {
  private readonly launched = new Map<string, { child: ChildProcess; cleanup(): void }>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.subscription = vscode.debug.onDidTerminateDebugSession((s) => this.end(s.id, REPORT_GRACE_MS));
  }

  async createDebugAdapterDescriptor(session: vscode.DebugSession): Promise<vscode.DebugAdapterDescriptor> {
    const config = session.configuration;
    if (typeof config.__lmcacheDebugpyPort === "number") return new vscode.DebugAdapterServer(config.__lmcacheDebugpyPort, "127.0.0.1");
    const launch = config.__lmcacheLaunch as PythonLaunchSpec | undefined;
    if (!launch) throw new Error("an lmcache-connector-python session is started by the LMCache extension (F5 on an lmcache-connector configuration, or the Testing view's Debug)");
    const port = await this.launch(session, launch);
    return new vscode.DebugAdapterServer(port, "127.0.0.1");
  }

  /**
   * Starts the CLI with its bridge under debugpy; resolves with the port once the bridge listens.
   * A later bridge of the same run (one starts anew after a bridge was stopped) gets a child session.
   */
  private launch(session: vscode.DebugSession, launch: PythonLaunchSpec): Promise<number> {
    const sessionId = session.id;
    const announce = announceFile();
    this.log.info(`F5 (Python, debugpy): ${launch.program} ${launch.args.join(" ")}`);
    const child = spawn(process.execPath, [launch.program, ...launch.args], {
      cwd: launch.cwd,
      env: { ...process.env, ...launch.env, ...debugpyEnv(announce.file), ELECTRON_RUN_AS_NODE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    // The CLI's output goes to a terminal of its own, as js-debug's integratedTerminal does for a
    // TS connector: its report comes after the bridge (and so the debug session) has ended.
    const terminal = outputTerminal(`LMCache: ${session.name}`, () => this.end(sessionId));
    const console = (text: string): void => {
      terminal.write(text);
      this.log.info(text.trimEnd());
    };
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => console(d.toString("utf8")));
    child.stderr?.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString("utf8")).slice(-4000);
      console(d.toString("utf8"));
    });
    let watcher: vscode.Disposable | undefined;
    const cleanup = (): void => {
      watcher?.dispose();
      announce.dispose();
    };
    this.launched.set(sessionId, { child, cleanup });
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`the connector's Python bridge did not start listening for the debugger within ${ANNOUNCE_TIMEOUT_MS / 1000} s`));
        this.end(sessionId);
      }, ANNOUNCE_TIMEOUT_MS);
      let first = true;
      watcher = watchAnnouncements(announce.file, (a) => {
        clearTimeout(timer);
        if (first) {
          first = false;
          resolve(a.port);
          return;
        }
        const { __lmcacheLaunch: _launch, ...rest } = session.configuration;
        void vscode.debug.startDebugging(session.workspaceFolder, { ...rest, name: `${session.name} (bridge ${a.pid})`, __lmcacheDebugpyPort: a.port }, { parentSession: session });
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        cleanup();
        reject(new Error(`lmcache-connector exited (${signal ?? `code ${code}`}) before its Python bridge listened for the debugger${stderr.trim() ? `:\n${stderr.trim()}` : ""}`));
      });
    });
  }

  /**
   * Ends the CLI started for a session (its whole process group: runner and bridge too), after
   * `graceMs` if it is still running then (it prints its report once the bridge has exited).
   */
  private end(sessionId: string, graceMs = 0): void {
    const entry = this.launched.get(sessionId);
    if (!entry) return;
    this.launched.delete(sessionId);
    entry.cleanup();
    const child = entry.child;
    const kill = (): void => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    };
    if (graceMs <= 0) return kill();
    const timer = setTimeout(kill, graceMs);
    timer.unref();
    child.once("exit", () => clearTimeout(timer));
  }

  dispose(): void {
    this.subscription.dispose();
    for (const id of [...this.launched.keys()]) this.end(id);
  }
}

/** Refuses hand-written `lmcache-connector-python` configurations with a pointer to the right one. */
class PythonSideConfigurationProvider implements vscode.DebugConfigurationProvider {
  resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
    if (typeof config.__lmcacheDebugpyPort === "number" || config.__lmcacheLaunch) return config;
    void vscode.window.showErrorMessage('Use a "lmcache-connector" configuration with "language": "python" (Run against local cache); the extension starts the Python side under debugpy itself.');
    return undefined;
  }

  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return [];
  }
}

/** Registers the Python side's adapter factory and configuration providers. */
export function registerPythonDebug(log: vscode.LogOutputChannel): vscode.Disposable[] {
  const factory = new PythonDebugAdapterFactory(log);
  const provider = new PythonSideConfigurationProvider();
  return [
    factory,
    vscode.debug.registerDebugAdapterDescriptorFactory(PYTHON_DEBUG_TYPE, factory),
    vscode.debug.registerDebugConfigurationProvider(PYTHON_DEBUG_TYPE, provider, vscode.DebugConfigurationProviderTriggerKind.Initial),
    vscode.debug.registerDebugConfigurationProvider(PYTHON_DEBUG_TYPE, { provideDebugConfigurations: () => [] }, vscode.DebugConfigurationProviderTriggerKind.Dynamic),
  ];
}
