/**
 * The kit's Python `lmcache` package (runtime/python) against the TypeScript runtime, on the same
 * generated inputs: key strings both ways (all four layouts), RemoteMetadata header bytes both
 * ways, chunk-meta fields for the same config + metadata, reshape_partial_chunk, token dims,
 * config defaults, and error types/texts on shared bad inputs.
 *
 * One Python process answers everything (kit_lmcache_oracle.py). Debian's /usr/bin/python3 with
 * python3-torch is required: without it every test here FAILS with a message saying what to install.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createEngineConfig, defaultEngineConfig } from "../../src/config/engine-config";
import { CONFIG_DEFINITIONS, camelKey } from "../../src/config/definitions";
import { RemoteConnector } from "../../src/connector/base-connector";
import { parseRemoteUrl } from "../../src/connector/url";
import { CacheEngineKey, LayerCacheEngineKey, type KeyLayout } from "../../src/keys/cache-engine-key";
import { MemoryAllocator } from "../../src/memory/allocator";
import { ALL_DTYPES, type DType } from "../../src/memory/dtypes";
import { MemoryFormat, memoryFormatFromInt, tokenDim } from "../../src/memory/memory-format";
import type { MemoryObj } from "../../src/memory/memory-obj";
import { LMCacheMetadata, type LMCacheMetadataInit } from "../../src/metadata";
import { RemoteMetadata } from "../../src/protocol/remote-metadata";
import { LocalCPUBackend } from "../../src/storage-backend/local-cpu-backend";
import type { LMCacheEngineConfig } from "../../src/config/engine-config";
import { Prng } from "../../src/harness/prng";

const PYTHON = "/usr/bin/python3";
const ORACLE = path.join(__dirname, "kit_lmcache_oracle.py");

type Answer<T = unknown> = { ok: T } | { error: string; message: string };

interface KeyItem {
  model: string;
  ws: number;
  wid: number;
  hash: string;
  hashBytes?: string | null;
  dtype: DType;
  tags: [string, string][];
  configs: [string, string][];
  layer: number | null;
}

interface ChunkMetaItem {
  config: LMCacheEngineConfig;
  metadata: LMCacheMetadata;
  capacity?: number;
  bytesRead?: number;
}

// ---- generated inputs ---------------------------------------------------------------------------

const rng = new Prng(20261201);
const WORDS = ["llama", "Qwen/Qwen3-8B", "m-1", "déjà", "a%b", "x_y", "mistral.7b", "Z"];
/** The dtypes Debian's torch 1.13 has (no float8); checked against what Python reports. */
const TORCH113_DTYPES = ALL_DTYPES.filter((d) => !d.startsWith("float8"));

function randomHash(): bigint {
  const kind = rng.int(0, 3);
  if (kind === 0) return BigInt(rng.int(0, 1000));
  if (kind === 1) return -BigInt(rng.int(1, 1 << 30));
  const hi = BigInt(rng.int(0, 2 ** 31 - 1));
  const lo = BigInt(rng.int(0, 2 ** 31 - 1));
  return (hi << 64n) | (lo << 13n) | BigInt(rng.int(0, 8191));
}

function keyItems(n: number): KeyItem[] {
  const items: KeyItem[] = [];
  for (let i = 0; i < n; i++) {
    const tags: [string, string][] = [];
    for (let t = rng.int(0, 3); t > 0; t--) tags.push([rng.pick(["user", "tenant", "t9", "lora"]) + t, rng.pick(["u1", "x%y", "", "42", "été"])]);
    const configs: [string, string][] = rng.int(0, 1) ? [["priority", "high"]] : [];
    items.push({
      model: rng.pick(WORDS),
      ws: rng.int(1, 8),
      wid: rng.int(0, 7),
      hash: randomHash().toString(),
      hashBytes: i % 9 === 0 ? Buffer.from([i, 255 - i, 7]).toString("hex") : null,
      dtype: rng.pick(TORCH113_DTYPES),
      tags,
      configs,
      layer: rng.int(0, 2) === 0 ? rng.int(0, 40) : null,
    });
  }
  return items;
}

