/**
 * LMCache `CacheEngineKey` / `LayerCacheEngineKey` (`lmcache/utils.py`) with all four string
 * layouts LMCache has used. Connectors should treat `key.toString()` as opaque: it is the name
 * LMCache itself uses for files and remote keys.
 */
import { AttributeError, KeyError, TypeError, ValueError } from "../errors";
import { DType, dtypeToKeyString, isDType, keyStringToDType } from "../memory/dtypes";
import { isDigits, pyBytesRepr, pyInt, pyIntNumber, pyStr, pyStrRepr } from "./python-text";

/**
 * Key string layouts, oldest first:
 * - `"2024"`: `fmt@model@world_size@worker_id@chunk_hash` (hash is an opaque str; exactly 5 parts)
 * - `"E1"` (mid-2025): `fmt@model@ws@wid@<hex>[@tag%value…]`
 * - `"E2"` (late 2025): `fmt@model@ws@wid@<hex>@<dtype>[@tag%value…]` (fp8 names `fp8_e4m3`/`fp8_e5m2`)
 * - `"E3"` (2026, newest, the default): `model@ws@wid@<hex>@<dtype>[@tag%value…]`
 */
export type KeyLayout = "2024" | "E1" | "E2" | "E3";

/** The newest layout, used when none is given. */
export const DEFAULT_KEY_LAYOUT: KeyLayout = "E3";

/** Prefix of request-config entries that become key tags. */
export const TAG_PREFIX = "lmcache.tag.";

/**
 * A chunk hash: an integer (may be negative; rendered as Python `f"{h:x}"`, e.g. `-1a`), bytes
 * (E3 only: rendered with `.hex()`) or, in the 2024 layout, an opaque string.
 */
export type ChunkHash = bigint | Uint8Array | string;

/** Request configs (`request_configs`); only `lmcache.tag.*` entries reach the key string. */
export type RequestConfigs = Record<string, unknown>;

/** Fields of a key. `fmt` (the engine format string, e.g. `"vllm"`) is needed by layouts 2024/E1/E2. */
export interface CacheEngineKeyInit {
  modelName: string;
  worldSize: number;
  workerId: number;
  /** Numbers are converted to bigint (must be safe integers). */
  chunkHash: ChunkHash | number;
  /** Required by layouts E2/E3. */
  dtype?: DType;
  requestConfigs?: RequestConfigs | null;
  fmt?: string;
  /** Layout whose identity rules (`equals`, `hashKey`) and default string form apply. Default E3. */
  layout?: KeyLayout;
}

/** `to_dict()` output (msgpack form). `chunk_hash` stays a bigint (a Python int). */
export interface CacheEngineKeyDict {
  __type__: "CacheEngineKey";
  fmt?: string;
  model_name: string;
  world_size: number;
  worker_id: number;
  chunk_hash: ChunkHash;
  dtype?: string;
  request_configs?: string[];
}

function normaliseHash(h: ChunkHash | number): ChunkHash {
  if (typeof h === "number") {
    if (!Number.isSafeInteger(h)) throw new TypeError(`chunkHash must be an integer, got ${h}`);
    return BigInt(h);
  }
  if (typeof h === "bigint" || typeof h === "string" || h instanceof Uint8Array) return h;
  throw new TypeError(`chunkHash must be a bigint, number, Uint8Array or string, got ${typeof h}`);
}

function typeName(h: ChunkHash): string {
  return typeof h === "string" ? "str" : h instanceof Uint8Array ? "bytes" : "int";
}

function bytesHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

/** Python `f"{h:x}"` (E1/E2) or E3 `chunk_hash_hex` (bytes allowed there). */
function hexOf(h: ChunkHash, allowBytes: boolean): string {
  if (typeof h === "bigint") return h.toString(16);
  if (allowBytes && h instanceof Uint8Array) return bytesHex(h);
  throw new ValueError(`Unknown format code 'x' for object of type '${typeName(h)}'`);
}

/** Python `f"{h}"` (2024 layout). */
function strOf(h: ChunkHash): string {
  if (typeof h === "bigint") return h.toString(10);
  if (h instanceof Uint8Array) return pyBytesRepr(h);
  return h;
}

/** A value with its type, so `"1"` and `1` stay different identities. */
function typedValue(v: unknown): string {
  if (typeof v === "string") return "s:" + v;
  if (typeof v === "bigint") return "i:" + v.toString();
  if (typeof v === "number") return (Number.isInteger(v) ? "i:" : "f:") + String(v);
  return "o:" + pyStr(v);
}

