/**
 * Wires the features that run (or scaffold) connector code: live conformance (Testing API), its
 * status items, debugging of conformance cases, the F5 debug type, and the scaffolding commands.
 * Discovery and the test tree are static and appear in Restricted Mode too; running anything goes
 * through the TrustGate. Discovery waits for first need (the Testing view, a Python file), so
 * activation does not load TypeScript.
 */
import * as vscode from "vscode";
import { ConformanceStatus } from "./conformance-status";
import { ConformanceTests, type ConformanceTestsOptions } from "./conformance-tests";
import { registerDebugProviders } from "./debug-provider";
import { DebugRuns } from "./debug-runs";
import { COMMANDS } from "./ids";
import { registerPythonDebug } from "./python-debug";
import { PythonInterpreters } from "./python-interpreter";
import { bundledRunnerPath, compileCacheDir } from "./runtime-paths";
import { Scaffolder, type Renderer } from "./scaffold";
import type { TrustGate } from "./trust";

/** The services built here (exposed on the extension API for tests). */
export interface ConnectorFeatures {
  tests: ConformanceTests;
  status: ConformanceStatus;
  debugRuns: DebugRuns;
  scaffolder: Scaffolder;
  python: PythonInterpreters;
}

/** Test seams: shorter timeouts, another renderer. */
export interface ConnectorFeatureOptions extends ConformanceTestsOptions {
  renderer?: () => Promise<Renderer>;
}

/** Builds the features; everything to dispose goes into `subscriptions`. */
export function registerConnectorFeatures(
  extensionPath: string,
  log: vscode.LogOutputChannel,
  trust: TrustGate,
  subscriptions: { push(...items: vscode.Disposable[]): unknown },
  options: ConnectorFeatureOptions = {},
): ConnectorFeatures {
  const runnerPath = options.runnerPath ?? bundledRunnerPath(extensionPath);
  const status = new ConformanceStatus();
  const tests = new ConformanceTests(log, trust, status, { ...options, runnerPath });
  const debugRuns = new DebugRuns(runnerPath, compileCacheDir(), log);
  tests.debugStarter = (job, folder, reporter, token, target) => debugRuns.start(job, folder, reporter, token, target);
  const python = new PythonInterpreters(log);
  python.onProbed = (info) => status.showInterpreter(info);
  tests.pythonEnv = (folder) => python.runnerEnv(vscode.Uri.file(folder));
  const scaffolder = new Scaffolder(log, options.renderer, extensionPath);
  subscriptions.push(
    status,
    tests,
    debugRuns,
    python,
    ...registerDebugProviders(extensionPath, trust, log, python),
    ...registerPythonDebug(log),
    vscode.commands.registerCommand(COMMANDS.newProject, () => scaffolder.newProject()),
    vscode.commands.registerCommand(COMMANDS.addConnectorClass, () => scaffolder.addConnectorClass()),
    vscode.commands.registerCommand(COMMANDS.debugFailure, (arg: unknown) => tests.debugFailure(arg)),
    vscode.commands.registerCommand(COMMANDS.refreshConnectors, () => tests.refresh()),
  );
  // Once Python connectors are found in a trusted workspace, the status shows their interpreter.
  const showInterpreters = (): void => {
    if (!trust.isTrusted) return;
    const folders = new Set(tests.connectorItems().map((i) => tests.dataOf(i)).filter((d) => d?.kind === "connector" && d.connector.language === "python").map((d) => d!.connector.folder));
    for (const f of folders) void python.resolve(vscode.Uri.file(f));
  };
  tests.onDiscovered = showInterpreters;
  // Discovery is deferred (see ConformanceTests.discover): the Testing view's resolveHandler starts
  // it, and so does a Python file in a trusted workspace, whose interpreter item needs the connectors.
  const discover = (): void => void tests.discover().catch((err: unknown) => log.error(`finding connectors failed: ${(err as Error).stack ?? err}`));
  const discoverForPython = (doc: vscode.TextDocument): void => {
    if (doc.languageId === "python" && doc.uri.scheme === "file" && trust.isTrusted) discover();
  };
  subscriptions.push(vscode.workspace.onDidOpenTextDocument(discoverForPython));
  for (const doc of vscode.workspace.textDocuments) discoverForPython(doc);
  subscriptions.push(trust.onDidGrant(() => {
    showInterpreters();
    for (const doc of vscode.workspace.textDocuments) discoverForPython(doc);
  }));
  return { tests, status, debugRuns, scaffolder, python };
}
