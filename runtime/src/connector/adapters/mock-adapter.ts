/**
 * LMCache's `MockConnectorAdapter` (`connector/mock_adapter.py`):
 * `mock://<capacityGB>/?peeking_latency=<ms>&read_throughput=<GB/s>&write_throughput=<GB/s>`.
 */
import { ValueError } from "../../errors";
import { getLogger } from "../../logging";
import { ConnectorAdapter } from "../adapter";
import type { RemoteConnector } from "../base-connector";
import type { ConnectorContext } from "../context";
import { parseQsPython, pythonStrRepr, urlparsePython } from "../url";
import { MockConnector, pythonTupleMessage } from "./mock-connector";
import { redactUrl } from "../redact";

const logger = getLogger("lmcache.v1.storage_backend.connector.mock_adapter");

/** Python `int(text)` for base-10 text (whitespace, sign and digit-group underscores allowed). */
function pythonInt(text: string): number {
  const m = /^[ \t\n\r\f\v]*([+-]?)(\d+(?:_\d+)*)[ \t\n\r\f\v]*$/.exec(text);
  if (!m) throw new ValueError(`invalid literal for int() with base 10: ${pythonStrRepr(text)}`);
  return Number((m[1] === "-" ? "-" : "") + m[2]!.replace(/_/g, ""));
}

/** Python `float(text)` (decimal/exponent forms, `inf`, `nan`, surrounding whitespace). */
function pythonFloat(text: string): number {
  const t = text.trim();
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(t)) return NaN;
  if (/^[+-]?(\d+(_\d+)*(\.(\d+(_\d+)*)?)?|\.\d+(_\d+)*)([eE][+-]?\d+(_\d+)*)?$/.test(t)) {
    return Number(t.replace(/_/g, ""));
  }
  throw new ValueError(`could not convert string to float: ${pythonStrRepr(text)}`);
}

/**
 * Capacity is the URL's netloc read with Python `int()`; it is required (the adapter reads the
 * netloc directly — `parse_remote_url` would see host `"100"` and no port). Query defaults:
 * `peeking_latency=1`, `read_throughput=2`, `write_throughput=2` (first value wins; blank values
 * are dropped by `parse_qs`). LMCache's invalid-capacity error passes two strings to `ValueError`,
 * so its text is a tuple repr; reproduced.
 */
export class MockConnectorAdapter extends ConnectorAdapter {
  constructor() {
    super("mock://");
  }

  override createConnector(context: ConnectorContext): RemoteConnector {
    logger.info(`Creating Mock connector for URL: ${redactUrl(context.url)}`);
    const parsed = urlparsePython(context.url);
    if (!parsed.netloc) {
      throw new ValueError("mock connector requires capacity in GB as netloc, e.g. mock://100/?...");
    }
    let capacity: number;
    try {
      capacity = pythonInt(parsed.netloc);
    } catch (error) {
      throw new ValueError(
        pythonTupleMessage(`Invalid capacity '${parsed.netloc}' for`, " mock connector; must be an integer (GB)."),
        { cause: error },
      );
    }
    const params = parsed.query ? parseQsPython(parsed.query) : {};
    const first = (name: string, def: string): string => (params[name] ?? [def])[0]!;
    return new MockConnector({
      url: context.url,
      loop: context.loop,
      localCpuBackend: context.localCpuBackend,
      capacity,
      peekingLatency: pythonFloat(first("peeking_latency", "1")),
      readThroughput: pythonFloat(first("read_throughput", "2")),
      writeThroughput: pythonFloat(first("write_throughput", "2")),
    });
  }
}
