/**
 * `plugin://` for Python plugin modules (ours): when `remote_storage_plugin.<name>.module_path`
 * resolves to Python, the plugin launcher asks the bridge what `class_name` is, sorted as
 * LMCache's launcher sorts it. A `RemoteConnector` subclass gets LMCache's
 * `DynamicConnectorAdapter` rules (`plugin://<type>` prefix test, the same keywords, no
 * `plugin_name` passed), its instances created in Python. Import and attribute errors come back
 * as Python raised them, so the launcher logs LMCache's "due to import/attribute error" line. A
 * `ConnectorAdapter` subclass lives in the bridge and answers `can_parse`/`create_connector` there.
 */
import { RuntimeError } from "../errors";
import type { RemoteConnector, RemoteConnectorClass } from "../connector/base-connector";
import type { ConnectorContext } from "../connector/context";
import { DynamicConnectorAdapter } from "../connector/dynamic-adapter";
import type { ModuleResolveOptions } from "../loader/resolve";
import { ConnectorAdapter } from "../connector/adapter";
import { createPythonAdapter, createPythonConnector, probePythonClass } from "./host";

/** Stands in for the Python class: never constructed in Node. */
class PythonClassPlaceholder {
  constructor() {
    throw new RuntimeError("a Python connector class is instantiated by the bridge, not in Node");
  }
}

/** `DynamicConnectorAdapter` whose connector class lives in Python. */
export class PythonDynamicConnectorAdapter extends DynamicConnectorAdapter {
  readonly modulePath: string;
  readonly className: string;
  private readonly roots: ModuleResolveOptions;

  constructor(pluginName: string, modulePath: string, className: string, roots: ModuleResolveOptions) {
    super(pluginName, PythonClassPlaceholder as unknown as RemoteConnectorClass);
    this.modulePath = modulePath;
    this.className = className;
    this.roots = roots;
  }

  override createConnector(context: ConnectorContext): RemoteConnector {
    // The manager awaits whatever createConnector returns; Python instantiation is asynchronous.
    return createPythonConnector({ kind: "plugin", modulePath: this.modulePath, className: this.className, context, roots: this.roots }) as unknown as RemoteConnector;
  }
}

/**
 * A Python `ConnectorAdapter` plugin class, living in the bridge: `canParse` is its `can_parse`,
 * `createConnector` its `create_connector(ConnectorContext(...))`, both run in Python.
 */
export class PythonConnectorAdapter extends ConnectorAdapter {
  private readonly adapter: { id: number; canParse(url: string): boolean };
  private readonly roots: ModuleResolveOptions;
  readonly className: string;

  constructor(adapter: { id: number; schema: string; canParse(url: string): boolean }, className: string, roots: ModuleResolveOptions) {
    super(adapter.schema);
    this.adapter = adapter;
    this.className = className;
    this.roots = roots;
  }

  override canParse(url: string): boolean {
    return this.adapter.canParse(url);
  }

  override createConnector(context: ConnectorContext): Promise<RemoteConnector> {
    return createPythonConnector({ kind: "adapter", adapterId: this.adapter.id, modulePath: "", className: this.className, context, roots: this.roots });
  }
}

/**
 * The adapter for a Python plugin class, sorted as LMCache's launcher sorts it: a
 * `ConnectorAdapter` subclass is instantiated (no arguments), a `RemoteConnector` subclass gets
 * `DynamicConnectorAdapter`'s rules; null when it is neither (the launcher logs LMCache's warning).
 */
export async function pythonPluginAdapter(pluginName: string, modulePath: string, className: string, roots: ModuleResolveOptions): Promise<ConnectorAdapter | null> {
  const kind = await probePythonClass(modulePath, className, roots);
  if (kind === "connector") return new PythonDynamicConnectorAdapter(pluginName, modulePath, className, roots);
  if (kind === "adapter") return new PythonConnectorAdapter(await createPythonAdapter(modulePath, className, roots), className, roots);
  return null;
}
