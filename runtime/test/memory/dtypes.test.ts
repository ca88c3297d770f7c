import { describe, expect, it } from "vitest";
import {
  ALL_DTYPES,
  dtypeItemSize,
  dtypeToKeyString,
  keyStringToDType,
  parseDType,
} from "../../src/memory/dtypes";
import { MemoryFormat, memoryFormatFromInt, tokenDim } from "../../src/memory/memory-format";

describe("dtypes", () => {
  it("element sizes follow the bit width in the name", () => {
    for (const d of ALL_DTYPES) {
      const bits = d === "bool" ? 8 : d.startsWith("float8") ? 8 : Number(/(\d+)/.exec(d)![1]);
      expect(dtypeItemSize(d), d).toBe(bits / 8);
    }
  });

  it("parseDType accepts canonical names, torch aliases and torch.-prefixed forms", () => {
    expect(parseDType("half")).toBe("float16");
    expect(parseDType("torch.half")).toBe("float16");
    expect(parseDType("float")).toBe("float32");
    expect(parseDType("double")).toBe("float64");
    expect(parseDType("torch.bfloat16")).toBe("bfloat16");
    expect(parseDType("long")).toBe("int64");
    expect(parseDType("fp8_e5m2fnuz")).toBe("float8_e5m2fnuz");
    for (const d of ALL_DTYPES) expect(parseDType(`torch.${d}`)).toBe(d);
  });

  it("parseDType rejects unknown and ambiguous names with ValueError", () => {
    for (const bad of ["float17", "", "torch.", "fp8_e4m3", "torch.fp8_e4m3fn", "complex64"]) {
      expect(() => parseDType(bad)).toThrowError(expect.objectContaining({ name: "ValueError" }));
    }
  });

  it("E3 key strings are one-to-one and round-trip", () => {
    const names = ALL_DTYPES.map((d) => dtypeToKeyString(d, "E3"));
    expect(new Set(names).size).toBe(ALL_DTYPES.length);
    for (const d of ALL_DTYPES) expect(keyStringToDType(dtypeToKeyString(d, "E3"), "E3")).toBe(d);
    expect(dtypeToKeyString("float16")).toBe("half");
    expect(dtypeToKeyString("float8_e4m3fn")).toBe("fp8_e4m3fn");
  });

  it("E2 collapses fp8 variants and its inverse picks the fnuz one (LMCache dict inversion)", () => {
    expect(dtypeToKeyString("float8_e4m3fn", "E2")).toBe("fp8_e4m3");
    expect(dtypeToKeyString("float8_e4m3fnuz", "E2")).toBe("fp8_e4m3");
    expect(keyStringToDType("fp8_e4m3", "E2")).toBe("float8_e4m3fnuz");
    expect(keyStringToDType("fp8_e5m2", "E2")).toBe("float8_e5m2fnuz");
    expect(() => keyStringToDType("fp8_e4m3fn", "E2")).toThrowError(expect.objectContaining({ name: "KeyError", message: "'fp8_e4m3fn'" }));
  });
});

describe("MemoryFormat", () => {
  it("has LMCache's integer values and token dims", () => {
    expect([MemoryFormat.UNDEFINED, MemoryFormat.KV_2LTD, MemoryFormat.KV_T2D, MemoryFormat.KV_2TD, MemoryFormat.BINARY, MemoryFormat.BINARY_BUFFER, MemoryFormat.KV_MLA_FMT]).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => tokenDim(n as MemoryFormat))).toEqual([0, 2, 1, 0, 0, 0, 2]);
  });

  it("MemoryFormat(n) rejects unknown ints like Python's Enum", () => {
    expect(memoryFormatFromInt(6)).toBe(MemoryFormat.KV_MLA_FMT);
    expect(memoryFormatFromInt(8)).toBe(MemoryFormat.HS_TD);
    expect(() => memoryFormatFromInt(9)).toThrowError(expect.objectContaining({ name: "ValueError", message: "9 is not a valid MemoryFormat" }));
  });
});