function tsKey(item: KeyItem): CacheEngineKey {
  const requestConfigs: Record<string, unknown> = {};
  for (const [k, v] of item.tags) requestConfigs["lmcache.tag." + k] = v;
  for (const [k, v] of item.configs) requestConfigs[k] = v;
  const init = {
    modelName: item.model,
    worldSize: item.ws,
    workerId: item.wid,
    chunkHash: item.hashBytes ? Uint8Array.from(Buffer.from(item.hashBytes, "hex")) : BigInt(item.hash),
    dtype: item.dtype,
    requestConfigs: Object.keys(requestConfigs).length ? requestConfigs : null,
  };
  return item.layer === null ? new CacheEngineKey(init) : new LayerCacheEngineKey({ ...init, layerId: item.layer });
}

function tsKeyFields(key: CacheEngineKey) {
  const out: Record<string, unknown> = {
    modelName: key.modelName,
    worldSize: key.worldSize,
    workerId: key.workerId,
    chunkHash: String(key.chunkHash),
    dtype: key.dtype,
    requestConfigs: key.requestConfigs,
  };
  if (key instanceof LayerCacheEngineKey) out.layerId = key.layerId;
  return out;
}

interface EraItem extends KeyItem {
  layout: Exclude<KeyLayout, "E3">;
  fmt: string;
}

function eraItems(n: number): EraItem[] {
  return keyItems(n).map((item, i) => ({
    ...item,
    hashBytes: null,
    layout: (["2024", "E1", "E2"] as const)[i % 3]!,
    fmt: rng.pick(["vllm", "huggingface"]),
    tags: i % 3 === 0 ? [] : item.tags,
  }));
}

function tsEraString(item: EraItem): string {
  const requestConfigs: Record<string, unknown> = {};
  for (const [k, v] of item.tags) requestConfigs["lmcache.tag." + k] = v;
  const init = {
    modelName: item.model,
    worldSize: item.ws,
    workerId: item.wid,
    chunkHash: item.layout === "2024" ? item.hash : BigInt(item.hash),
    dtype: item.dtype,
    fmt: item.fmt,
    layout: item.layout,
    requestConfigs: Object.keys(requestConfigs).length ? requestConfigs : null,
  };
  const key = item.layer === null ? new CacheEngineKey(init) : new LayerCacheEngineKey({ ...init, layerId: item.layer });
  return key.toString();
}

function tsEraFields(s: string, layout: KeyLayout, layer: boolean) {
  const key = layer ? LayerCacheEngineKey.fromString(s, layout) : CacheEngineKey.fromString(s, layout);
  const out: Record<string, unknown> = {
    fmt: key.fmt,
    model_name: key.modelName,
    world_size: key.worldSize,
    worker_id: key.workerId,
    chunk_hash: String(key.chunkHash),
    request_configs: key.requestConfigs,
  };
  if (layout === "E2") out.dtype = key.dtype;
  if (key instanceof LayerCacheEngineKey) out.layer_id = key.layerId;
  return out;
}

interface HeaderItem {
  length: number;
  shapes: number[][];
  dtypes: (DType | null)[];
  fmt: number;
}

const CODED: (DType | null)[] = ["float16", "bfloat16", "float32", "float64", "uint8"];

function headerItems(n: number): HeaderItem[] {
  const items: HeaderItem[] = [];
  for (let i = 0; i < n; i++) {
    const groups = rng.int(1, 3);
    const fmt = rng.int(0, 8);
    const shapes: number[][] = [];
    const dtypes: (DType | null)[] = [];
    for (let g = 0; g < groups; g++) {
      const rank = rng.int(1, 4);
      shapes.push(Array.from({ length: rank }, () => rng.int(1, 4096)));
      dtypes.push(fmt === MemoryFormat.BINARY || fmt === MemoryFormat.BINARY_BUFFER ? rng.pick([null, "uint8"]) : rng.pick(CODED));
    }
    items.push({ length: rng.int(0, 2 ** 31 - 1), shapes, dtypes, fmt });
  }
  return items;
}

