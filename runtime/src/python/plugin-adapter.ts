/**
 * `plugin://` for Python plugin modules (ours): when `remote_storage_plugin.<name>.module_path`
 * resolves to Python, the plugin launcher asks the bridge what `class_name` is, sorted as
 * LMCache's launcher sorts it. A `RemoteConnector` subclass gets LMCache's
 * `DynamicConnectorAdapter` rules (`plugin://<type>` prefix test, the same keywords, no
 * `plugin_name` passed), its instances created in Python. Import and attribute errors come back
 * as Python raised them, so the launcher logs LMCache's "due to import/attribute error" line.
 */
import { RuntimeError } from "../errors";
import type { RemoteConnector, RemoteConnectorClass } from "../connector/base-connector";
import type { ConnectorContext } from "../connector/context";
import { DynamicConnectorAdapter } from "../connector/dynamic-adapter";
import type { ModuleResolveOptions } from "../loader/resolve";
import { createPythonConnector, probePythonClass } from "./host";

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
 * The adapter for a Python plugin class, or null when the class is neither a `ConnectorAdapter`
 * nor a `RemoteConnector` subclass (the launcher then logs LMCache's warning). A Python
 * `ConnectorAdapter` subclass is refused with a `RuntimeError` (the kit does not run Python
 * adapter classes yet; the launcher logs it and skips the plugin).
 */
export async function pythonPluginAdapter(pluginName: string, modulePath: string, className: string, roots: ModuleResolveOptions): Promise<DynamicConnectorAdapter | null> {
  const kind = await probePythonClass(modulePath, className, roots);
  if (kind === "connector") return new PythonDynamicConnectorAdapter(pluginName, modulePath, className, roots);
  if (kind === "adapter") {
    throw new RuntimeError(`${className} is a Python ConnectorAdapter; the kit runs Python RemoteConnector plugin classes only (not adapter classes) for now`);
  }
  return null;
}
