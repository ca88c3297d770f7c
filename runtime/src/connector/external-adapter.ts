/**
 * LMCache's `ExternalConnectorAdapter` (`connector/external_adapter.py`, newest copy): loads a
 * connector class named by an `external://host:port/<module_path>/?connector_name=<Class>` URL.
 */
import { AttributeError, ImportError, TypeError } from "../errors";
import { getLogger } from "../logging";
import { isRemoteConnectorClass, loadModule } from "../loader";
import { ConnectorAdapter } from "./adapter";
import { type RemoteConnector, type RemoteConnectorClass, errorText } from "./base-connector";
import type { ConnectorContext } from "./context";
import { instantiateConnector } from "./dynamic-adapter";
import { parseExternalUrl } from "./external-url";
import { connectorLanguage } from "../python/resolve";
import { createPythonConnector } from "../python/host";
import { redactUrl } from "./redact";

const logger = getLogger("lmcache.v1.storage_backend.connector.external_adapter");

/** Where module paths are resolved (the kit's counterpart of Python's `sys.path`; ours). */
export interface ModuleLoadOptions {
  /** Directory module paths are resolved against (default `process.cwd()`). */
  cwd?: string;
  /** Extra directories searched after `cwd`, like entries of `sys.path`. */
  searchPaths?: string[];
}

/** Python's `except ImportError` also catches `ModuleNotFoundError`. */
const IMPORT_ERROR_NAMES = new Set(["ImportError", "ModuleNotFoundError"]);

/** `error.name` of a thrown value, or "" for non-errors. */
function pythonErrorName(error: unknown): string {
  return error instanceof Error ? error.name : "";
}

/**
 * `external://` adapter. `createConnector` takes LMCache's steps in order:
 * 1. logs `"Creating External connector for URL: <url>"` and the WARNING
 *    `"External connector is due for deprecation in release v0.5.0. Please use the Remote Storage Plugin Framework instead."`;
 * 2. `parseExternalUrl` (comma check, host/port asserts, `connector_name` check);
 * 3. loads the module → on failure `ImportError("Could not import module '<m>', error: <e>")`;
 * 4. reads the export → missing: `AttributeError("Module '<m>' has no class '<c>', error: <e>")`;
 * 5. not a `RemoteConnector` subclass → `TypeError("<c> must be a subclass of RemoteConnector")`
 *    (a non-class gives Python's `TypeError("issubclass() arg 1 must be a class")`);
 * 6. abstract methods left unimplemented → `TypeError("Can't instantiate abstract class …")`;
 * 7. `new Cls({ loop, localCpuBackend, config })` — no `metadata`, `url` or `pluginName`;
 * 8. logs `"Loaded external connector: <m>.<c>"` and returns the unwrapped connector.
 *
 * LMCache gotcha reproduced: steps 3–7 share one `try`, so an `ImportError` or `AttributeError`
 * thrown by the connector's OWN constructor is re-reported with the step 3/4 messages.
 */
export class ExternalConnectorAdapter extends ConnectorAdapter {
  private readonly loadOptions: ModuleLoadOptions;

  /** `loadOptions` is the kit's addition (LMCache adapters take no arguments). */
  constructor(loadOptions: ModuleLoadOptions = {}) {
    super("external://");
    this.loadOptions = loadOptions;
  }

  override async createConnector(context: ConnectorContext): Promise<RemoteConnector> {
    logger.info(`Creating External connector for URL: ${redactUrl(context.url)}`);
    logger.warning(
      "External connector is due for deprecation in release v0.5.0. " +
        "Please use the Remote Storage Plugin Framework instead.",
    );
    const { modulePath, connectorName } = parseExternalUrl(context.url);

    // A module that resolves to Python is loaded by the real interpreter, with LMCache's own
    // steps and messages (python/host.ts; ours: which language wins is `connectorLanguage`).
    if (connectorLanguage(modulePath, this.loadOptions) === "python") {
      const connector = await createPythonConnector({ kind: "external", modulePath, className: connectorName, context, roots: this.loadOptions });
      logger.info(`Loaded external connector: ${modulePath}.${connectorName}`);
      return connector;
    }

    try {
      const module = (await loadModule(modulePath, this.loadOptions)) as Record<string, unknown>;
      const connectorClass = module[connectorName];
      if (connectorClass === undefined) {
        throw new AttributeError(`module '${modulePath}' has no attribute '${connectorName}'`);
      }
      if (typeof connectorClass !== "function") {
        throw new TypeError("issubclass() arg 1 must be a class");
      }
      if (!isRemoteConnectorClass(connectorClass)) {
        throw new TypeError(`${connectorName} must be a subclass of RemoteConnector`);
      }
      const connector = instantiateConnector(connectorClass as RemoteConnectorClass, {
        loop: context.loop,
        localCpuBackend: context.localCpuBackend,
        config: context.config,
      });
      logger.info(`Loaded external connector: ${modulePath}.${connectorName}`);
      return connector;
    } catch (error) {
      const name = pythonErrorName(error);
      const text = errorText(error);
      if (IMPORT_ERROR_NAMES.has(name)) {
        throw new ImportError(`Could not import module '${modulePath}', error: ${text}`, { cause: error });
      }
      if (name === "AttributeError") {
        throw new AttributeError(`Module '${modulePath}' has no class '${connectorName}', error: ${text}`, {
          cause: error,
        });
      }
      throw error;
    }
  }
}