function hashIdentity(h: ChunkHash): string {
  if (typeof h === "bigint") return "i:" + h.toString();
  if (h instanceof Uint8Array) return "b:" + bytesHex(h);
  return "s:" + h;
}

/** Parse tag parts (`name%value`) into request configs, or throw LMCache's ValueError. */
function parseTags(parts: string[], from: number, s: string): RequestConfigs | null {
  if (parts.length <= from) return null;
  const configs: RequestConfigs = {};
  for (const kv of parts.slice(from)) {
    const i = kv.indexOf("%");
    if (i < 0) throw new ValueError(`Invalid key string: ${s}`);
    configs[TAG_PREFIX + kv.slice(0, i)] = kv.slice(i + 1);
  }
  return configs;
}

/** Layout-era dtype string table. */
function dtypeEra(layout: KeyLayout): "E2" | "E3" {
  return layout === "E2" ? "E2" : "E3";
}

/**
 * LMCache `CacheEngineKey`. `toString()` renders the key's layout (E3 unless given); identity
 * (`equals`, `hashKey`) follows that layout's rules:
 * 2024: fmt, model, world size, worker id, hash · E1: + tags · E2: + dtype · E3: E2 without fmt.
 * `requestConfigs` itself is not part of identity; only its `lmcache.tag.*` entries (tags) are.
 * Like Python's `type(self) is type(other)`, a `CacheEngineKey` never equals a `LayerCacheEngineKey`.
 *
 * LMCache oddity reproduced: a model name containing `@` produces a string that `fromString`
 * cannot read back. The extra part shifts every field: in E3 the dtype lands where tags start
 * and, having no `%`, raises `ValueError("Invalid key string: …")`; with fewer or more parts
 * Python's `int()` of a shifted field raises `invalid literal for int() …` instead, or a field
 * is silently misread. The kit does the same split, in the same order, with the same errors.
 */
export class CacheEngineKey {
  readonly modelName: string;
  readonly worldSize: number;
  readonly workerId: number;
  readonly chunkHash: ChunkHash;
  readonly dtype: DType | undefined;
  readonly requestConfigs: RequestConfigs | null;
  readonly fmt: string | undefined;
  readonly layout: KeyLayout;
  /** `(name_without_prefix, value)` pairs from `requestConfigs`, in insertion order; null if none. */
  readonly tags: ReadonlyArray<readonly [string, unknown]> | null;
  /**
   * `toString()` in the key's own layout and `hashKey()`, built on first use: connectors and the
   * backend ask for them on every operation. A key is a value (Python's fields and bytes are
   * immutable), so they never go stale as long as its parts are not mutated after construction.
   * `#` fields keep them out of `toEqual`, spreads and JSON.
   */
  #ownString: string | undefined;
  #ownHashKey: string | undefined;

  constructor(init: CacheEngineKeyInit) {
    this.layout = init.layout ?? DEFAULT_KEY_LAYOUT;
    if (!["2024", "E1", "E2", "E3"].includes(this.layout)) {
      throw new ValueError(`Unknown key layout: ${String(this.layout)} (expected 2024, E1, E2 or E3)`);
    }
    this.modelName = init.modelName;
    this.worldSize = init.worldSize;
    this.workerId = init.workerId;
    this.chunkHash = normaliseHash(init.chunkHash);
    this.requestConfigs = init.requestConfigs ?? null;
    this.fmt = init.fmt;
    this.dtype = init.dtype;
    if (this.layout !== "E3" && this.fmt === undefined) {
      throw new TypeError("CacheEngineKey.__init__() missing 1 required positional argument: 'fmt'");
    }
    if (this.layout === "E2" || this.layout === "E3") {
      if (this.dtype === undefined) {
        throw new TypeError("CacheEngineKey.__init__() missing 1 required positional argument: 'dtype'");
      }
      if (!isDType(this.dtype)) throw new ValueError(`Unsupported dtype in CacheEngineKey: ${String(this.dtype)}`);
    }
    let tags: [string, unknown][] | null = null;
    if (this.requestConfigs) {
      for (const [k, v] of Object.entries(this.requestConfigs)) {
        if (k.startsWith(TAG_PREFIX)) (tags ??= []).push([k.slice(TAG_PREFIX.length), v]);
      }
    }
    this.tags = tags;
  }

