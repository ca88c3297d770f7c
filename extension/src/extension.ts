/**
 * The composition root: builds the extension's services once and ties their lifetimes to the
 * extension context. Linting is static (no user code runs), so everything here works in Restricted
 * Mode; features that run connector code go through {@link TrustGate}.
 *
 * No telemetry: the extension sends nothing anywhere.
 */
import * as vscode from "vscode";
import { registerCommands } from "./commands";
import { registerConnectorFeatures, type ConnectorFeatureOptions, type ConnectorFeatures } from "./connector-features";
import { COMPLETION_TRIGGERS, UrlCompletionProvider } from "./completion";
import { watchConnectorSources } from "./connector-watcher";
import { DIAGNOSTIC_SOURCE } from "./convert";
import { DiagnosticsService } from "./diagnostics";
import { DOCUMENT_SELECTOR } from "./documents";
import { UrlHoverProvider } from "./hover";
import { CONTEXT_KEYS } from "./ids";
import { ModuleLinkProvider } from "./links";
import { createLog } from "./log";
import { QuickFixProvider } from "./quick-fixes";
import { affectsSettings } from "./settings";
import { TrustGate } from "./trust";
import { WorkspacePlugins } from "./workspace-plugins";

/**
 * `performance.now()` when the bundle began and finished evaluating: extension/build.mjs puts them
 * at the top and the bottom of dist/extension.js (module-local `var`s), so the activation log line
 * can say what loading the bundle cost. Undefined when the sources run unbundled (tests).
 */
declare const __extensionBundleStart: number | undefined;
declare const __extensionBundleEnd: number | undefined;

/** ", bundle evaluated in N ms" when known. */
function bundleLoadTime(): string {
  if (typeof __extensionBundleStart !== "number" || typeof __extensionBundleEnd !== "number") return "";
  return `, bundle evaluated in ${(__extensionBundleEnd - __extensionBundleStart).toFixed(1)} ms`;
}

/** What `activate` returns: the services, for the next features and for tests. */
export interface ExtensionApi {
  diagnostics: DiagnosticsService;
  trust: TrustGate;
  log: vscode.LogOutputChannel;
  /** Live conformance, F5 and scaffolding. */
  features: ConnectorFeatures;
}

/** Docs for a diagnostic code: the `docs/diagnostics.md` anchor shipped with the extension. */
function docsUriFor(context: vscode.ExtensionContext): (code: string) => vscode.Uri {
  const page = vscode.Uri.joinPath(context.extensionUri, "docs", "diagnostics.md");
  return (code) => page.with({ fragment: code.toLowerCase() });
}

/** Activates the extension (on an LMCache config or connector in the workspace, or a command). */
export function activate(context: vscode.ExtensionContext, featureOptions?: ConnectorFeatureOptions): ExtensionApi {
  const started = performance.now();
  const log = createLog();
  const trust = new TrustGate(log);
  const collection = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE);
  const plugins = new WorkspacePlugins(log);
  const diagnostics = new DiagnosticsService(collection, log, docsUriFor(context), plugins);

  context.subscriptions.push(
    log,
    trust,
    collection,
    plugins,
    diagnostics,
    vscode.languages.registerCodeActionsProvider(DOCUMENT_SELECTOR, new QuickFixProvider(plugins.namesFor), QuickFixProvider.metadata()),
    vscode.languages.registerHoverProvider(DOCUMENT_SELECTOR, new UrlHoverProvider()),
    vscode.languages.registerCompletionItemProvider(DOCUMENT_SELECTOR, new UrlCompletionProvider(), ...COMPLETION_TRIGGERS),
    vscode.languages.registerDocumentLinkProvider(DOCUMENT_SELECTOR, new ModuleLinkProvider()),
    watchConnectorSources(diagnostics, log),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (affectsSettings(e)) void diagnostics.relintOpen();
    }),
    ...registerCommands(log, diagnostics),
  );
  const features = registerConnectorFeatures(context.extensionPath, log, trust, context.subscriptions, featureOptions);
  diagnostics.start();
  void vscode.commands.executeCommand("setContext", CONTEXT_KEYS.active, true);
  log.info(`activated in ${(performance.now() - started).toFixed(1)} ms${bundleLoadTime()} (${trust.isTrusted ? "trusted" : "Restricted Mode: linting only"})`);
  return { diagnostics, trust, log, features };
}

/** Nothing to do: every resource is in `context.subscriptions`. */
export function deactivate(): void {}
