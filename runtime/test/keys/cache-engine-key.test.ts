import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CacheEngineKey,
  KeyLayout,
  LayerCacheEngineKey,
  parseCacheKey,
} from "../../src/keys/cache-engine-key";
import { pyInt, pyStrRepr } from "../../src/keys/python-text";

/** Run a python3 snippet that prints one JSON value. */
function py<T>(code: string): T {
  return JSON.parse(execFileSync("python3", ["-c", code], { encoding: "utf8" })) as T;
}

const base = { modelName: "meta-llama/Llama-3-8B", worldSize: 4, workerId: 2, chunkHash: 0x1an, dtype: "bfloat16" as const };
const pyError = (name: string) => expect.objectContaining({ name });

describe("chunk hash hex matches Python f'{h:x}'", () => {
  it("for negative, zero, small and 64/128-bit hashes", () => {
    const hashes = [-26n, -1n, 0n, 1n, 255n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 127n + 12345n, -0xdeadbeefn];
    const expected = py<string[]>(`import json; print(json.dumps([f"{h:x}" for h in [${hashes.join(",")}]]))`);
    expect(hashes.map((h) => new CacheEngineKey({ ...base, chunkHash: h }).chunkHashHex)).toEqual(expected);
  });

  it("random hashes render and parse back like Python's int(s, 16)", () => {
    const hashes = fc.sample(fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }), 40);
    const strings = hashes.map((h) => new CacheEngineKey({ ...base, chunkHash: h }).toString());
    const parsedByPython = py<string[]>(
      `import json; print(json.dumps([str(int(s.split("@")[3], 16)) for s in ${JSON.stringify(strings)}]))`,
    );
    expect(parsedByPython).toEqual(hashes.map(String));
    expect(strings.map((s) => CacheEngineKey.fromString(s).chunkHash)).toEqual(hashes);
  });

  it("pyInt accepts and rejects what Python's int() does, with its message", () => {
    const inputs = [" 1f ", "0x1F", "-0x_1a", "1_0", "+7", "1__0", "_1", "", "0x", "g", "1 2", "-", "007"];
    for (const base of [10, 16] as const) {
      const expected = py<(string | null)[]>(
        `import json\nout=[]\nfor s in ${JSON.stringify(inputs)}:\n  try: out.append(str(int(s, ${base})))\n  except ValueError as e: out.append("E:" + str(e))\nprint(json.dumps(out))`,
      );
      const actual = inputs.map((s) => {
        try {
          return pyInt(s, base).toString();
        } catch (e) {
          return "E:" + (e as Error).message;
        }
      });
      expect(actual).toEqual(expected);
    }
  });
});

