/**
 * LMCache's `AuditConnectorAdapter` (`connector/audit_adapter.py`, newest copy):
 * `audit://host:port[?verify=true|false]` wraps the connector built from `audit_actual_remote_url`.
 */
import { AttributeError, ValueError } from "../../errors";
import { getLogger } from "../../logging";
import { ConnectorAdapter } from "../adapter";
import type { RemoteConnector } from "../base-connector";
import type { ConnectorContext } from "../context";
import { createConnector } from "../create-connector";
import type { ModuleLoadOptions } from "../external-adapter";
import { parseRemoteUrl, pythonStrListRepr } from "../url";
import { AuditConnector } from "./audit-connector";
import { redactUrl } from "../redact";

const logger = getLogger("lmcache.v1.storage_backend.connector.audit_adapter");

/**
 * Steps, in LMCache's order: comma anywhere → `ValueError("Only one host is supported for audit
 * connector, but got [...]")`; no config → `ValueError("Config is not set")`; `parse_remote_url`
 * (host and port required); real URL = `extra_config["audit_actual_remote_url"]`, falling back to
 * the deprecated top-level `audit_actual_remote_url`; missing → `ValueError("audit_actual_remote_url
 * is not set in the config or extra_config")`. LMCache oddity kept: it calls `extra_config.get`
 * before checking for None, so a config without `extra_config` fails with
 * `AttributeError("'NoneType' object has no attribute 'get'")`.
 * The URL's `verify` (true/1/yes) is used when `extra_config.audit_verify_checksum` is absent;
 * LMCache writes it INTO `extra_config`, the kit does not mutate the config.
 * The real connector is built with `createConnector` and its unwrapped connector is audited.
 */
export class AuditConnectorAdapter extends ConnectorAdapter {
  private readonly loadOptions: ModuleLoadOptions;

  /** `loadOptions` (ours) are used to build the real connector. */
  constructor(loadOptions: ModuleLoadOptions = {}) {
    super("audit://");
    this.loadOptions = loadOptions;
  }

  override async createConnector(context: ConnectorContext): Promise<RemoteConnector> {
    logger.info(`Creating Audit connector for URL: ${redactUrl(context.url)}`);
    const hosts = context.url.split(",");
    if (hosts.length > 1) {
      throw new ValueError(`Only one host is supported for audit connector, but got ${pythonStrListRepr(hosts)}`);
    }
    const config = context.config;
    if (!config) throw new ValueError("Config is not set");
    const parsed = parseRemoteUrl(context.url);
    const verifyParam = (parsed.queryParams["verify"] ?? ["false"])[0]!;
    const verify = ["true", "1", "yes"].includes(verifyParam.toLowerCase());
    const extra = config.extraConfig;
    if (extra === null || extra === undefined) {
      throw new AttributeError("'NoneType' object has no attribute 'get'");
    }
    const realUrl = Object.prototype.hasOwnProperty.call(extra, "audit_actual_remote_url")
      ? extra["audit_actual_remote_url"]
      : config.auditActualRemoteUrl;
    if (!realUrl) throw new ValueError("audit_actual_remote_url is not set in the config or extra_config");
    const inner = await createConnector(String(realUrl), {
      loop: context.loop,
      localCpuBackend: context.localCpuBackend,
      config,
      metadata: context.metadata,
      ...this.loadOptions,
    });
    return new AuditConnector(inner.getWrappedConnector(), config, verify);
  }
}
