/**
 * F5 "Run against local cache": the `lmcache-connector` debug type has no adapter of its own. This
 * provider resolves it to a `node` launch (js-debug) of `lmcache-connector run <url>` with source
 * maps through the loader's compile cache, fills in a configuration when there is no launch.json,
 * offers initial configurations, and one dynamic configuration per connector class found. Nothing
 * launches in an untrusted workspace.
 *
 * A Python connector (`"language": "python"`, or `auto` when the URL's module resolves to a `.py`
 * file as the CLI resolves it) resolves instead to the Python-side debug type: its side runs
 * under debugpy and VS Code attaches to it (python-debug.ts), with no Python extension needed.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import { connectorUrl, findConnectors, type ConnectorClass } from "./connectors";
import { loadLintCore } from "./core";
import { chooseCli, resolvePythonRunLaunch, resolveRunLaunch, type ConnectorLaunchConfig } from "./debug-launch";
import { DEBUG_TYPE, PYTHON_DEBUG_TYPE, RUN_AGAINST_LOCAL_CACHE } from "./ids";
import { kitPythonDirNear } from "./python-debug";
import type { PythonInterpreters } from "./python-interpreter";
import { readSettings } from "./settings";
import { bundledCliPath, compileCacheDir, workspaceCliPath } from "./runtime-paths";
import type { TrustGate } from "./trust";

/** A `lmcache-connector` configuration for one connector. */
export function configFor(c: Pick<ConnectorClass, "className" | "modulePath" | "language" | "searchPaths">, name = RUN_AGAINST_LOCAL_CACHE): vscode.DebugConfiguration {
  const config: vscode.DebugConfiguration = { type: DEBUG_TYPE, request: "launch", name, url: connectorUrl(c), cwd: "${workspaceFolder}" };
  if (c.language === "python") {
    config.language = "python";
    if (c.searchPaths?.length) config.env = { PYTHONPATH: c.searchPaths.join(path.delimiter) };
  }
  return config;
}

/** `${workspaceFolder}` substituted (enough to tell a connector's language before VS Code substitutes the rest). */
function substitute(value: string, folder: string): string {
  return value.replace(/\$\{workspaceFolder\}/g, folder);
}

/**
 * Whether a configuration debugs a Python connector: its `language`, else — `auto` — whether the
 * URL's module resolves to Python as the CLI resolves it (roots: cwd, PYTHONPATH of its env, the
 * searchPaths setting).
 */
export async function configLanguage(config: ConnectorLaunchConfig, folder: string, searchPaths: readonly string[] = []): Promise<"python" | "ts"> {
  if (config.language === "python") return "python";
  if (config.language === "typescript") return "ts";
  const { parseExternalUrl, connectorLanguage } = await loadLintCore();
  try {
    const { modulePath } = parseExternalUrl(String(config.url));
    const env: Record<string, string | undefined> = { ...process.env };
    for (const [k, v] of Object.entries(config.env ?? {})) env[k] = substitute(String(v), folder);
    const cwd = substitute(config.cwd ?? folder, folder);
    return connectorLanguage(modulePath, { cwd, searchPaths: searchPaths.map((p) => path.resolve(folder, p)), env });
  } catch {
    return "ts"; // not an external:// URL (or a bad one): the TS path reports it as the CLI would
  }
}

/** Resolves `lmcache-connector` configurations; registered for Initial and for Dynamic. */
export class ConnectorDebugProvider implements vscode.DebugConfigurationProvider {
  constructor(
    private readonly extensionPath: string,
    private readonly trust: TrustGate,
    private readonly log: vscode.LogOutputChannel,
    private readonly python?: PythonInterpreters,
  ) {}

  /** Initial configurations (a new launch.json): the first connector found, or a placeholder. */
  async provideDebugConfigurations(folder: vscode.WorkspaceFolder | undefined): Promise<vscode.DebugConfiguration[]> {
    const root = folder?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const connectors = root ? await findConnectors(root, readSettings(vscode.Uri.file(root)).searchPaths) : [];
    return [connectors[0] ? configFor(connectors[0]) : { type: DEBUG_TYPE, request: "launch", name: RUN_AGAINST_LOCAL_CACHE, url: "external://host:0/src.my_connector/?connector_name=MyConnector", cwd: "${workspaceFolder}" }];
  }

  /** Dynamic configurations ("Run and Debug" dropdown): one per connector; the first keeps the stable name. */
  async dynamicConfigurations(folder: vscode.WorkspaceFolder | undefined): Promise<vscode.DebugConfiguration[]> {
    const root = folder?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const connectors = root ? await findConnectors(root, readSettings(vscode.Uri.file(root)).searchPaths) : [];
    return connectors.map((c, i) => configFor(c, i === 0 ? RUN_AGAINST_LOCAL_CACHE : `${RUN_AGAINST_LOCAL_CACHE}: ${c.className}`));
  }

  async resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration | undefined | null> {
    const root = folder?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    let resolved = config as ConnectorLaunchConfig;
    // F5 without a launch.json: the connector of the active editor, else the first one found.
    if (!resolved.type && !resolved.request && !resolved.name) {
      if (!root) return undefined;
      const connectors = await findConnectors(root, readSettings(vscode.Uri.file(root)).searchPaths);
      const active = vscode.window.activeTextEditor?.document.uri.fsPath;
      const c = connectors.find((k) => k.file === active) ?? connectors[0];
      if (!c) {
        void vscode.window.showInformationMessage("No connector class (a class extending RemoteConnector) was found in this workspace.");
        return undefined;
      }
      resolved = configFor(c) as ConnectorLaunchConfig;
    }
    if (resolved.type !== DEBUG_TYPE) return config;
    if (!root) {
      void vscode.window.showErrorMessage("Run against local cache needs an open folder.");
      return undefined;
    }
    if (!(await this.trust.require("Run against local cache"))) return undefined;
    try {
      const ctx = { folder: root, bundledCli: bundledCliPath(this.extensionPath), workspaceCli: workspaceCliPath(root), cacheDir: compileCacheDir() };
      if (await configLanguage(resolved, root, readSettings(vscode.Uri.file(root)).searchPaths) === "python") {
        const interpreter = await this.python?.resolve(folder?.uri ?? vscode.Uri.file(root));
        const python = resolvePythonRunLaunch(PYTHON_DEBUG_TYPE, resolved, { ...ctx, python: interpreter?.path, kitPythonDir: kitPythonDirNear(chooseCli(resolved, ctx)) });
        this.log.info(`F5 (Python side under debugpy): ${resolved.url}`);
        return python;
      }
      const launch = resolveRunLaunch(resolved, ctx);
      this.log.info(`F5: ${launch.program} ${launch.args.join(" ")}`);
      return launch;
    } catch (err) {
      void vscode.window.showErrorMessage(`Cannot launch "${resolved.name}": ${(err as Error).message}`);
      return undefined;
    }
  }
}

/** Registers the providers (initial + resolve, and dynamic). */
export function registerDebugProviders(extensionPath: string, trust: TrustGate, log: vscode.LogOutputChannel, python?: PythonInterpreters): vscode.Disposable[] {
  const provider = new ConnectorDebugProvider(extensionPath, trust, log, python);
  return [
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, provider, vscode.DebugConfigurationProviderTriggerKind.Initial),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, { provideDebugConfigurations: (f) => provider.dynamicConfigurations(f) }, vscode.DebugConfigurationProviderTriggerKind.Dynamic),
  ];
}
