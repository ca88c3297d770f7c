/**
 * Runs LMCache's URL logic in ONE real python3 process for a whole batch of inputs, so the
 * TypeScript port is checked against CPython's `urllib.parse`, not against expectations we typed.
 */
import { spawnSync } from "node:child_process";

export type OracleOutcome =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; error: string; message: string };

// LMCache's parse_remote_url and the external adapter's pre-import steps, copied in behaviour.
const SCRIPT = String.raw`
import sys, json, importlib
from urllib.parse import urlparse, parse_qs

def parse_remote_url(url):
    parsed = urlparse(url)
    username = parsed.username
    password = parsed.password
    host = parsed.hostname
    port = parsed.port
    path = parsed.path if parsed.path else ""
    query = parse_qs(parsed.query) if parsed.query else {}
    assert host is not None, f"Invalid URL {url}: missing host"
    assert port is not None, f"Invalid URL {url}: missing port"
    return dict(host=host, port=port, path=path, username=username, password=password, queryParams=query)

def parse_external_url(url):
    hosts = url.split(",")
    if len(hosts) > 1:
        raise ValueError(f"Only one host is supported for external connector, but got {hosts}")
    p = parse_remote_url(url)
    module_path = p["path"].strip("/")
    connector_name = p["queryParams"].get("connector_name", [""])[0]
    if not connector_name:
        raise ValueError("External connector requires 'connector_name' in query parameters")
    if module_path == "" or module_path.startswith("."):
        importlib.import_module(module_path)  # raises before touching any file
    return dict(host=p["host"], port=p["port"], modulePath=module_path, connectorName=connector_name)

req = json.load(sys.stdin)
fn = {"remote": parse_remote_url, "external": parse_external_url}[req["mode"]]
out = []
for url in req["urls"]:
    try:
        out.append({"ok": True, "value": fn(url)})
    except Exception as e:
        out.append({"ok": False, "error": type(e).__name__, "message": str(e)})
sys.stdout.write(json.dumps(out))
`;

/** Apply LMCache's `parse_remote_url` (mode "remote") or the external adapter's checks to every URL. */
export function runPythonOracle(mode: "remote" | "external", urls: string[]): OracleOutcome[] {
  const res = spawnSync("python3", ["-c", SCRIPT], {
    input: JSON.stringify({ mode, urls }),
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (res.status !== 0) throw new Error(`python3 oracle failed: ${res.stderr || res.error}`);
  return JSON.parse(res.stdout) as OracleOutcome[];
}

/** Run `fn` and describe its outcome the way the oracle does. */
export function outcomeOf(fn: () => object): OracleOutcome {
  try {
    return { ok: true, value: { ...(fn() as Record<string, unknown>) } };
  } catch (e) {
    const err = e as Error;
    return { ok: false, error: err.name, message: err.message };
  }
}
