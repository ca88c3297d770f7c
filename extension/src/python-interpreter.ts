/**
 * Which Python runs the workspace's Python connectors, and what it has. The setting
 * `lmcacheConnector.python` wins; else the interpreter the Python extension (`ms-python.python`)
 * has selected for the folder, when that extension is installed (its API
 * `environments.getActiveEnvironmentPath`); else the runtime's own discovery (`findInterpreter`:
 * `python3` on PATH, then `/usr/bin/python3`, the first that can import torch), exactly as the
 * CLI does. The choice reaches the runner as `LMCACHE_PYTHON` (the CLI's `--python`).
 *
 * A probe (no workspace code: it runs in a temporary folder and only looks packages up, it does not
 * import torch) reports the version, torch's version and which `lmcache` a run would use (an
 * installed LMCache, else the kit's). Nothing runs until the workspace is trusted.
 */
import { execFile } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import { INSTALL_HINT, parseInterpreterProbe, PROBE_SCRIPT, PROBE_VERSIONS, type InterpreterProbe } from "../../runtime/src/python/interpreter";
import { loadLintCore } from "./core";
import { SETTINGS, SETTINGS_SECTION } from "./ids";

/** Where the interpreter came from. */
export type InterpreterSource = "setting" | "python-extension" | "discovered";

/** The interpreter chosen for a folder (no path: none could be discovered; `problem` says why). */
export interface InterpreterChoice {
  path?: string;
  source: InterpreterSource;
  problem?: string;
}

/** What the probe (the runtime's, as the CLI runs it) found. */
export type InterpreterInfo = InterpreterChoice & InterpreterProbe;

/**
 * The setting (a path; `${workspaceFolder}` and a relative path resolve against the folder; a bare
 * name such as `python3` is looked up on PATH by the runtime), else the Python extension's choice.
 */
export function chooseInterpreter(setting: unknown, fromPythonExtension: string | undefined, folder: string | undefined): InterpreterChoice | undefined {
  if (typeof setting === "string" && setting.trim() !== "") {
    let p = setting.trim().replace(/\$\{workspaceFolder\}/g, folder ?? "").replace(/^~(?=\/)/, os.homedir());
    if (p.includes("/") && !path.isAbsolute(p) && folder) p = path.resolve(folder, p);
    return { path: p, source: "setting" };
  }
  if (fromPythonExtension) return { path: fromPythonExtension, source: "python-extension" };
  return undefined;
}

/** The runtime's discovery, as the CLI runs it (never throws: a failure is the choice's `problem`). */
export async function discoverInterpreter(env: NodeJS.ProcessEnv = process.env): Promise<InterpreterChoice> {
  const { LMCACHE_PYTHON: _named, ...rest } = env;
  const { findInterpreter } = await loadLintCore();
  try {
    return { path: findInterpreter(rest).path, source: "discovered" };
  } catch (err) {
    return { source: "discovered", problem: (err as Error).message };
  }
}

/** Turns the probe's output into what the status shows; `problem` set when the interpreter cannot run connectors. */
export function parseProbe(choice: InterpreterChoice, stdout: string): InterpreterInfo {
  return { ...choice, ...parseInterpreterProbe(choice.path ?? "python", stdout) };
}

/** Runs the probe (a few hundred ms; never imports torch or workspace code). */
export function probeInterpreter(choice: InterpreterChoice, timeoutMs = 15_000): Promise<InterpreterInfo> {
  if (!choice.path) return Promise.resolve(choice);
  return new Promise((resolve) => {
    execFile(choice.path!, ["-c", PROBE_SCRIPT, PROBE_VERSIONS], { cwd: os.tmpdir(), timeout: timeoutMs, encoding: "utf8", env: { ...process.env, PYTHONPATH: "" } }, (err, stdout) => {
      if (err && !stdout) resolve({ ...choice, problem: `${choice.path} could not be run (${(err as NodeJS.ErrnoException).code ?? err.message})` });
      else resolve(parseProbe(choice, stdout));
    });
  });
}

/** Where the choice came from, in words. */
export function sourceText(source: InterpreterSource): string {
  return source === "setting" ? "setting lmcacheConnector.python" : source === "python-extension" ? "the Python extension's selected interpreter" : "discovered like the CLI: python3 with torch, else /usr/bin/python3";
}

/** What to install: the runtime's INSTALL_HINT without its CLI-only tail (`or name an interpreter … --python`). */
export const INSTALL_TORCH = INSTALL_HINT.slice(0, INSTALL_HINT.indexOf(", or name "));

