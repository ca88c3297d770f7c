/**
 * Starts and stops code-server 4.100.3 (VS Code 1.100.3 with a Node 20 extension host) on a free
 * loopback port, with its own user-data and extensions folders. The server runs in its own process
 * group so that stopping it also ends the extension host and everything the extension spawned.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { freeLoopbackPort } from "../../support/free-port";
import { E2E_CACHE, SETUP_SCRIPT } from "./paths";

/**
 * The code-server entry point. It is installed before any test starts (scripts/setup-test-env.sh,
 * npm test's pretest), never from inside a test: a missing install fails with the command to run.
 */
export function ensureCodeServer(): string {
  const entry = path.join(E2E_CACHE, "code-server", "node_modules", "code-server", "out", "node", "entry.js");
  const marker = path.join(E2E_CACHE, "code-server", ".installed-4.100.3");
  if (fs.existsSync(entry) && fs.existsSync(marker)) return entry;
  throw new Error(`code-server 4.100.3 is not installed in ${path.dirname(marker)}: run \`bash ${SETUP_SCRIPT}\` (npm test runs it before the tests)`);
}

/** Options of {@link startCodeServer}. */
export interface CodeServerOptions {
  /** The workspace folder to open. */
  folder: string;
  userDataDir: string;
  extensionsDir: string;
  /** File receiving the server's stdout and stderr. */
  logFile: string;
  /** Extra environment for the server (and so for the extension host). */
  env?: Record<string, string>;
}

/** A running code-server. */
export interface CodeServer {
  port: number;
  url: string;
  logFile: string;
  /** Ends the whole process group (TERM, then KILL after a grace period). Safe to call twice. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once("exit", () => {
  // Last resort when a test process dies without its afterAll: never leave servers behind.
  for (const child of live) killGroup(child, "SIGKILL");
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Starts code-server and waits until its /healthz answers. */
export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  const entry = ensureCodeServer();
  const port = await freeLoopbackPort();
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const log = fs.openSync(opts.logFile, "w");
  const args = [
    entry,
    "--auth", "none",
    "--bind-addr", `127.0.0.1:${port}`,
    "--extensions-dir", opts.extensionsDir,
    "--user-data-dir", opts.userDataDir,
    "--disable-telemetry",
    "--disable-update-check",
    "--disable-workspace-trust",
    "--disable-getting-started-override",
    opts.folder,
  ];
  const child = spawn(process.execPath, args, {
    detached: true, // own process group, so stop() reaches the extension host and its children
    stdio: ["ignore", log, log],
    // No NODE_PATH: the installed extension must find everything it loads inside itself.
    env: { ...process.env, ...opts.env, VSCODE_PROXY_URI: "", NODE_OPTIONS: "", NODE_PATH: "" },
  });
  fs.closeSync(log);
  live.add(child);
  let exited: string | null = null;
  const exitPromise = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      exited = `exited with ${signal ?? code}`;
      live.delete(child);
      resolve();
    });
  });

  const stop = async (): Promise<void> => {
    if (exited) return;
    killGroup(child, "SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), 5_000);
    await exitPromise;
    clearTimeout(timer);
    killGroup(child, "SIGKILL"); // stragglers of the group (extension host children)
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited) throw new Error(`code-server ${exited} before it answered; log:\n${tail(opts.logFile)}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer on ${url} within 90 s; log:\n${tail(opts.logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { port, url, logFile: opts.logFile, stop };
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
