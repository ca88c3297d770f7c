/** The renderer as the tests see it, plus a parse of the external URL through the runtime itself. */
import { parseExternalUrl } from "../../runtime/src/index.js";
export * from "../src/render/index.js";

/** Module path and class name as LMCache's external adapter extracts them. */
export function parseExternalUrlForTest(url: string): { modulePath: string; connectorName: string } {
  const parsed = parseExternalUrl(url);
  return { modulePath: parsed.modulePath, connectorName: parsed.connectorName };
}
