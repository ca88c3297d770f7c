import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  applyEnvOverrides,
  createEngineConfig,
  defaultEngineConfig,
  getExtraConfigValue,
  loadConfigFromFile,
  loadConfigFromYaml,
  loadEngineConfigWithOverrides,
  parseQuotedString,
  REMOTE_URL_DEPRECATION_WARNING,
  resolveSaveChunkMeta,
} from "../../src/config";
import { pyFloat, pyInt } from "../../src/config/python-values";
import { toBool, toStrList } from "../../src/config/converters";
import { clearLogRecords, getLogRecords } from "../../src/logging";

const warnings = () => getLogRecords().filter((r) => r.level === "warning").map((r) => r.message);

// Python's int()/float() and LMCache's _to_bool / _to_str_list / _parse_quoted_string, run by python3.
const PY = String.raw`
import sys, json, ast
def _to_bool(value):
    if isinstance(value, bool): return value
    return str(value).strip().lower() in ["true", "1"]
def _to_str_list(value):
    if value is None: return None
    if isinstance(value, list): return value
    return [p.strip() for p in value.split(",") if p.strip()]
def _parse_quoted_string(value):
    if not value: return value
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in ("'", '"'):
        try:
            evaluated = ast.literal_eval(value)
            if isinstance(evaluated, str): return evaluated
        except (ValueError, SyntaxError):
            return value[1:-1]
    return value
fns = {"int": int, "float": float, "bool": _to_bool, "strlist": _to_str_list, "quoted": _parse_quoted_string}
out = []
for fn, arg in json.load(sys.stdin):
    try:
        v = fns[fn](arg)
        if isinstance(v, float) and v != v: v = "nan"
        elif isinstance(v, float) and v in (float("inf"), float("-inf")): v = str(v)
        out.append({"ok": True, "value": v})
    except Exception as e:
        out.append({"ok": False, "error": type(e).__name__, "message": str(e)})
print(json.dumps(out))
`;

function ours(fn: string, arg: string): unknown {
  try {
    const f = { int: pyInt, float: pyFloat, bool: toBool, strlist: toStrList, quoted: parseQuotedString }[fn]!;
    let v: unknown = f(arg);
    if (typeof v === "number" && Number.isNaN(v)) v = "nan";
    else if (v === Infinity) v = "inf";
    else if (v === -Infinity) v = "-inf";
    return { ok: true, value: v };
  } catch (e) {
    return { ok: false, error: (e as Error).name, message: (e as Error).message };
  }
}

describe("Python value conversions match python3", () => {
  it("int(), float(), _to_bool, _to_str_list and _parse_quoted_string agree on tricky inputs", () => {
    const numbers = ["256", " 256 ", "+1", "-1", "1_000", "1__0", "_1", "٣", "0x10", "abc", "", "1.5", "1e3", ".5", "5.", "inf", "-Infinity", "nan", "1_0.2_5", "١٢.٥", "\t7\n", "1 2"];
    const bools = ["true", "TRUE", " True ", "1", "0", "yes", "false", "", "1.0"];
    const lists = ["a,b", " a , b ,", ",,", "", "x"];
    const quoted = ["'abc'", '"abc"', "'a\\nb'", "'a'b'", '"a\'b"', "'", "''", "  'x'  ", "'a' 'b'", "'\\x41\\u00e9'", "'\\q'", "'''t'''", '"unterminated', "'\\101'", "plain"];
    const cases: [string, string][] = [
      ...numbers.flatMap((n) => [["int", n], ["float", n]] as [string, string][]),
      ...bools.map((b) => ["bool", b] as [string, string]),
      ...lists.map((l) => ["strlist", l] as [string, string]),
      ...quoted.map((q) => ["quoted", q] as [string, string]),
    ];
    const r = spawnSync("python3", ["-c", PY], { input: JSON.stringify(cases), encoding: "utf8" });
    expect(r.status).toBe(0);
    const expected = JSON.parse(r.stdout) as unknown[];
    expect(cases.map(([f, a]) => ours(f, a))).toEqual(expected);
  });
});

