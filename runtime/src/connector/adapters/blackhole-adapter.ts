/**
 * LMCache's `BlackholeConnectorAdapter` (`connector/blackhole_adapter.py`): `blackhole://[anything]`.
 */
import { getLogger } from "../../logging";
import { ConnectorAdapter } from "../adapter";
import type { RemoteConnector } from "../base-connector";
import type { ConnectorContext } from "../context";
import { BlackholeConnector } from "./blackhole-connector";
import { redactUrl } from "../redact";

const logger = getLogger("lmcache.v1.storage_backend.connector.blackhole_adapter");

/** Claims `blackhole://…`; the rest of the URL is ignored. */
export class BlackholeConnectorAdapter extends ConnectorAdapter {
  constructor() {
    super("blackhole://");
  }

  override createConnector(context: ConnectorContext): RemoteConnector {
    logger.info(`Creating Blackhole connector for URL: ${redactUrl(context.url)}`);
    return new BlackholeConnector();
  }
}
