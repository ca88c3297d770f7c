/**
 * LMCache `LMCacheMetadata` (`lmcache/v1/metadata.py`, Era B/C): what the serving engine tells
 * LMCache about the model — name, ranks, KV dtype and shape, chunk size, MLA.
 */
import { ValueError } from "./errors";
import { DType, isDType } from "./memory/dtypes";

/** One group of layers with the same KV shape and dtype (LMCache `KVLayerGroupInfo`). */
export interface KVLayerGroupInfo {
  numLayers: number;
  /** `num_kv_heads * head_size` of the group. */
  hiddenDimSize: number;
  dtype: DType;
  layerNames?: string[];
}

/** `(num_layers, 2 or 1, chunk_size, num_kv_heads, head_size)` */
export type KVShape = [number, number, number, number, number];

/** Constructor fields of `LMCacheMetadata` (camelCase of LMCache's dataclass fields). */
export interface LMCacheMetadataInit {
  modelName: string;
  worldSize: number;
  workerId: number;
  /** Engine format string of older metadata (`"vllm"`); kept for E1/E2 key layouts. Default `"vllm"`. */
  fmt?: string;
  kvDtype: DType;
  kvShape: KVShape | readonly number[];
  useMla?: boolean;
  /** Default 256. */
  chunkSize?: number;
  localWorldSize?: number;
  localWorkerId?: number;
  role?: string | null;
  servedModelName?: string | null;
  /** Layer groups (LMCache fills them after the connector is built); empty = one group from kvShape. */
  kvLayerGroups?: KVLayerGroupInfo[];
}

/**
 * LMCache `LMCacheMetadata`. With no layer groups, `getShapes()` is one shape
 * `[kvShape[1], kvShape[0], numTokens, kvShape[3]*kvShape[4]]` and `getDtypes()` is `[kvDtype]`;
 * with groups, one `[1 if MLA else 2, group.numLayers, numTokens, group.hiddenDimSize]` per group.
 */
export class LMCacheMetadata {
  readonly modelName: string;
  readonly worldSize: number;
  readonly workerId: number;
  readonly localWorldSize: number;
  readonly localWorkerId: number;
  readonly fmt: string;
  readonly kvDtype: DType;
  readonly kvShape: KVShape;
  readonly useMla: boolean;
  readonly chunkSize: number;
  readonly role: string | null;
  readonly servedModelName: string | null;
  /** LMCache `first_rank` (always 0). */
  readonly firstRank = 0;
  /** Mutable like LMCache's `kv_layer_groups_manager.kv_layer_groups`. */
  kvLayerGroups: KVLayerGroupInfo[];

  constructor(init: LMCacheMetadataInit) {
    if (!isDType(init.kvDtype)) throw new ValueError(`Unsupported dtype: ${String(init.kvDtype)}`);
    if (init.kvShape.length !== 5 || !init.kvShape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new ValueError(
        `kvShape must be 5 non-negative integers (num_layers, 2 or 1, chunk_size, num_kv_heads, head_size), got ${JSON.stringify(init.kvShape)}`,
      );
    }
    this.modelName = init.modelName;
    this.worldSize = init.worldSize;
    this.workerId = init.workerId;
    this.localWorldSize = init.localWorldSize ?? init.worldSize;
    this.localWorkerId = init.localWorkerId ?? init.workerId;
    this.fmt = init.fmt ?? "vllm";
    this.kvDtype = init.kvDtype;
    this.kvShape = [...init.kvShape] as KVShape;
    this.useMla = init.useMla ?? false;
    this.chunkSize = init.chunkSize ?? 256;
    this.role = init.role ?? null;
    this.servedModelName = init.servedModelName ?? null;
    this.kvLayerGroups = init.kvLayerGroups ? [...init.kvLayerGroups] : [];
  }

  isFirstRank(): boolean {
    return this.workerId === this.firstRank;
  }

  getDtypes(): DType[] {
    if (this.kvLayerGroups.length) return this.kvLayerGroups.map((g) => g.dtype);
    return [this.kvDtype];
  }

  /** KV shapes of one chunk (`numTokens` defaults to `chunkSize`). */
  getShapes(numTokens: number = this.chunkSize): number[][] {
    if (this.kvLayerGroups.length) {
      const kvSize = this.useMla ? 1 : 2;
      return this.kvLayerGroups.map((g) => [kvSize, g.numLayers, numTokens, g.hiddenDimSize]);
    }
    const [numLayers, kvSize, , heads, headSize] = this.kvShape;
    return [[kvSize, numLayers, numTokens, heads * headSize]];
  }

  getNumGroups(): number {
    return this.kvLayerGroups.length ? this.kvLayerGroups.length : 1;
  }
}

/**
 * A small metadata for tests and harnesses (the kit's helper): model `"test-model"`, world size 1,
 * worker 0, bfloat16, 2 layers, K and V, 16-token chunks, 2 heads of size 8 — one chunk is
 * 2·2·16·16·2 = 2048 bytes. Any field can be overridden; `chunkSize` also sets `kvShape[2]`.
 */
export function createTestMetadata(overrides: Partial<LMCacheMetadataInit> = {}): LMCacheMetadata {
  const chunkSize = overrides.chunkSize ?? 16;
  const useMla = overrides.useMla ?? false;
  return new LMCacheMetadata({
    modelName: "test-model",
    worldSize: 1,
    workerId: 0,
    kvDtype: "bfloat16",
    kvShape: [2, useMla ? 1 : 2, chunkSize, 2, 8],
    useMla,
    chunkSize,
    ...overrides,
  });
}
