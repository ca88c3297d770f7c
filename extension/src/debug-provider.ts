/**
 * F5 "Run against local cache": the `lmcache-connector` debug type has no adapter of its own. This
 * provider resolves it to a `node` launch (js-debug) of `lmcache-connector run <url>` with source
 * maps through the loader's compile cache, fills in a configuration when there is no launch.json,
 * offers initial configurations, and one dynamic configuration per connector class found. Nothing
 * launches in an untrusted workspace.
 */
import * as vscode from "vscode";
import { connectorUrl, findConnectors, type ConnectorClass } from "./connectors";
import { resolveRunLaunch, type ConnectorLaunchConfig } from "./debug-launch";
import { DEBUG_TYPE, RUN_AGAINST_LOCAL_CACHE } from "./ids";
import { bundledCliPath, compileCacheDir, workspaceCliPath } from "./runtime-paths";
import type { TrustGate } from "./trust";

/** A `lmcache-connector` configuration for one connector. */
export function configFor(c: Pick<ConnectorClass, "className" | "modulePath">, name = RUN_AGAINST_LOCAL_CACHE): vscode.DebugConfiguration {
  return { type: DEBUG_TYPE, request: "launch", name, url: connectorUrl(c), cwd: "${workspaceFolder}" };
}

/** Resolves `lmcache-connector` configurations; registered for Initial and for Dynamic. */
export class ConnectorDebugProvider implements vscode.DebugConfigurationProvider {
  constructor(
    private readonly extensionPath: string,
    private readonly trust: TrustGate,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Initial configurations (a new launch.json): the first connector found, or a placeholder. */
  async provideDebugConfigurations(folder: vscode.WorkspaceFolder | undefined): Promise<vscode.DebugConfiguration[]> {
    const root = folder?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const connectors = root ? await findConnectors(root) : [];
    return [connectors[0] ? configFor(connectors[0]) : { type: DEBUG_TYPE, request: "launch", name: RUN_AGAINST_LOCAL_CACHE, url: "external://host:0/src.my_connector/?connector_name=MyConnector", cwd: "${workspaceFolder}" }];
  }

  /** Dynamic configurations ("Run and Debug" dropdown): one per connector; the first keeps the stable name. */
  async dynamicConfigurations(folder: vscode.WorkspaceFolder | undefined): Promise<vscode.DebugConfiguration[]> {
    const root = folder?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const connectors = root ? await findConnectors(root) : [];
    return connectors.map((c, i) => configFor(c, i === 0 ? RUN_AGAINST_LOCAL_CACHE : `${RUN_AGAINST_LOCAL_CACHE}: ${c.className}`));
  }

  async resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration | undefined | null> {
    const root = folder?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    let resolved = config as ConnectorLaunchConfig;
    // F5 without a launch.json: the connector of the active editor, else the first one found.
    if (!resolved.type && !resolved.request && !resolved.name) {
      if (!root) return undefined;
      const connectors = await findConnectors(root);
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
      const launch = resolveRunLaunch(resolved, { folder: root, bundledCli: bundledCliPath(this.extensionPath), workspaceCli: workspaceCliPath(root), cacheDir: compileCacheDir() });
      this.log.info(`F5: ${launch.program} ${launch.args.join(" ")}`);
      return launch;
    } catch (err) {
      void vscode.window.showErrorMessage(`Cannot launch "${resolved.name}": ${(err as Error).message}`);
      return undefined;
    }
  }
}

/** Registers the providers (initial + resolve, and dynamic). */
export function registerDebugProviders(extensionPath: string, trust: TrustGate, log: vscode.LogOutputChannel): vscode.Disposable[] {
  const provider = new ConnectorDebugProvider(extensionPath, trust, log);
  return [
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, provider, vscode.DebugConfigurationProviderTriggerKind.Initial),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, { provideDebugConfigurations: (f) => provider.dynamicConfigurations(f) }, vscode.DebugConfigurationProviderTriggerKind.Dynamic),
  ];
}