describe("loading LMCacheEngineConfig", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "lmc-config-"));
    clearLogRecords();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("has LMCache's defaults", () => {
    const c = defaultEngineConfig();
    expect(c).toMatchObject({
      chunkSize: 256, localCpu: true, maxLocalCpuSize: 5.0, reserveLocalCpuSize: 0, remoteUrl: null, remoteSerde: "naive",
      remoteStoragePlugins: null, storagePlugins: null, extraConfig: null, blockingTimeoutSecs: 10, cachePolicy: "LRU",
      saveUnfullChunk: false, useLayerwise: false, enableAsyncLoading: false, lookupTimeoutMs: 3000, localDisk: null,
      maxLocalDiskSize: 0, auditActualRemoteUrl: null,
    });
  });

  it("reads the reference's external example YAML, warning about unknown and deprecated keys", () => {
    const path = join(dir, "backend_type.yaml");
    writeFileSync(path, [
      "chunk_size: 256", 'local_device: "cpu"', "local_cpu: False", "max_local_cpu_size: 5",
      'remote_url: "external://host:0/external_log_connector.lmc_external_log_connector/?connector_name=ExternalLogConnector"',
      'remote_serde: "naive"', "pipelined_backend: False", "external_backends: [a, b]", "local_disk: file:///tmp/disk/",
      "extra_config:", "  ext_log_connector_support_ping: True", "  ext_log_connector_health_interval: 10.0",
    ].join("\n"));
    const c = loadConfigFromFile(path);
    expect(c.localCpu).toBe(false);
    expect(c.maxLocalCpuSize).toBe(5);
    expect(c.storagePlugins).toEqual(["a", "b"]);
    expect(c.localDisk).toBe("/tmp/disk/");
    expect(c.remoteUrl).toContain("external://host:0/");
    expect(getExtraConfigValue(c, "ext_log_connector_support_ping", false)).toBe(true);
    expect(getExtraConfigValue(c, "missing", 7)).toBe(7);
    expect(warnings()).toEqual([
      `Unknown configuration key: local_device (source: file: ${path})`,
      `Unknown configuration key: pipelined_backend (source: file: ${path})`,
      `external_backends is deprecated, use storage_plugins instead (source: file: ${path})`,
      REMOTE_URL_DEPRECATION_WARNING,
    ]);
  });

  it("reproduces LMCache's alias oddity: an alias that is not also deprecated is an unknown key", () => {
    const c = loadConfigFromYaml("enable_xpyd: true\n", "file: x.yaml");
    expect(c.enablePd).toBe(false);
    expect(warnings()).toEqual(["Unknown configuration key: enable_xpyd (source: file: x.yaml)"]);
  });

  it("refuses a YAML value LMCache cannot convert, naming the key, after LMCache's own warning", () => {
    expect(() => loadConfigFromYaml('chunk_size: "abc"\n', "file: bad.yaml")).toThrowError(
      expect.objectContaining({ name: "ValueError", message: expect.stringContaining("'chunk_size' (source: file: bad.yaml)") }),
    );
    expect(warnings()).toEqual(["Failed to convert value for chunk_size='abc': invalid literal for int() with base 10: 'abc'"]);
    expect(() => loadConfigFromYaml("chunk_size: [1]\n")).toThrowError(expect.objectContaining({ name: "TypeError" }));
    expect(() => loadConfigFromYaml("chunk_size: ~\n")).toThrowError(/chunk_size/);
    expect(() => loadConfigFromYaml("a: [\n")).toThrowError(expect.objectContaining({ name: "ValueError", message: expect.stringMatching(/Invalid YAML/) }));
    expect(() => loadConfigFromYaml("- a\n")).toThrowError(/mapping/);
    expect(loadConfigFromYaml("").chunkSize).toBe(256);
  });

  it("applies LMCACHE_* overrides with LMCache's conversions and fallbacks", () => {
    const c = applyEnvOverrides(createEngineConfig(), {
      LMCACHE_CHUNK_SIZE: "'16'",
      LMCACHE_LOCAL_CPU: " TRUE ",
      LMCACHE_USE_LAYERWISE: "yes",
      LMCACHE_REMOTE_STORAGE_PLUGINS: " fs.primary , mystore ,",
      LMCACHE_EXTRA_CONFIG: '{"save_chunk_meta": false, "n": 1}',
      LMCACHE_BLOCKING_TIMEOUT_SECS: "soon",
      LMCACHE_EXTERNAL_BACKENDS: "x",
      LMCACHE_NOT_A_KEY: "ignored",
    });
    expect(c).toMatchObject({ chunkSize: 16, localCpu: true, useLayerwise: false, remoteStoragePlugins: ["fs.primary", "mystore"], blockingTimeoutSecs: 10, storagePlugins: ["x"] });
    expect(c.extraConfig).toEqual({ save_chunk_meta: false, n: 1 });
    expect(warnings()).toEqual([
      "external_backends is deprecated, use storage_plugins instead (source: environment variables)",
      "Failed to parse LMCACHE_BLOCKING_TIMEOUT_SECS='soon': invalid literal for int() with base 10: 'soon'",
    ]);
  });

  it("loads LMCACHE_CONFIG_FILE then env, then overrides, warning about remote_url once", () => {
    const path = join(dir, "c.yaml");
    writeFileSync(path, "chunk_size: 64\nremote_url: lm://h:1\nextra_config: {a: 1}\n");
    const c = loadEngineConfigWithOverrides({ env: { LMCACHE_CONFIG_FILE: path, LMCACHE_CHUNK_SIZE: "32", LMCACHE_EXTRA_CONFIG: "not json" }, overrides: { cache_policy: "LFU", bogus: 1 } });
    expect(c.chunkSize).toBe(32);
    expect(c.cachePolicy).toBe("LFU");
    expect(c.extraConfig).toEqual({ a: 1 });
    const w = warnings();
    expect(w.filter((m) => m === REMOTE_URL_DEPRECATION_WARNING)).toHaveLength(1);
    expect(w.some((m) => m.startsWith("Failed to parse LMCACHE_EXTRA_CONFIG='not json': "))).toBe(true);
    expect(w).toContain("Unknown config key: bogus, ignoring");
    expect(() => loadEngineConfigWithOverrides({ env: { LMCACHE_CONFIG_FILE: join(dir, "nope.yaml") } })).toThrowError(
      expect.objectContaining({ name: "FileNotFoundError" }),
    );
    expect(loadEngineConfigWithOverrides({ env: {} }).chunkSize).toBe(256);
  });

  it("resolves save_chunk_meta per LMCache Era C", () => {
    expect(resolveSaveChunkMeta(createEngineConfig())).toBe(true);
    expect(resolveSaveChunkMeta(createEngineConfig({ extraConfig: {} }))).toBe(true);
    expect(resolveSaveChunkMeta(createEngineConfig({ extraConfig: { save_chunk_meta: false } }))).toBe(false);
    expect(resolveSaveChunkMeta(createEngineConfig({ extraConfig: { save_chunk_meta: false }, useLayerwise: true }))).toBe(false);
    expect(resolveSaveChunkMeta(createEngineConfig({ extraConfig: { save_chunk_meta: "false" } }))).toBe(true);
    expect(resolveSaveChunkMeta(createEngineConfig({ extraConfig: { other: 1 }, useLayerwise: true }))).toBe(true);
  });
});