describe("E3 (newest) layout", () => {
  it("renders model@ws@wid@hex@dtype@tags like LMCache's f-string", () => {
    const key = new CacheEngineKey({
      ...base,
      chunkHash: -26n,
      requestConfigs: { "lmcache.tag.user": "alice", other: "x", "lmcache.tag.n": 3, "lmcache.tag.flag": true },
    });
    const expected = py<string>(
      `import json; tags=[("user","alice"),("n",3),("flag",True)]; s=f"meta-llama/Llama-3-8B@{4}@{2}@{-26:x}@bfloat16"; s += "@" + "@".join(f"{k}%{v}" for k,v in tags); print(json.dumps(s))`,
    );
    expect(key.toString()).toBe(expected);
    expect(key.tags).toEqual([["user", "alice"], ["n", 3], ["flag", true]]);
  });

  it("round-trips with tags; parsed tags become lmcache.tag.* string configs", () => {
    const key = new CacheEngineKey({ ...base, requestConfigs: { "lmcache.tag.a": "1", "lmcache.tag.b": "x%y" } });
    const back = CacheEngineKey.fromString(key.toString());
    expect(back.equals(key)).toBe(true);
    expect(back.hashKey()).toBe(key.hashKey());
    expect(back.requestConfigs).toEqual({ "lmcache.tag.a": "1", "lmcache.tag.b": "x%y" });
  });

  it("identity ignores non-tag request configs but not tags, dtype or class", () => {
    const k = new CacheEngineKey(base);
    expect(k.equals(new CacheEngineKey({ ...base, requestConfigs: { foo: 1 } }))).toBe(true);
    expect(k.equals(new CacheEngineKey({ ...base, requestConfigs: { "lmcache.tag.foo": 1 } }))).toBe(false);
    expect(k.equals(new CacheEngineKey({ ...base, dtype: "float16" }))).toBe(false);
    expect(k.equals(k.getFirstLayer())).toBe(false);
    expect(new CacheEngineKey({ ...base, requestConfigs: { "lmcache.tag.n": 1 } }).equals(new CacheEngineKey({ ...base, requestConfigs: { "lmcache.tag.n": "1" } }))).toBe(false);
  });

  it("fromString errors: part count, tag without %, bad ints, unknown dtype", () => {
    expect(() => CacheEngineKey.fromString("m@1@0@1a")).toThrowError(expect.objectContaining({ name: "ValueError", message: "Invalid key string: m@1@0@1a" }));
    expect(() => CacheEngineKey.fromString("m@1@0@1a@half@notag")).toThrowError(expect.objectContaining({ name: "ValueError", message: "Invalid key string: m@1@0@1a@half@notag" }));
    expect(() => CacheEngineKey.fromString("m@x@0@1a@half")).toThrowError(expect.objectContaining({ name: "ValueError", message: "invalid literal for int() with base 10: 'x'" }));
    expect(() => CacheEngineKey.fromString("m@1@0@zz@half")).toThrowError(expect.objectContaining({ name: "ValueError", message: "invalid literal for int() with base 16: 'zz'" }));
    expect(() => CacheEngineKey.fromString("m@1@0@1a@float16")).toThrowError(expect.objectContaining({ name: "KeyError", message: "'float16'" }));
  });

  it("malformed strings (incl. a model name with '@') fail exactly as LMCache's E3 from_string does", () => {
    // Python replica of LMCache E3 CacheEngineKey.from_string (torch dtypes replaced by names).
    const replica = [
      "import json",
      "STR = {'half':1,'bfloat16':1,'float':1,'double':1,'int8':1,'uint8':1,'int16':1,'int32':1,'int64':1,'bool':1,'fp8_e4m3fn':1,'fp8_e4m3fnuz':1,'fp8_e5m2':1,'fp8_e5m2fnuz':1}",
      "def from_string(s):",
      "    parts = s.split('@')",
      "    if len(parts) < 5:",
      "        raise ValueError(f'Invalid key string: {s}')",
      "    if len(parts) >= 6:",
      "        for kv in parts[5:]:",
      "            if len(kv.split('%', 1)) != 2:",
      "                raise ValueError(f'Invalid key string: {s}')",
      "    return (parts[0], int(parts[1]), int(parts[2]), int(parts[3], 16), STR[parts[4]])",
      "out = []",
      "for s in json.loads(__import__('sys').argv[1]):",
      "    try:",
      "        from_string(s); out.append('ok')",
      "    except Exception as e:",
      "        out.append(type(e).__name__ + ':' + str(e))",
      "print(json.dumps(out))",
    ].join("\n");
    const inputs = [
      new CacheEngineKey({ ...base, modelName: "org@model" }).toString(),
      new CacheEngineKey({ ...base, modelName: "org@model", requestConfigs: { "lmcache.tag.a": "b" } }).toString(),
      "org@7@1@0@1a@half",
      "m@1@0@-1A@half",
      "m@ 1 @0@0x1a@half@k%v%w",
      "m@1@0@1a@fp8",
      "m@1@0@@half",
    ];
    const expected = JSON.parse(execFileSync("python3", ["-c", replica, JSON.stringify(inputs)], { encoding: "utf8" })) as string[];
    const actual = inputs.map((s) => {
      try {
        CacheEngineKey.fromString(s);
        return "ok";
      } catch (e) {
        return `${(e as Error).name}:${(e as Error).message}`;
      }
    });
    expect(actual).toEqual(expected);
    expect(expected[0]).toMatch(/^ValueError:Invalid key string: org@model@/);
  });

  it("bytes hashes render with .hex() and parse back as an int (not equal to the original)", () => {
    const key = new CacheEngineKey({ ...base, chunkHash: Uint8Array.from([0, 1, 0xab]) });
    expect(key.toString().split("@")[3]).toBe(py<string>(`import json; print(json.dumps(bytes([0,1,0xab]).hex()))`));
    const back = CacheEngineKey.fromString(key.toString());
    expect(back.chunkHash).toBe(0x1abn);
    expect(back.equals(key)).toBe(false);
  });

  it("unsupported dtypes are ValueError, missing dtype is TypeError", () => {
    expect(() => new CacheEngineKey({ ...base, dtype: "complex64" as never })).toThrowError(expect.objectContaining({ name: "ValueError", message: "Unsupported dtype in CacheEngineKey: complex64" }));
    expect(() => new CacheEngineKey({ ...base, dtype: undefined })).toThrowError(pyError("TypeError"));
  });
});