/** The actionable message for an interpreter that cannot run Python connectors. */
export function problemMessage(info: InterpreterInfo): string {
  const fix = info.source === "setting"
    ? "or point the setting lmcacheConnector.python at an interpreter that has torch (e.g. /usr/bin/python3 with python3-torch)."
    : "or set lmcacheConnector.python to an interpreter that has torch (e.g. /usr/bin/python3 with python3-torch).";
  return `LMCache Python connectors cannot run: ${info.problem} (${sourceText(info.source)}). ${INSTALL_TORCH}, ${fix}`;
}

/** The short status text: `Python 3.11.2 · torch 2.1 · lmcache (kit's)`. */
export function statusText(info: InterpreterInfo): string {
  if (info.problem) return info.torch === null ? `Python ${info.version ?? "?"}: no torch` : "Python: not usable";
  const lm = info.lmcache?.source === "installed" ? `lmcache ${info.lmcache.version ?? "(installed)"}` : "lmcache (kit's)";
  return `Python ${info.version} · torch ${info.torch} · ${lm}`;
}

/** The subset of the Python extension's API used here (its `environments` API). */
interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath?(resource?: vscode.Uri): { path: string } | undefined;
    onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
  };
}

/**
 * The Python extension's selected interpreter for `folder`, when that extension is installed
 * (`onChange`: subscribed to its selection changes, once).
 */
export async function pythonExtensionInterpreter(folder: vscode.Uri | undefined, onChange?: (event: vscode.Event<unknown>) => void): Promise<string | undefined> {
  const ext = vscode.extensions?.getExtension<PythonExtensionApi>("ms-python.python");
  if (!ext) return undefined;
  try {
    const api = ext.isActive ? ext.exports : await ext.activate();
    const changes = api?.environments?.onDidChangeActiveEnvironmentPath;
    if (changes && onChange) onChange(changes);
    const p = api?.environments?.getActiveEnvironmentPath?.(folder)?.path;
    return typeof p === "string" && p !== "" ? p : undefined;
  } catch {
    return undefined;
  }
}

/** Resolves and probes the interpreter per folder, cached until the setting changes. */
export class PythonInterpreters implements vscode.Disposable {
  private readonly cache = new Map<string, Promise<InterpreterInfo>>();
  private readonly warned = new Set<string>();
  private watchingPythonExtension = false;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Called with each newly probed interpreter (the status item shows it). */
  onProbed: (info: InterpreterInfo) => void = () => undefined;

  constructor(private readonly log: vscode.LogOutputChannel) {
    const configured = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<unknown>(SETTINGS.python, "");
    if (typeof configured === "string" && configured.trim() !== "") log.info(`Python connectors run with ${configured} (setting)`);
    this.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SETTINGS_SECTION}.${SETTINGS.python}`)) this.cache.clear();
    }));
  }

  /** The interpreter for `folder` and what it has. */
  resolve(folder: vscode.Uri | undefined): Promise<InterpreterInfo> {
    const key = folder?.toString() ?? "";
    let hit = this.cache.get(key);
    if (!hit) {
      hit = this.compute(folder);
      this.cache.set(key, hit);
    }
    return hit;
  }

  private async compute(folder: vscode.Uri | undefined): Promise<InterpreterInfo> {
    const setting = vscode.workspace.getConfiguration(SETTINGS_SECTION, folder).get<unknown>(SETTINGS.python, "");
    const fromExtension = await pythonExtensionInterpreter(folder, (changes) => {
      if (this.watchingPythonExtension) return;
      this.watchingPythonExtension = true;
      // another interpreter selected in the Python extension: resolve again on the next run
      this.subscriptions.push(changes(() => this.cache.clear()) as vscode.Disposable);
    });
    const choice = chooseInterpreter(setting, fromExtension, folder?.fsPath) ?? (await discoverInterpreter());
    const info = choice.problem ? (choice as InterpreterInfo) : await probeInterpreter(choice);
    this.log.info(`Python for ${folder?.fsPath ?? "the window"}: ${info.path ?? "none"} (${sourceText(info.source)})${info.problem ? ` — ${info.problem}` : `, ${statusText(info)}`}`);
    this.onProbed(info);
    if (info.problem && !this.warned.has(info.path ?? "")) {
      this.warned.add(info.path ?? "");
      void Promise.resolve(vscode.window.showErrorMessage(problemMessage(info), "Open Settings")).then((choice) => {
        if (choice === "Open Settings") void vscode.commands.executeCommand("workbench.action.openSettings", `${SETTINGS_SECTION}.${SETTINGS.python}`);
      });
    }
    return info;
  }

  /** The runner's environment for a Python connector of `folder`: `LMCACHE_PYTHON` when one was chosen. */
  async runnerEnv(folder: vscode.Uri | undefined): Promise<Record<string, string>> {
    const info = await this.resolve(folder);
    return info.path ? { LMCACHE_PYTHON: info.path } : {};
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.cache.clear();
  }
}