  /** Fields to copy into a derived key. */
  protected baseInit(): CacheEngineKeyInit {
    return {
      modelName: this.modelName,
      worldSize: this.worldSize,
      workerId: this.workerId,
      chunkHash: this.chunkHash,
      dtype: this.dtype,
      requestConfigs: this.requestConfigs,
      fmt: this.fmt,
      layout: this.layout,
    };
  }

  /** E3 `chunk_hash_hex`: lower-case hex of an int hash (`-1a` when negative), `.hex()` of bytes. */
  get chunkHashHex(): string {
    return hexOf(this.chunkHash, true);
  }

  /** The dtype's key-string name in `layout` (E2 writes fp8 variants as `fp8_e4m3`/`fp8_e5m2`). */
  dtypeString(layout: KeyLayout = this.layout): string {
    if (this.dtype === undefined) {
      throw new ValueError(`Key layout ${layout} needs a dtype, but this key has none`);
    }
    return dtypeToKeyString(this.dtype, dtypeEra(layout));
  }

  private requireFmt(layout: KeyLayout): string {
    if (this.fmt === undefined) throw new ValueError(`Key layout ${layout} needs fmt, but this key has none`);
    return this.fmt;
  }

  /** The parts before the tags; `layerId` is inserted where its layout puts it. */
  protected headParts(layout: KeyLayout, layerId: number | null): string[] {
    const layer = layerId === null ? [] : [String(layerId)];
    switch (layout) {
      case "2024":
        return [this.requireFmt(layout), this.modelName, String(this.worldSize), String(this.workerId), strOf(this.chunkHash), ...layer];
      case "E1":
        return [this.requireFmt(layout), this.modelName, String(this.worldSize), String(this.workerId), hexOf(this.chunkHash, false), ...layer];
      case "E2":
        return [
          this.requireFmt(layout), this.modelName, String(this.worldSize), String(this.workerId),
          hexOf(this.chunkHash, false), this.dtypeString(layout), ...layer,
        ];
      case "E3":
        return [this.modelName, String(this.worldSize), String(this.workerId), this.chunkHashHex, this.dtypeString(layout), ...layer];
      default:
        throw new ValueError(`Unknown key layout: ${String(layout)} (expected 2024, E1, E2 or E3)`);
    }
  }

  protected render(layout: KeyLayout, layerId: number | null): string {
    let s = this.headParts(layout, layerId).join("@");
    if (layout !== "2024" && this.tags !== null && this.tags.length !== 0) {
      s += "@" + this.tags.map(([k, v]) => `${k}%${pyStr(v)}`).join("@");
    }
    return s;
  }

  /** The layer id rendered after the head parts (`null` for a plain key). */
  protected renderedLayerId(): number | null {
    return null;
  }

