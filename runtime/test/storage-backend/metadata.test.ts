import { describe, expect, it } from "vitest";
import { LMCacheMetadata, createTestMetadata } from "../../src/metadata";

describe("LMCacheMetadata", () => {
  it("one group from kvShape: [kvShape[1], kvShape[0], tokens, heads*headSize]", () => {
    const md = new LMCacheMetadata({ modelName: "m", worldSize: 2, workerId: 1, kvDtype: "float16", kvShape: [32, 2, 256, 8, 128] });
    expect(md.getShapes()).toEqual([[2, 32, 256, 1024]]);
    expect(md.getShapes(10)).toEqual([[2, 32, 10, 1024]]);
    expect(md.getDtypes()).toEqual(["float16"]);
    expect(md.getNumGroups()).toBe(1);
    expect(md.chunkSize).toBe(256);
    expect(md.isFirstRank()).toBe(false);
  });

  it("layer groups give one shape and dtype per group, kv size 1 with MLA", () => {
    const md = createTestMetadata({ useMla: true });
    md.kvLayerGroups = [
      { numLayers: 3, hiddenDimSize: 576, dtype: "bfloat16" },
      { numLayers: 1, hiddenDimSize: 64, dtype: "float8_e4m3fn" },
    ];
    expect(md.getShapes()).toEqual([[1, 3, 16, 576], [1, 1, 16, 64]]);
    expect(md.getDtypes()).toEqual(["bfloat16", "float8_e4m3fn"]);
    expect(md.getNumGroups()).toBe(2);
  });

  it("the test helper builds a small 2 KiB-per-chunk model and validates input", () => {
    const md = createTestMetadata();
    expect(md.kvShape).toEqual([2, 2, 16, 2, 8]);
    expect(md.getShapes()).toEqual([[2, 2, 16, 16]]);
    expect(() => new LMCacheMetadata({ modelName: "m", worldSize: 1, workerId: 0, kvDtype: "float16", kvShape: [1, 2, 3] })).toThrowError(
      expect.objectContaining({ name: "ValueError" }),
    );
  });
});
