/**
 * Stand-in for an LMCache built-in adapter whose connector the kit does not port (ours). It claims
 * exactly the URLs the upstream adapter claims, in the upstream discovery order, so first-match
 * selection is LMCache's; creating a connector first applies the upstream adapter's URL rules
 * (same errors as LMCache) and then says which LMCache connector serves the URL and that the kit
 * has no local implementation — never "No adapter found".
 */
import { NotImplementedError } from "../../errors";
import { ConnectorAdapter } from "../adapter";
import type { RemoteConnector } from "../base-connector";
import type { ConnectorContext } from "../context";
import { redactUrl } from "../redact";
import { entryClaims, notImplementedLocallyMessage, type UpstreamScheme } from "../upstream-schemes";

export class UpstreamOnlyAdapter extends ConnectorAdapter {
  readonly entry: UpstreamScheme;

  constructor(entry: UpstreamScheme) {
    super(entry.prefixes[0] ?? "plugin://");
    this.entry = entry;
  }

  override canParse(url: string): boolean {
    return entryClaims(this.entry, url);
  }

  override createConnector(context: ConnectorContext): RemoteConnector {
    this.entry.validate?.(context.url, { extraConfig: context.config?.extraConfig ?? null, saveUnfullChunk: context.config?.saveUnfullChunk ?? false });
    throw new NotImplementedError(notImplementedLocallyMessage(this.entry, redactUrl(context.url)));
  }

  /** Reported as the upstream adapter's class (what LMCache logs on discovery). */
  override toString(): string {
    return this.entry.adapterClass;
  }
}
