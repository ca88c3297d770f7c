/**
 * LMCache's `FsConnectorAdapter` (`connector/fs_adapter.py`, newest copy).
 */
import { ValueError } from "../../errors";
import { getLogger } from "../../logging";
import { ConnectorAdapter, extractPluginType } from "../adapter";
import type { RemoteConnector } from "../base-connector";
import type { ConnectorContext } from "../context";
import { urlparsePython } from "../url";
import { redactUrl } from "../redact";
import { FSConnector } from "./fs-connector";

const logger = getLogger("lmcache.v1.storage_backend.connector.fs_adapter");

const PLUGIN_TYPE = "fs";

/**
 * The path component of an `fs://` URL (`fs:///var/lmcache` and `fs://host:0/var/lmcache` both
 * name `/var/lmcache`); no `parse_remote_url`, so no host or port is needed. Empty path →
 * `ValueError("Invalid fs URL '<url>': no path. Expected fs://[host:port]/path, for example fs:///var/lmcache")`.
 */
export function extractFsBasePaths(url: string): string {
  const p = urlparsePython(url).path;
  if (!p) {
    throw new ValueError(`Invalid fs URL '${redactUrl(url)}': no path. Expected fs://[host:port]/path, for example fs:///var/lmcache`);
  }
  return p;
}

/** Claims `fs://…` and, as a built-in plugin type, `plugin://fs[.<instance>]`. */
export class FsConnectorAdapter extends ConnectorAdapter {
  constructor() {
    super("fs://");
  }

  override canParse(url: string): boolean {
    if (url.startsWith(this.schema)) return true;
    if (url.startsWith("plugin://")) return extractPluginType(url.slice("plugin://".length)) === PLUGIN_TYPE;
    return false;
  }

  override createConnector(context: ConnectorContext): RemoteConnector {
    logger.info("Creating FS connector");
    // Legacy URL mode: the base path comes from the URL; plugin mode reads extra_config.
    const basePathsStr = context.pluginName === null ? extractFsBasePaths(context.url) : null;
    return new FSConnector({
      loop: context.loop,
      localCpuBackend: context.localCpuBackend,
      config: context.config,
      pluginName: context.pluginName,
      basePathsStr,
    });
  }
}
