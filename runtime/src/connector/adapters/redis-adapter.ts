/**
 * LMCache's `RedisConnectorAdapter` (`connector/redis_adapter.py`, newest upstream): claims
 * `redis://`, `rediss://`, `unix://` and — by a prefix test — `plugin://redis…`. For a plugin URL the
 * store URL comes from `extra_config["remote_storage_plugin.redis.redis_url"]`, then
 * `extra_config["redis_url"]`, then `config.remote_url`, then `redis://localhost:6379`.
 */
import { getLogger } from "../../logging";
import { ConnectorAdapter } from "../adapter";
import type { RemoteConnector } from "../base-connector";
import type { ConnectorContext } from "../context";
import { redactUrl } from "../redact";
import { RedisConnector } from "./redis-connector";

const logger = getLogger("lmcache.v1.storage_backend.connector.redis_adapter");

const PLUGIN_PREFIX = "plugin://redis";

export class RedisConnectorAdapter extends ConnectorAdapter {
  constructor() {
    super("redis://");
  }

  override canParse(url: string): boolean {
    return [this.schema, "rediss://", "unix://", PLUGIN_PREFIX].some((p) => url.startsWith(p));
  }

  override createConnector(context: ConnectorContext): RemoteConnector {
    let url = context.url;
    if (url.startsWith(PLUGIN_PREFIX)) {
      const extra = context.config?.extraConfig ?? {};
      const configured = extra["remote_storage_plugin.redis.redis_url"] || extra["redis_url"];
      url = String(configured || context.config?.remoteUrl || "redis://localhost:6379");
    }
    logger.info(`Creating Redis connector for URL: ${redactUrl(url)}`);
    return new RedisConnector({ url, loop: context.loop, localCpuBackend: context.localCpuBackend });
  }
}
