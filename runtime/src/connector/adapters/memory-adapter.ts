/**
 * Adapter for `memory://<name>` (ours; LMCache has no in-memory connector).
 */
import { getLogger } from "../../logging";
import { ConnectorAdapter } from "../adapter";
import type { RemoteConnector } from "../base-connector";
import type { ConnectorContext } from "../context";
import { MemoryConnector } from "./memory-connector";
import { redactUrl } from "../redact";

const logger = getLogger("lmcache_connector_kit.memory_adapter");

/**
 * `memory://<name>`: everything after `memory://` is the store name, taken verbatim; connectors
 * with the same name share one store in this process. `memory://` alone = a fresh anonymous store.
 */
export class MemoryConnectorAdapter extends ConnectorAdapter {
  constructor() {
    super("memory://");
  }

  override createConnector(context: ConnectorContext): RemoteConnector {
    logger.info(`Creating Memory connector for URL: ${redactUrl(context.url)}`);
    return new MemoryConnector(
      { loop: context.loop, localCpuBackend: context.localCpuBackend, config: context.config },
      context.url.slice(this.schema.length),
    );
  }
}