describe("layer keys", () => {
  it("split into one key per layer with the layer id after the dtype", () => {
    const layers = new CacheEngineKey({ ...base, requestConfigs: { "lmcache.tag.t": "v" } }).splitLayers(3);
    expect(layers.map((k) => k.layerId)).toEqual([0, 1, 2]);
    expect(layers[2]!.toString()).toBe("meta-llama/Llama-3-8B@4@2@1a@bfloat16@2@t%v");
    const back = LayerCacheEngineKey.fromString(layers[2]!.toString());
    expect(back).toBeInstanceOf(LayerCacheEngineKey);
    expect(back.equals(layers[2])).toBe(true);
    expect(back.equals(layers[1])).toBe(false);
  });

  it("parseCacheKey picks the class from part 5", () => {
    expect(parseCacheKey("m@1@0@1a@half@7")).toBeInstanceOf(LayerCacheEngineKey);
    expect((parseCacheKey("m@1@0@1a@half@7@t%v") as LayerCacheEngineKey).layerId).toBe(7);
    const plain = parseCacheKey("m@1@0@1a@half@t%v");
    expect(plain).not.toBeInstanceOf(LayerCacheEngineKey);
    expect(plain.tags).toEqual([["t", "v"]]);
  });

  it("withNewWorkerId on a layer key returns a plain key without the layer (LMCache quirk)", () => {
    const moved = new CacheEngineKey(base).getFirstLayer().withNewWorkerId(9);
    expect(moved).not.toBeInstanceOf(LayerCacheEngineKey);
    expect(moved.toString()).toBe("meta-llama/Llama-3-8B@4@9@1a@bfloat16");
  });

  it("E2 layer strings fail in parseCacheKey because part 5 is the dtype (LMCache quirk)", () => {
    const s = new LayerCacheEngineKey({ ...base, fmt: "vllm", layout: "E2", layerId: 3 }).toString();
    expect(s).toBe("vllm@meta-llama/Llama-3-8B@4@2@1a@bfloat16@3");
    expect(() => parseCacheKey(s, "E2")).toThrowError(expect.objectContaining({ name: "ValueError", message: `Invalid key string: ${s}` }));
    expect(LayerCacheEngineKey.fromString(s, "E2").layerId).toBe(3);
  });
});

