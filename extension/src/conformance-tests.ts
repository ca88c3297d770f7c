/**
 * Live conformance results through the Testing API: one TestController whose items are the
 * connector classes found statically, TS/JS and Python (with their source ranges; a Python
 * connector runs in the kit's bridge with the folder's interpreter), their conformance categories and
 * cases (explanations as descriptions). The Run profile starts the bundled runner as a child
 * process per connector and streams its NDJSON events into the TestRun; it supports continuous
 * runs (on save, only classes whose file or imports changed re-run, debounced). The Debug profile
 * and "Debug this failure" relaunch the runner under js-debug (see `debug-runs.ts`). Nothing runs
 * until the workspace is trusted.
 */
import { randomUUID } from "node:crypto";
import * as vscode from "vscode";
import type { CaseInfo } from "../../runtime/src/runner/protocol.js";
import { startRunner } from "../../runtime/src/runner/client.js";
import type { RunnerJob } from "../../runtime/src/runner/job.js";
import { connectorDependencies, connectorId, connectorsInFile, connectorUrl, findConnectors, type ConnectorClass } from "./connectors";
import { loadLintCore } from "./core";
import { KeyedDebouncer } from "./debounce";
import { TEST_CONTROLLER_ID } from "./ids";
import { RunReporter, type CaseOutcome } from "./run-reporter";
import { readSettings } from "./settings";
import type { ConformanceStatus } from "./conformance-status";
import type { TrustGate } from "./trust";

/** What a test item stands for. */
type ItemData =
  | { kind: "connector"; connector: ConnectorClass }
  | { kind: "category"; connector: ConnectorClass; category: string }
  | { kind: "case"; connector: ConnectorClass; info: CaseInfo };

/** Delay between the last save and a continuous re-run. */
export const CONTINUOUS_DEBOUNCE_MS = 300;

/** Options (tests shorten the runner's hang watchdog). */
export interface ConformanceTestsOptions {
  runnerPath?: string;
  hardTimeoutMs?: number;
  debounceMs?: number;
}

/** A selection of one connector's cases: all of them, or case-id globs. */
interface Selection {
  connector: ConnectorClass;
  item: vscode.TestItem;
  cases: Map<string, vscode.TestItem>;
  globs: string[] | undefined;
}

/** Replays a run of specific cases with a given seed/replay path (Debug this failure). */
export interface ReplayOptions {
  seed?: number;
  replayPath?: string;
}

/** How a debug run starts: the connector's language picks the debugger (js-debug or debugpy); `env` is the runner's extra environment. */
export interface DebugJobTarget {
  language: "ts" | "python";
  env: Record<string, string>;
}

/** Starts a debug session for a runner job and resolves when it ends (see debug-runs.ts). */
export type DebugJobStarter = (job: RunnerJob, folder: string, reporter: RunReporter, token: vscode.CancellationToken, target?: DebugJobTarget) => Promise<void>;

/** The runner's extra environment for a Python connector of a folder (the interpreter: python-interpreter.ts). */
export type PythonEnvProvider = (folder: string) => Promise<Record<string, string>>;