function metadataInit(i: number): LMCacheMetadataInit {
  const chunkSize = rng.pick([16, 32, 256]);
  const useMla = i % 4 === 3;
  const kvDtype = rng.pick<DType>(["bfloat16", "float16", "float32", "uint8"]);
  const init: LMCacheMetadataInit = {
    modelName: rng.pick(WORDS),
    worldSize: 1,
    workerId: 0,
    kvDtype,
    kvShape: [rng.int(1, 4), useMla ? 1 : 2, chunkSize, rng.int(1, 4), rng.pick([8, 16, 64])],
    useMla,
    chunkSize,
  };
  if (i % 5 === 4) {
    init.kvLayerGroups = [
      { numLayers: rng.int(1, 3), hiddenDimSize: rng.pick([8, 32]), dtype: "bfloat16" },
      { numLayers: rng.int(1, 3), hiddenDimSize: rng.pick([16, 64]), dtype: "float16" },
    ];
  }
  return init;
}

const EXTRA_CONFIGS: (Record<string, unknown> | null)[] = [
  null,
  {},
  { save_chunk_meta: false },
  { save_chunk_meta: true },
  { save_chunk_meta: "false" },
  { save_chunk_meta: 0 },
  { other: 1 },
];

function chunkMetaItems(): ChunkMetaItem[] {
  const items: ChunkMetaItem[] = [];
  let i = 0;
  for (const extraConfig of EXTRA_CONFIGS) {
    for (const useLayerwise of [false, true]) {
      const metadata = new LMCacheMetadata(metadataInit(i++));
      const chunkSize = i % 6 === 0 ? 64 : metadata.chunkSize; // sometimes the config disagrees
      items.push({ config: createEngineConfig({ chunkSize, extraConfig, useLayerwise }), metadata });
    }
  }
  return items;
}

class ParityConnector extends RemoteConnector {
  constructor(config: LMCacheEngineConfig, metadata: LMCacheMetadata) {
    super(config, metadata);
  }
  async exists() {
    return false;
  }
  existsSync() {
    return false;
  }
  async get() {
    return null;
  }
  async put() {}
  async list() {
    return [];
  }
  async close() {}
}

function tsChunkMeta(item: ChunkMetaItem) {
  const c = new ParityConnector(item.config, item.metadata);
  const backend = new LocalCPUBackend({ config: item.config, metadata: item.metadata, allocator: new MemoryAllocator({ capacityBytes: 1 << 22 }) });
  return {
    saveChunkMeta: c.saveChunkMeta,
    metaShapes: c.metaShapes,
    metaDtypes: c.metaDtypes,
    metaFmt: c.metaFmt,
    fullChunkSizeBytes: c.fullChunkSizeBytes,
    singleTokenSize: c.singleTokenSize,
    remoteMetadataBytes: c.remoteMetadataBytes,
    backendFullChunkSizeBytes: backend.getFullChunkSizeBytes(),
  };
}

function tsReshape(item: ChunkMetaItem) {
  const c = new ParityConnector(item.config, item.metadata);
  const allocator = new MemoryAllocator({ capacityBytes: 1 << 22 });
  const obj = allocator.allocate(c.metaShapes!, c.metaDtypes!, c.metaFmt) as MemoryObj;
  const out = c.reshapePartialChunk(obj, item.bytesRead!);
  return { shape: out.getShape(), size: out.getSize(), bytes: out.byteArray.length, tokens: out.getNumTokens() };
}

/** TS `{ name, message }` of what `fn` throws, or `{ ok }`. */
function tsAnswer<T>(fn: () => T): Answer<T> {
  try {
    return { ok: fn() };
  } catch (e) {
    const err = e as Error;
    return { error: err.name, message: err.message };
  }
}