  /** LMCache `to_string()` in `layout` (default: the key's own layout). */
  toString(layout: KeyLayout = this.layout): string {
    if (layout !== this.layout) return this.render(layout, this.renderedLayerId());
    return (this.#ownString ??= this.render(layout, this.renderedLayerId()));
  }

  /** Identity tuple per the key's layout, as a string usable as a `Map` key. */
  hashKey(): string {
    return (this.#ownHashKey ??= JSON.stringify(this.identity()));
  }

  protected identity(): unknown[] {
    const cls = this.constructor.name;
    const tags = this.tags === null ? null : this.tags.map(([k, v]) => [k, typedValue(v)]);
    const h = hashIdentity(this.chunkHash);
    const dtype = this.dtype ?? null;
    switch (this.layout) {
      case "2024":
        return [this.layout, cls, this.fmt, this.modelName, this.worldSize, this.workerId, h];
      case "E1":
        return [this.layout, cls, this.fmt, this.modelName, this.worldSize, this.workerId, h, tags];
      case "E2":
        return [this.layout, cls, this.fmt, this.modelName, this.worldSize, this.workerId, h, dtype, tags];
      default:
        return [this.layout, cls, this.modelName, this.worldSize, this.workerId, h, dtype, tags];
    }
  }

  /** Python `__eq__`: same class and same identity fields (see the class comment). */
  equals(other: unknown): boolean {
    return other instanceof CacheEngineKey && other.constructor === this.constructor && other.hashKey() === this.hashKey();
  }

  /** One `LayerCacheEngineKey` per layer, ids `0..numLayers-1`. */
  splitLayers(numLayers: number): LayerCacheEngineKey[] {
    const keys: LayerCacheEngineKey[] = [];
    for (let layerId = 0; layerId < numLayers; layerId++) keys.push(new LayerCacheEngineKey({ ...this.baseInit(), layerId }));
    return keys;
  }

  /** The layer-0 key. */
  getFirstLayer(): LayerCacheEngineKey {
    return new LayerCacheEngineKey({ ...this.baseInit(), layerId: 0 });
  }

  /**
   * LMCache `with_new_worker_id`. Oddity reproduced: `LayerCacheEngineKey` does not override it,
   * so on a layer key it returns a plain `CacheEngineKey` and the layer id is lost.
   */
  withNewWorkerId(newWorkerId: number): CacheEngineKey {
    return new CacheEngineKey({ ...this.baseInit(), workerId: newWorkerId });
  }

  /**
   * LMCache `to_dict()` (msgpack). All request configs (not only tags) are listed as `"k%v"`.
   * Oddities reproduced: a layer key's dict has no `layer_id` (LayerCacheEngineKey does not
   * override `to_dict`), and the 2024 layout had no `to_dict` (`AttributeError`).
   */
  toDict(): CacheEngineKeyDict {
    if (this.layout === "2024") throw new AttributeError("'CacheEngineKey' object has no attribute 'to_dict'");
    const msg: CacheEngineKeyDict = { __type__: "CacheEngineKey" } as CacheEngineKeyDict;
    if (this.layout !== "E3") msg.fmt = this.fmt;
    msg.model_name = this.modelName;
    msg.world_size = this.worldSize;
    msg.worker_id = this.workerId;
    msg.chunk_hash = this.chunkHash;
    if (this.layout !== "E1") msg.dtype = this.dtypeString();
    if (this.requestConfigs && Object.keys(this.requestConfigs).length !== 0) {
      msg.request_configs = Object.entries(this.requestConfigs).map(([k, v]) => `${k}%${pyStr(v)}`);
    }
    return msg;
  }

  /**
   * LMCache `from_dict(d)`: request configs come back under their full names (values as strings);
   * a missing field is a `KeyError`, an entry without `%` a `ValueError("Invalid key dict: …")`.
   */
  static fromDict(d: Record<string, unknown>, layout: KeyLayout = DEFAULT_KEY_LAYOUT): CacheEngineKey {
    const need = (name: string): unknown => {
      if (!Object.prototype.hasOwnProperty.call(d, name)) throw new KeyError(`'${name}'`);
      return d[name];
    };
    let requestConfigs: RequestConfigs | null = null;
    const list = d["request_configs"];
    if (Array.isArray(list) && list.length > 0) {
      requestConfigs = {};
      for (const kv of list) {
        const s = String(kv);
        const i = s.indexOf("%");
        if (i < 0) throw new ValueError(`Invalid key dict: ${JSON.stringify(d, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`);
        requestConfigs[s.slice(0, i)] = s.slice(i + 1);
      }
    }
    if (layout === "2024") throw new AttributeError("type object 'CacheEngineKey' has no attribute 'from_dict'");
    const fmt = layout === "E3" ? undefined : (need("fmt") as string);
    const init: CacheEngineKeyInit = {
      fmt,
      modelName: need("model_name") as string,
      worldSize: need("world_size") as number,
      workerId: need("worker_id") as number,
      chunkHash: need("chunk_hash") as ChunkHash,
      requestConfigs,
      layout,
    };
    if (layout !== "E1") init.dtype = keyStringToDType(need("dtype") as string, dtypeEra(layout));
    return new CacheEngineKey(init);
  }

  /**
   * LMCache `CacheEngineKey.from_string(s)` in `layout` (default E3). Part-count rules:
   * 2024 exactly 5; E1 ≥ 5 (tags from part 5); E2 ≥ 6 (tags from 6); E3 ≥ 5 (tags from 5).
   * Errors as in Python: `ValueError("Invalid key string: <s>")` for too few parts or a tag
   * without `%`; `ValueError("invalid literal for int() …")` for bad numbers;
   * `KeyError('<name>')` for an unknown dtype name.
   */
  static fromString(s: string, layout: KeyLayout = DEFAULT_KEY_LAYOUT): CacheEngineKey {
    return parseKeyParts(s, layout, false) as CacheEngineKey;
  }

  /** `"CacheEngineKey(<string form>)"` for logs; the string form comes from `toString()`. */
  inspect(): string {
    return `${this.constructor.name}(${this.toString()})`;
  }
}

/** Fields of a layer key. */
export interface LayerCacheEngineKeyInit extends CacheEngineKeyInit {
  layerId?: number;
}

/**
 * LMCache `LayerCacheEngineKey`: a `CacheEngineKey` plus `layerId` (default 0). The layer id
 * goes right after the hash (2024/E1) or after the dtype (E2/E3), before the tags.
 */
export class LayerCacheEngineKey extends CacheEngineKey {
  readonly layerId: number;

  constructor(init: LayerCacheEngineKeyInit) {
    super(init);
    this.layerId = init.layerId ?? 0;
  }

  protected override renderedLayerId(): number | null {
    return this.layerId;
  }

  protected override identity(): unknown[] {
    return [...super.identity(), this.layerId];
  }

  /**
   * LMCache `LayerCacheEngineKey.from_string(s)`: one more part than the plain key
   * (2024 exactly 6; E1 ≥ 6; E2 ≥ 7; E3 ≥ 6), the layer id parsed last.
   */
  static override fromString(s: string, layout: KeyLayout = DEFAULT_KEY_LAYOUT): LayerCacheEngineKey {
    return parseKeyParts(s, layout, true) as LayerCacheEngineKey;
  }
}

function parseKeyParts(s: string, layout: KeyLayout, layer: boolean): CacheEngineKey {
  const parts = s.split("@");
  const extra = layer ? 1 : 0;
  const invalid = (): ValueError => new ValueError(`Invalid key string: ${s}`);
  switch (layout) {
    case "2024": {
      if (parts.length !== 5 + extra) throw invalid();
      const init: LayerCacheEngineKeyInit = {
        fmt: parts[0]!,
        modelName: parts[1]!,
        worldSize: pyIntNumber(parts[2]!),
        workerId: pyIntNumber(parts[3]!),
        chunkHash: parts[4]!,
        layout,
      };
      if (layer) return new LayerCacheEngineKey({ ...init, layerId: pyIntNumber(parts[5]!) });
      return new CacheEngineKey(init);
    }
    case "E1":
    case "E2": {
      const head = (layout === "E1" ? 5 : 6) + extra;
      if (parts.length < head) throw invalid();
      const requestConfigs = parseTags(parts, head, s);
      const init: LayerCacheEngineKeyInit = {
        fmt: parts[0]!,
        modelName: parts[1]!,
        worldSize: pyIntNumber(parts[2]!),
        workerId: pyIntNumber(parts[3]!),
        chunkHash: pyInt(parts[4]!, 16),
        requestConfigs,
        layout,
      };
      if (layout === "E2") init.dtype = keyStringToDType(parts[5]!, "E2");
      if (layer) return new LayerCacheEngineKey({ ...init, layerId: pyIntNumber(parts[head - 1]!) });
      return new CacheEngineKey(init);
    }
    case "E3": {
      const head = 5 + extra;
      if (parts.length < head) throw invalid();
      const requestConfigs = parseTags(parts, head, s);
      const init: LayerCacheEngineKeyInit = {
        modelName: parts[0]!,
        worldSize: pyIntNumber(parts[1]!),
        workerId: pyIntNumber(parts[2]!),
        chunkHash: pyInt(parts[3]!, 16),
        dtype: keyStringToDType(parts[4]!, "E3"),
        requestConfigs,
        layout,
      };
      if (layer) return new LayerCacheEngineKey({ ...init, layerId: pyIntNumber(parts[5]!) });
      return new CacheEngineKey(init);
    }
    default:
      throw new ValueError(`Unknown key layout: ${String(layout)} (expected 2024, E1, E2 or E3)`);
  }
}

/**
 * LMCache `parse_cache_key(s)`: a `LayerCacheEngineKey` when part 5 (0-based, after stripping
 * surrounding whitespace) exists and is all digits, else a `CacheEngineKey`.
 *
 * Oddity reproduced: the rule was written for layouts where part 5 is the layer id (E1, E3).
 * In E2 part 5 is the dtype, so E2 layer-key strings are parsed as plain keys and their layer
 * id is taken for a tag without `%` → `ValueError("Invalid key string: …")`.
 */
export function parseCacheKey(s: string, layout: KeyLayout = DEFAULT_KEY_LAYOUT): CacheEngineKey {
  const parts = s.trim().split("@");
  if (parts.length >= 6 && isDigits(parts[5])) return LayerCacheEngineKey.fromString(s, layout);
  return CacheEngineKey.fromString(s, layout);
}

/** Python `repr` of a key string, for messages. */
export function keyRepr(key: CacheEngineKey): string {
  return pyStrRepr(key.toString());
}