export class ConformanceTests implements vscode.Disposable {
  readonly controller: vscode.TestController;
  readonly runProfile: vscode.TestRunProfile;
  readonly debugProfile: vscode.TestRunProfile;
  private readonly data = new WeakMap<vscode.TestItem, ItemData>();
  private catalog: CaseInfo[] | undefined;
  /** Last outcome per case item id. */
  readonly outcomes = new Map<string, CaseOutcome>();
  private readonly continuous = new Set<{ request: vscode.TestRunRequest; profile: vscode.TestRunProfile }>();
  private readonly saveDebouncer: KeyedDebouncer<string>;
  private readonly changedFiles = new Set<string>();
  private readonly subscriptions: vscode.Disposable[] = [];
  debugStarter: DebugJobStarter | undefined;
  /** `LMCACHE_PYTHON` & co. for Python connectors (none: the runtime discovers the interpreter). */
  pythonEnv: PythonEnvProvider = async () => ({});
  /** Process id of the last runner started (tests check it is gone after a cancel). */
  lastRunnerPid: number | undefined;

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly trust: TrustGate,
    private readonly status: ConformanceStatus,
    private readonly options: ConformanceTestsOptions = {},
  ) {
    this.controller = vscode.tests.createTestController(TEST_CONTROLLER_ID, "LMCache conformance");
    this.controller.refreshHandler = () => this.refresh();
    // Discovery loads the lint core and TypeScript (a one-time block of the extension host), so it
    // waits for the Testing view to ask for its root items instead of running at activation.
    this.controller.resolveHandler = (item) => (item ? undefined : this.discover());
    this.runProfile = this.controller.createRunProfile("Run conformance", vscode.TestRunProfileKind.Run, (r, t) => this.runHandler(r, t), true, undefined, true);
    this.debugProfile = this.controller.createRunProfile("Debug conformance", vscode.TestRunProfileKind.Debug, (r, t) => this.debugHandler(r, t), true);
    this.saveDebouncer = new KeyedDebouncer(options.debounceMs ?? CONTINUOUS_DEBOUNCE_MS);
    this.subscriptions.push(vscode.workspace.onDidSaveTextDocument((doc) => this.onSaved(doc.uri)));
  }

  private async cases(): Promise<CaseInfo[]> {
    if (!this.catalog) {
      const core = await loadLintCore();
      this.catalog = core.selectCases().map(core.caseInfo);
    }
    return this.catalog;
  }

  /** What `item` stands for. */
  dataOf(item: vscode.TestItem): ItemData | undefined {
    return this.data.get(item);
  }

  /** The connector items, in tree order. */
  connectorItems(): vscode.TestItem[] {
    const items: vscode.TestItem[] = [];
    this.controller.items.forEach((item) => items.push(item));
    return items;
  }

  /** Called once, after the first discovery (connector-features shows Python interpreters then). */
  onDiscovered: (() => void) | undefined;
  private discovery: Promise<void> | undefined;

  /**
   * Discovers the workspace's connectors once, on first need: the Testing view resolving its root
   * (VS Code calls `resolveHandler(undefined)` when the view first shows or a run needs the tree),
   * or a Python file opened in a trusted workspace. Later calls return the same promise.
   */
  discover(): Promise<void> {
    this.discovery ??= this.refresh().then(() => this.onDiscovered?.());
    return this.discovery;
  }

  /** Whether discovery has started (tests: activation leaves it for later). */
  get discoveryStarted(): boolean {
    return this.discovery !== undefined;
  }

  /** Re-discovers every workspace folder's connectors and rebuilds the tree. */
  async refresh(): Promise<void> {
    const found: ConnectorClass[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme === "file") found.push(...(await findConnectors(folder.uri.fsPath, readSettings(folder.uri).searchPaths)));
    }
    const items = await Promise.all(found.map((c) => this.connectorItem(c)));
    this.controller.items.replace(items);
    this.status.retain(new Set(found.map(connectorId)));
    this.log.debug(`conformance: ${found.length} connector class(es) found`);
  }

  /** Re-discovers the connectors of one file (after a save); returns the file's connector items. */
  async refreshFile(file: string): Promise<vscode.TestItem[]> {
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file));
    if (!folder) return [];
    const found = await connectorsInFile(folder.uri.fsPath, file, undefined, readSettings(folder.uri).searchPaths);
    for (const item of this.connectorItems()) {
      const d = this.data.get(item);
      if (d?.kind === "connector" && d.connector.file === file && !found.some((c) => connectorId(c) === item.id)) this.controller.items.delete(item.id);
    }
    const items: vscode.TestItem[] = [];
    for (const c of found) {
      const existing = this.controller.items.get(connectorId(c));
      if (existing) {
        existing.range = toRange(c);
        this.data.set(existing, { kind: "connector", connector: c });
        items.push(existing);
      } else {
        const item = await this.connectorItem(c);
        this.controller.items.add(item);
        items.push(item);
      }
    }
    return items;
  }

  private async connectorItem(c: ConnectorClass): Promise<vscode.TestItem> {
    const uri = vscode.Uri.file(c.file);
    const item = this.controller.createTestItem(connectorId(c), c.className, uri);
    item.range = toRange(c);
    item.description = c.modulePath;
    this.data.set(item, { kind: "connector", connector: c });
    const categories = new Map<string, vscode.TestItem>();
    for (const info of await this.cases()) {
      let cat = categories.get(info.category);
      if (!cat) {
        cat = this.controller.createTestItem(`${item.id}/${info.category}`, info.category, uri);
        cat.range = item.range;
        this.data.set(cat, { kind: "category", connector: c, category: info.category });
        categories.set(info.category, cat);
        item.children.add(cat);
      }
      const caseItem = this.controller.createTestItem(`${item.id}/${info.category}/${info.id}`, info.title, uri);
      caseItem.description = info.explanation;
      caseItem.range = item.range;
      this.data.set(caseItem, { kind: "case", connector: c, info });
      cat.children.add(caseItem);
    }
    return item;
  }

  /** Groups the request's items by connector, with the case items and case-id globs to run. */
  private select(request: vscode.TestRunRequest): Selection[] {
    const excluded = new Set((request.exclude ?? []).map((i) => i.id));
    const byConnector = new Map<string, Selection>();
    const addCases = (sel: Selection, item: vscode.TestItem): void => {
      if (excluded.has(item.id)) return;
      const d = this.data.get(item);
      if (d?.kind === "case") sel.cases.set(d.info.id, item);
      else item.children.forEach((child) => addCases(sel, child));
    };
    for (const item of request.include ?? this.connectorItems()) {
      const d = this.data.get(item);
      if (!d || excluded.has(item.id)) continue;
      const id = connectorId(d.connector);
      const connectorItem = this.controller.items.get(id);
      if (!connectorItem) continue;
      let sel = byConnector.get(id);
      if (!sel) {
        sel = { connector: d.connector, item: connectorItem, cases: new Map(), globs: [] };
        byConnector.set(id, sel);
      }
      addCases(sel, item);
    }
    for (const sel of byConnector.values()) {
      let total = 0;
      sel.item.children.forEach((cat) => { total += cat.children.size; });
      sel.globs = sel.cases.size === total ? undefined : [...sel.cases.keys()];
    }
    return [...byConnector.values()].filter((s) => s.cases.size > 0);
  }

  private job(sel: Selection, replay: ReplayOptions = {}): RunnerJob {
    const options: Record<string, unknown> = {};
    if (sel.globs) options.cases = sel.globs;
    if (sel.connector.searchPaths) options.searchPaths = sel.connector.searchPaths;
    if (replay.seed !== undefined) options.seed = replay.seed;
    if (replay.replayPath !== undefined) options.replayPath = replay.replayPath;
    return { kind: "check", url: connectorUrl(sel.connector), cwd: sel.connector.folder, runId: randomUUID(), options };
  }

  private record(sel: Selection, reporter: RunReporter): void {
    for (const [id, outcome] of reporter.outcomes) {
      const item = sel.cases.get(id);
      if (item) this.outcomes.set(item.id, outcome);
    }
    const counts = { passed: 0, advisories: 0, failed: 0, skipped: 0, total: 0 };
    sel.item.children.forEach((cat) => cat.children.forEach((c) => {
      counts.total++;
      const o = this.outcomes.get(c.id);
      if (o?.status === "passed") {
        counts.passed++;
        if (o.advisory) counts.advisories++;
      }
      else if (o?.status === "skipped") counts.skipped++;
      else if (o) counts.failed++;
    }));
    this.status.update(sel.connector, counts);
  }

  /** The runner's extra environment for a connector: the interpreter, for a Python one. */
  private async runnerEnv(c: ConnectorClass): Promise<Record<string, string>> {
    return c.language === "python" ? this.pythonEnv(c.folder) : {};
  }

  /** The Run profile's handler (also used for continuous re-runs). */
  async runHandler(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    if (request.continuous) {
      const entry = { request, profile: request.profile ?? this.runProfile };
      this.continuous.add(entry);
      token.onCancellationRequested(() => this.continuous.delete(entry));
      this.log.info("conformance: continuous run on (re-runs changed connectors on save)");
      return;
    }
    if (!(await this.trust.require("Running conformance cases"))) return;
    const run = this.controller.createTestRun(request, "LMCache conformance");
    try {
      for (const sel of this.select(request)) {
        if (token.isCancellationRequested) break;
        await this.runOne(sel, run, token);
      }
    } finally {
      run.end();
    }
  }

  private async runOne(sel: Selection, run: vscode.TestRun, token: vscode.CancellationToken): Promise<void> {
    const reporter = new RunReporter(run, sel.item, sel.cases, this.log);
    reporter.enqueueAll();
    const job = this.job(sel);
    this.log.info(`conformance: running ${sel.connector.className} (${job.url}) in ${job.cwd}`);
    const handle = startRunner(job, {
      onEvent: (e) => reporter.handle(e),
      runnerPath: this.options.runnerPath,
      hangMs: this.options.hardTimeoutMs,
      // In desktop VS Code process.execPath is the Electron binary: make it behave as Node.
      env: { ...process.env, ...(await this.runnerEnv(sel.connector)), ELECTRON_RUN_AS_NODE: "1" },
      onStderr: (text) => this.log.trace(`runner stderr: ${text.trimEnd()}`),
    });
    this.lastRunnerPid = handle.pid;
    const sub = token.onCancellationRequested(() => handle.cancel());
    try {
      const result = await handle.done;
      this.log.info(`conformance: ${sel.connector.className} runner exited with ${result.exitCode}${result.crashed ? ` (${result.crashed.reason})` : ""}`);
    } finally {
      sub.dispose();
      reporter.skipRemaining();
      this.record(sel, reporter);
    }
  }

  /** The Debug profile's handler: the first selected connector's cases under the debugger. */
  async debugHandler(request: vscode.TestRunRequest, token: vscode.CancellationToken, replay: ReplayOptions = {}): Promise<void> {
    if (!(await this.trust.require("Debugging conformance cases"))) return;
    const [sel] = this.select(request);
    if (!sel || !this.debugStarter) return;
    const run = this.controller.createTestRun(request, "LMCache conformance (debug)");
    const reporter = new RunReporter(run, sel.item, sel.cases, this.log);
    reporter.enqueueAll();
    try {
      const target: DebugJobTarget = { language: sel.connector.language === "python" ? "python" : "ts", env: await this.runnerEnv(sel.connector) };
      await this.debugStarter(this.job(sel, replay), sel.connector.folder, reporter, token, target);
    } finally {
      reporter.skipRemaining();
      this.record(sel, reporter);
      run.end();
    }
  }

  /**
   * "Debug this failure": relaunches exactly the case of `arg` (a test item, or the
   * `{ test, message }` of a failure message's menu) with the seed and replay path of its last
   * failed run, under the debugger.
   */
  async debugFailure(arg: unknown): Promise<boolean> {
    const item = (arg && typeof arg === "object" && "test" in arg ? (arg as { test: vscode.TestItem }).test : arg) as vscode.TestItem | undefined;
    const d = item ? this.data.get(item) : undefined;
    if (!item || d?.kind !== "case") {
      void vscode.window.showInformationMessage("Debug this failure works on a conformance case: pick one in the Testing view.");
      return false;
    }
    const outcome = this.outcomes.get(item.id);
    const source = new vscode.CancellationTokenSource();
    try {
      await this.debugHandler(new vscode.TestRunRequest([item], undefined, this.debugProfile), source.token, { seed: outcome?.seed, replayPath: outcome?.replayPath });
    } finally {
      source.dispose();
    }
    return true;
  }

  /** Connector items whose module (or a file it imports) is one of `files`. */
  affectedBy(files: ReadonlySet<string>): vscode.TestItem[] {
    return this.connectorItems().filter((item) => {
      const d = this.data.get(item);
      if (d?.kind !== "connector") return false;
      if (files.has(d.connector.file)) return true;
      for (const f of connectorDependencies(d.connector)) if (files.has(f)) return true;
      return false;
    });
  }

  private onSaved(uri: vscode.Uri): void {
    if (uri.scheme !== "file" || !/\.([mc]?[jt]s|py)$/.test(uri.fsPath)) return;
    this.changedFiles.add(uri.fsPath);
    this.saveDebouncer.schedule("save", () => void this.rerunChanged());
  }

  /** Refreshes the saved files' items and re-runs affected connectors for each continuous request. */
  async rerunChanged(): Promise<void> {
    const files = new Set(this.changedFiles);
    this.changedFiles.clear();
    for (const f of files) await this.refreshFile(f);
    const affected = this.affectedBy(files);
    if (affected.length > 0) this.controller.invalidateTestResults?.(affected);
    for (const { request, profile } of [...this.continuous]) {
      const watched = request.include;
      // A watched category or case re-runs itself, not its whole connector.
      const include = watched ? watched.filter((w) => affected.some((a) => w.id === a.id || w.id.startsWith(`${a.id}/`))) : affected;
      if (include.length === 0) continue;
      this.log.info(`conformance: re-running ${include.map((i) => i.label).join(", ")} after save`);
      const source = new vscode.CancellationTokenSource();
      try {
        await this.runHandler(new vscode.TestRunRequest(include, request.exclude, profile, false), source.token);
      } finally {
        source.dispose();
      }
    }
  }

  /** True while a continuous run is active (for tests and the log). */
  get continuousActive(): boolean {
    return this.continuous.size > 0;
  }

  dispose(): void {
    this.saveDebouncer.dispose();
    for (const s of this.subscriptions) s.dispose();
    this.continuous.clear();
    this.controller.dispose();
  }
}

function toRange(c: ConnectorClass): vscode.Range {
  return new vscode.Range(c.range.startLine, c.range.startCharacter, c.range.endLine, c.range.endCharacter);
}