// ---- the shared request and the one Python process -------------------------------------------

const keys = keyItems(120);
const badKeyStrings = [
  "a@1@0@ff",
  "a@1@0@zz@half",
  "a@x@0@ff@half",
  "a@1@0@ff@fp4",
  "a@1@0@ff@half@notatag",
  "a@b@1@0@ff@half",
  "a@b@1@0@ff",
  "m@1@0@ff@bfloat16@x",
  "",
  "a@1@0@0x1f@half",
  "a@ 2 @0@-ff@half@t%%v",
];
const eras = eraItems(60);
const headers = headerItems(150);
const chunkMeta = chunkMetaItems();
const reshapes: ChunkMetaItem[] = chunkMeta.flatMap((item) => {
  const c = new ParityConnector(item.config, item.metadata);
  const full = c.fullChunkSizeBytes!;
  const single = c.singleTokenSize!;
  return [full, single, single * 3, full - single, 0, -single, single + 1, full + single].map((bytesRead) => ({ ...item, bytesRead }));
});

const URLS = [
  "external://host:0/my_pkg.my_mod/?connector_name=MyConnector",
  "external://HOST:0/a%2Eb//c/?connector_name=A&connector_name=B",
  "redis://user:s3cret@localhost:6379/0?x=1+2&y=%20z&blank=&bare#frag",
  "redis://u:pw@:0/x",
  "fs:///tmp/x",
  "mock://100/?peeking_latency=1",
  "lm://[::1]:65535/",
  "lm://h:99999/",
  "lm://h:abc/",
  "plugin://fs.primary",
  "external://h:0",
  "s3://bucket.example:443/prefix?region=us-east-1&region=eu",
  "",
  "nonsense",
];

const request = {
  keys,
  keyParses: [
    ...keys.map((item) => ({ s: tsKey(item).toString(), layer: item.layer !== null })),
    ...badKeyStrings.flatMap((s) => [
      { s, layer: false },
      { s, layer: true },
    ]),
  ],
  eraKeys: eras,
  eraParses: eras.map((item) => ({ s: tsEraString(item), layout: item.layout, layer: item.layer !== null })),
  headers,
  headerParses: headers.map((item) => ({
    hex: Buffer.from(new RemoteMetadata(item.length, item.shapes, item.dtypes, item.fmt).serialize()).toString("hex"),
    groups: item.shapes.length,
  })),
  chunkMeta,
  reshape: reshapes,
  formats: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1],
  tsConfig: defaultEngineConfig(),
  urls: URLS,
};

interface Reply {
  python: { executable: string; torch: string; lmcacheFile: string; kit: boolean; version: string; dtypes: string[] };
  keyStrings: Answer<string>[];
  keyParses: Answer[];
  eraStrings: Answer<string>[];
  eraParses: Answer[];
  headers: Answer<string>[];
  headerParses: Answer[];
  chunkMeta: Answer[];
  reshape: Answer[];
  tokenDims: Answer<number>[];
  configDefaults: Record<string, unknown>;
  configViaSeam: Record<string, unknown>;
  divergences: ([string, string] | null)[];
  urls: Answer[];
}

let reply: Reply;

beforeAll(() => {
  const probe = spawnSync(PYTHON, ["-c", "import torch, pytest"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `${PYTHON} with torch is required for the Python lane (install Debian's python3-torch and python3-pytest: ` +
        `apt-get install -y --no-install-recommends python3-torch python3-pytest). ${probe.error?.message ?? probe.stderr.trim()}`,
    );
  }
  const res = spawnSync(PYTHON, [ORACLE], {
    input: JSON.stringify(request, (_k, v) => (typeof v === "bigint" ? v.toString() : v)),
    encoding: "utf8",
    maxBuffer: 64 << 20,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1", LMCACHE_LOG_LEVEL: "ERROR" },
  });
  if (res.status !== 0) throw new Error(`oracle failed (exit ${res.status}): ${res.stderr}`);
  reply = JSON.parse(res.stdout) as Reply;
}, 60_000);