describe("older layouts", () => {
  const cases: [KeyLayout, string][] = [
    ["E1", "vllm@meta-llama/Llama-3-8B@4@2@1a@t%v"],
    ["E2", "vllm@meta-llama/Llama-3-8B@4@2@1a@bfloat16@t%v"],
    ["E3", "meta-llama/Llama-3-8B@4@2@1a@bfloat16@t%v"],
  ];
  for (const [layout, expected] of cases) {
    it(`${layout} renders and round-trips`, () => {
      const key = new CacheEngineKey({ ...base, fmt: "vllm", layout, requestConfigs: { "lmcache.tag.t": "v" } });
      expect(key.toString()).toBe(expected);
      expect(CacheEngineKey.fromString(expected, layout).equals(key)).toBe(true);
    });
  }

  it("part-count minimums differ per layout", () => {
    expect(() => CacheEngineKey.fromString("vllm@m@1@0@1a", "E2")).toThrowError(pyError("ValueError"));
    expect(CacheEngineKey.fromString("vllm@m@1@0@1a", "E1").fmt).toBe("vllm");
    expect(() => CacheEngineKey.fromString("vllm@m@1@0@abc@x%y", "2024")).toThrowError(pyError("ValueError"));
  });

  it("2024 keeps the hash as an opaque string, drops tags, and prints int hashes in decimal", () => {
    const k = CacheEngineKey.fromString("vllm@m@1@0@00ab", "2024");
    expect(k.chunkHash).toBe("00ab");
    expect(k.toString()).toBe("vllm@m@1@0@00ab");
    const intKey = new CacheEngineKey({ ...base, fmt: "vllm", layout: "2024", chunkHash: 26n, requestConfigs: { "lmcache.tag.t": "v" } });
    expect(intKey.toString()).toBe(`vllm@meta-llama/Llama-3-8B@4@2@${py<string>("import json; print(json.dumps(f'{26}'))")}`);
    // a str hash cannot be hex-formatted in later layouts, as in Python
    expect(() => k.toString("E1")).toThrowError(expect.objectContaining({ name: "ValueError", message: "Unknown format code 'x' for object of type 'str'" }));
  });

  it("E1 identity ignores dtype; E2 identity uses it", () => {
    const e1 = (d: "bfloat16" | "float16") => new CacheEngineKey({ ...base, dtype: d, fmt: "vllm", layout: "E1" });
    expect(e1("bfloat16").equals(e1("float16"))).toBe(true);
    const e2 = (d: "bfloat16" | "float16") => new CacheEngineKey({ ...base, dtype: d, fmt: "vllm", layout: "E2" });
    expect(e2("bfloat16").equals(e2("float16"))).toBe(false);
  });

  it("E2 fp8 keys do not round-trip to an equal key (name collapse, LMCache quirk)", () => {
    const key = new CacheEngineKey({ ...base, dtype: "float8_e4m3fn", fmt: "vllm", layout: "E2" });
    const back = CacheEngineKey.fromString(key.toString(), "E2");
    expect(back.dtype).toBe("float8_e4m3fnuz");
    expect(back.toString()).toBe(key.toString());
    expect(back.equals(key)).toBe(false);
  });
});

describe("toDict / fromDict", () => {
  it("E3 dict has LMCache's keys, all request configs, and no layer id", () => {
    const layer = new LayerCacheEngineKey({ ...base, layerId: 5, requestConfigs: { "lmcache.tag.t": "v", other: 1 } });
    const d = layer.toDict();
    expect(d).toEqual({
      __type__: "CacheEngineKey",
      model_name: base.modelName,
      world_size: 4,
      worker_id: 2,
      chunk_hash: 0x1an,
      dtype: "bfloat16",
      request_configs: ["lmcache.tag.t%v", "other%1"],
    });
    const back = CacheEngineKey.fromDict(d as unknown as Record<string, unknown>);
    expect(back).not.toBeInstanceOf(LayerCacheEngineKey);
    expect(back.equals(new CacheEngineKey({ ...base, requestConfigs: { "lmcache.tag.t": "v" } }))).toBe(true);
    expect(back.requestConfigs).toEqual({ "lmcache.tag.t": "v", other: "1" });
  });

  it("fromDict reports missing fields as KeyError and bad configs as ValueError", () => {
    expect(() => CacheEngineKey.fromDict({ model_name: "m" })).toThrowError(pyError("KeyError"));
    expect(() => CacheEngineKey.fromDict({ ...new CacheEngineKey(base).toDict(), request_configs: ["nopercent"] } as never)).toThrowError(
      expect.objectContaining({ name: "ValueError", message: expect.stringMatching(/^Invalid key dict: /) }),
    );
  });
});

describe("python text helpers", () => {
  it("pyStrRepr matches Python repr()", () => {
    const samples = ["abc", "it's", 'say "hi"', "both ' \"", "tab\there", "back\\slash", "nl\n"];
    expect(samples.map(pyStrRepr)).toEqual(py<string[]>(`import json; print(json.dumps([repr(s) for s in ${JSON.stringify(samples)}]))`));
  });
});
