/** C8: real CacheEngineKey strings round-trip, and common escapings never make two keys one. */
import type { CacheEngineKey } from "../../keys/cache-engine-key";
import type { CaseContext } from "../context";
import type { KeyOptions } from "../keys";
import { defineCases, expectStored, LIST_IS_ADVISORY, LIST_UPSTREAM, listOwn, putPayload, SPECS } from "./common";

/** Model names real deployments use: Hugging Face `org/name`, quantisation suffixes with `:`, local paths. */
const REAL_KEYS: KeyOptions[] = [
  { model: "meta-llama/Llama-3.1-8B-Instruct" },
  { model: "Qwen/Qwen2.5-7B-Instruct:int4", worldSize: 8, workerId: 3 },
  { model: "deepseek-ai/DeepSeek-V3", dtype: "float16", tags: { user: "alice", priority: "high" } },
  { model: "local:/models/mistral-7b", tags: { tenant: "team a/b" } },
];

/** Names that common escapings (`/`→`_`, `/`→`-`, `-SEP-`, URL-encoding, case folding) would conflate. */
const COLLIDING_MODELS = [
  "org/model",
  "org_model",
  "org-model",
  "org-SEP-model",
  "org%2Fmodel",
  "org\\model",
  "org:model",
  "org model",
  "org.model",
  "ORG/MODEL",
  "org//model",
];

async function roundTripAll(ctx: CaseContext, keys: CacheEngineKey[]): Promise<void> {
  for (const [i, key] of keys.entries()) await putPayload(ctx, key, SPECS.small, 100 + i);
  for (const [i, key] of keys.entries()) {
    ctx.equal(await ctx.call("exists", () => ctx.connector.exists(key)), true, `exists(${key.toString()})`, "exists");
    await expectStored(ctx, key, SPECS.small, 100 + i, `get(${key.toString()})`);
  }
  await ctx.advisory(LIST_IS_ADVISORY, async () => {
    const listed = await listOwn(ctx);
    for (const key of keys) {
      const n = listed.filter((s) => s === key.toString()).length;
      if (n !== 1) ctx.fail(`list() shows ${JSON.stringify(key.toString())} ${n} times`, { expected: "exactly once, unmangled", actual: JSON.stringify(listed), method: "list" });
    }
  });
}

export default defineCases([
  {
    id: "keys.real-strings",
    category: "keys",
    title: "Real CacheEngineKey strings round-trip through put, get, exists and list",
    explanation:
      "LMCache keys are model@world_size@worker_id@chunk_hash@dtype[@tag%value…] (lmcache/utils.py, E3 layout) and model names come from the serving engine: 'org/name', quantisation suffixes with ':', local paths, tags with spaces. Connectors must treat key.to_string() as opaque; every such key must store and read back its own bytes (required), and should appear in list() exactly as key.toString() (advisory: RemoteBackend never calls list()).",
    basis: "required: RemoteBackend hands key.to_string() of real CacheEngineKeys to put/get/exists; the list() part is advisory",
    lmcacheToo: LIST_UPSTREAM,
    methods: ["put", "get", "list"],
    async run(ctx) {
      await roundTripAll(ctx, REAL_KEYS.map((opts, i) => ctx.key(i + 1, opts)));
    },
  },
  {
    id: "keys.no-escape-collisions",
    category: "keys",
    title: "Keys that common escapings conflate stay distinct",
    explanation:
      "LMCache's FS connector replaces '/' in key strings ('-' in older copies, '-SEP-' in the newest), so 'org/model' and 'org-model' can map to the same file; the same trap exists for '_', URL-encoding and case-insensitive stores. Distinct CacheEngineKeys must never share a stored object: each of these keys gets its own payload back (required: a collision serves one model's KV cache to another), and list() shows them all (advisory).",
    basis: "required: two models whose names escape alike would read each other's KV chunks through RemoteBackend.get_blocking; the list() part is advisory",
    lmcacheToo: {
      FSConnector: "file names replace '/' with '-SEP-', so 'org/model' and 'org-SEP-model' are one file (the later put overwrites the earlier)",
      RedisConnector: LIST_UPSTREAM.RedisConnector,
    },
    methods: ["put", "get", "list"],
    async run(ctx) {
      await roundTripAll(ctx, COLLIDING_MODELS.map((model) => ctx.key(1, { model })));
    },
  },
]);