describe("the Python side is the kit's package", () => {
  it("runs Debian's interpreter with torch and imports runtime/python/lmcache", () => {
    expect(reply.python.executable).toBe(PYTHON);
    expect(reply.python.kit).toBe(true);
    expect(reply.python.version).toMatch(/\+lmcache-connector-kit$/);
    expect(reply.python.lmcacheFile).toBe(path.resolve(__dirname, "../../python/lmcache/__init__.py"));
    expect(reply.python.dtypes).toEqual(expect.arrayContaining(TORCH113_DTYPES));
  });
});

describe("key strings", () => {
  it("to_string equals toString for every generated key (E3)", () => {
    const ts = keys.map((item) => tsKey(item).toString());
    expect(reply.keyStrings).toEqual(ts.map((ok) => ({ ok })));
    expect(new Set(ts).size).toBeGreaterThan(100);
  });

  it("Python reads the TS strings back to the same fields", () => {
    keys.forEach((item, i) => {
      const s = tsKey(item).toString();
      const tsParsed = item.layer === null ? CacheEngineKey.fromString(s) : LayerCacheEngineKey.fromString(s);
      expect(reply.keyParses[i]).toEqual({ ok: tsKeyFields(tsParsed) });
    });
  });

  it("TS reads the Python strings back to keys equal to the originals", () => {
    keys.forEach((item, i) => {
      const s = (reply.keyStrings[i] as { ok: string }).ok;
      const parsed = item.layer === null ? CacheEngineKey.fromString(s) : LayerCacheEngineKey.fromString(s);
      const original = tsKey(item);
      if (item.hashBytes) {
        // LMCache oddity on both sides: a bytes hash is written with .hex() and read back with
        // int(hex, 16), so it returns as an int (leading zero bytes vanish from the string).
        expect(parsed.chunkHash).toBe(BigInt("0x" + item.hashBytes));
        expect(parsed.modelName + parsed.worldSize + parsed.workerId + parsed.dtype).toBe(original.modelName + original.worldSize + original.workerId + original.dtype);
        expect(parsed.tags).toEqual(original.tags);
      } else expect(parsed.equals(original)).toBe(true);
    });
  });

  it("bad key strings get the same exception type and text on both sides", () => {
    const offset = keys.length;
    badKeyStrings.forEach((s, j) => {
      for (const layer of [false, true]) {
        const ts = tsAnswer(() => tsKeyFields(layer ? LayerCacheEngineKey.fromString(s) : CacheEngineKey.fromString(s)));
        const py = reply.keyParses[offset + 2 * j + (layer ? 1 : 0)]!;
        expect({ s, layer, ...py }).toEqual({ s, layer, ...ts });
      }
    });
    expect(reply.keyParses.slice(offset).filter((a) => "error" in a).length).toBeGreaterThan(15);
  });

  it("the older layouts (2024, E1, E2) render and parse alike", () => {
    expect(reply.eraStrings).toEqual(eras.map((item) => ({ ok: tsEraString(item) })));
    eras.forEach((item, i) => {
      const s = tsEraString(item);
      expect(reply.eraParses[i]).toEqual({ ok: tsEraFields(s, item.layout, item.layer !== null) });
    });
  });
});

describe("RemoteMetadata header bytes", () => {
  it("serialize gives the same bytes for every generated shape/dtype/format/group count", () => {
    const ts = headers.map((item) => Buffer.from(new RemoteMetadata(item.length, item.shapes, item.dtypes, item.fmt).serialize()).toString("hex"));
    expect(reply.headers).toEqual(ts.map((ok) => ({ ok })));
    expect(ts.some((h) => h.length === 2 * 28) && ts.some((h) => h.length === 2 * 68)).toBe(true);
  });

  it("deserialize of the TS bytes gives the TS fields", () => {
    headers.forEach((item, i) => {
      const p = request.headerParses[i]!;
      const ts = RemoteMetadata.deserialize(Uint8Array.from(Buffer.from(p.hex, "hex")), p.groups);
      expect(reply.headerParses[i]).toEqual({ ok: { length: ts.length, shapes: ts.shapes, dtypes: ts.dtypes, fmt: ts.fmt } });
    });
  });
});

describe("chunk-meta fields for the same config and metadata", () => {
  it("save_chunk_meta, meta_shapes, meta_dtypes, meta_fmt, sizes and header bytes agree", () => {
    chunkMeta.forEach((item, i) => {
      expect({ i, ...reply.chunkMeta[i]! }).toEqual({ i, ...tsAnswer(() => tsChunkMeta(item)) });
    });
    const fields = reply.chunkMeta.map((a) => (a as { ok: { saveChunkMeta: boolean; remoteMetadataBytes: number } }).ok);
    expect(new Set(fields.map((f) => f.saveChunkMeta))).toEqual(new Set([true, false]));
    expect(new Set(fields.map((f) => f.remoteMetadataBytes))).toEqual(new Set([28, 48]));
  });

  it("reshape_partial_chunk gives the same shape and size, or the same ValueError", () => {
    reshapes.forEach((item, i) => {
      expect({ bytesRead: item.bytesRead, ...reply.reshape[i]! }).toEqual({ bytesRead: item.bytesRead, ...tsAnswer(() => tsReshape(item)) });
    });
    expect(reply.reshape.filter((a) => "error" in a).length).toBe(4 * chunkMeta.length);
  });
});

describe("formats and config", () => {
  it("MemoryFormat token dims and unknown-format errors agree", () => {
    request.formats.forEach((n, i) => {
      const ts = tsAnswer(() => tokenDim(memoryFormatFromInt(n)));
      expect({ n, ...reply.tokenDims[i]! }).toEqual({ n, ...ts });
    });
  });

  it("LMCacheEngineConfig defaults equal the TS defaults key by key", () => {
    const ts = defaultEngineConfig() as unknown as Record<string, unknown>;
    const expected = Object.fromEntries(CONFIG_DEFINITIONS.map(([key]) => [key, ts[camelKey(key)] === Infinity ? "inf" : ts[camelKey(key)]]));
    expect(reply.configDefaults).toEqual(expected);
  });

  it("the TS config JSON goes through engine_config_from_kit unchanged", () => {
    expect(reply.configViaSeam).toEqual(reply.configDefaults);
  });
});

describe("parse_remote_url", () => {
  it("gives the same fields, or the same exception and text (passwords redacted on both sides)", () => {
    URLS.forEach((url, i) => {
      expect({ url, ...reply.urls[i]! }).toEqual({ url, ...tsAnswer(() => parseRemoteUrl(url)) });
    });
    expect(reply.urls.filter((a) => "error" in a).length).toBeGreaterThanOrEqual(6);
  });
});

describe("documented divergences (LMCache's Python errors vs the TS runtime's own)", () => {
  it("a dtype without a wire code, an unknown dtype code and a short buffer", () => {
    // Asserted on purpose: if either side changes, this test says so.
    const noCode = tsAnswer(() => new RemoteMetadata(4, [[4]], ["int32"], MemoryFormat.KV_2LTD).serialize());
    expect(noCode).toEqual({ error: "ValueError", message: "Unsupported dtype for RemoteMetadata: torch.int32 (LMCache has no wire code for it)" });
    const badCode = tsAnswer(() => RemoteMetadata.deserialize(Uint8Array.from(Buffer.from("00000000010000000900000001000000010000000100000001000000", "hex"))));
    expect(badCode).toEqual({ error: "ValueError", message: "Unknown RemoteMetadata dtype code: 9" });
    expect(reply.divergences).toEqual([
      ["KeyError", "torch.int32"],
      ["KeyError", "9"],
      ["error", "unpack_from requires a buffer of at least 28 bytes for unpacking 28 bytes at offset 0 (actual buffer size is 10)"],
    ]);
  });
});
