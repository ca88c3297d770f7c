import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { MemoryAllocator } from "../../src/memory/allocator";
import { MemoryFormat, tokenDim } from "../../src/memory/memory-format";
import {
  RemoteMetadata,
  codeToDType,
  dtypeToCode,
  padShapeTo4d,
  remoteMetadataBytes,
  stripShapePadding,
} from "../../src/protocol/remote-metadata";

/** Python struct.pack(fmt, *values).hex() */
function pyPack(fmt: string, values: number[]): string {
  return execFileSync("python3", ["-c", `import struct,sys; print(struct.pack(${JSON.stringify(fmt)}, *${JSON.stringify(values)}).hex())`], {
    encoding: "utf8",
  }).trim();
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("RemoteMetadata single group", () => {
  it("is 28 bytes equal to struct.pack('iiiiiii', ...)", () => {
    const md = new RemoteMetadata(65536, [[2, 32, 256, 1024]], ["bfloat16"], MemoryFormat.KV_2LTD);
    const bytes = md.serialize();
    expect(bytes.length).toBe(28);
    expect(hex(bytes)).toBe(pyPack("iiiiiii", [65536, 1, 3, 2, 32, 256, 1024]));
  });

  it("writes float16 as code 2, decodes 1 and 2 as float16", () => {
    expect(dtypeToCode("float16")).toBe(2);
    expect(codeToDType(1)).toBe("float16");
    expect(codeToDType(2)).toBe("float16");
    const md = new RemoteMetadata(10, [[10, 0, 0, 0]], [null], MemoryFormat.BINARY_BUFFER);
    expect(hex(md.serialize())).toBe(pyPack("iiiiiii", [10, 5, 0, 10, 0, 0, 0]));
  });

  it("round-trips, ignoring trailing bytes like struct.unpack_from", () => {
    const md = new RemoteMetadata(123, [[2, 4, 16, 64]], ["float8_e5m2"], MemoryFormat.KV_MLA_FMT);
    const buf = new Uint8Array(40);
    md.serializeInto(buf, 0);
    const back = RemoteMetadata.deserialize(buf);
    expect(back).toEqual(md);
  });

  it("encodes and decodes EC_TD (7) and HS_TD (8), the upstream formats after KV_MLA_FMT", () => {
    for (const [fmt, code] of [[MemoryFormat.EC_TD, 7], [MemoryFormat.HS_TD, 8]] as const) {
      const md = new RemoteMetadata(256 * 64 * 2, [[256, 64]], ["bfloat16"], fmt);
      expect(hex(md.serialize())).toBe(pyPack("iiiiiii", [256 * 64 * 2, code, 3, 256, 64, 0, 0]));
      const back = RemoteMetadata.deserialize(new Uint8Array(Buffer.from(pyPack("iiiiiii", [512, code, 3, 16, 8, 0, 0]), "hex")));
      expect(back.fmt).toBe(fmt);
      expect(back.shape).toEqual([16, 8]);
      expect(tokenDim(fmt)).toBe(0); // [num_tokens, hidden_dim]
    }
  });

  it("reads a header that Python wrote", () => {
    const bytes = Buffer.from(pyPack("iiiiiii", [4096, 2, 4, 16, 2, 128, 0]), "hex");
    const md = RemoteMetadata.deserialize(new Uint8Array(bytes));
    expect(md.length).toBe(4096);
    expect(md.fmt).toBe(MemoryFormat.KV_T2D);
    expect(md.dtype).toBe("float32");
    expect(md.shape).toEqual([16, 2, 128]); // trailing zero padding stripped
  });

  it("pads short shapes with trailing zeros and strips them again (not for BINARY)", () => {
    expect(padShapeTo4d([16, 2, 128])).toEqual([16, 2, 128, 0]);
    expect(stripShapePadding([16, 2, 128, 0], MemoryFormat.KV_T2D)).toEqual([16, 2, 128]);
    expect(stripShapePadding([7, 0, 0, 0], MemoryFormat.BINARY)).toEqual([7, 0, 0, 0]);
    expect(stripShapePadding([0, 0, 0, 0])).toEqual([0]);
    const md = new RemoteMetadata(16 * 256 * 2, [[16, 256]], ["float16"], MemoryFormat.UNDEFINED);
    expect(hex(md.serialize())).toBe(pyPack("iiiiiii", [8192, 0, 2, 16, 256, 0, 0]));
    expect(() => padShapeTo4d([1, 2, 3, 4, 5])).toThrowError(expect.objectContaining({ name: "AssertionError" }));
  });

  it("rejects dtypes without a code, short buffers, bad formats and out-of-range ints", () => {
    for (const d of ["int8", "int32", "bool", "float8_e4m3fnuz"] as const) {
      expect(() => new RemoteMetadata(1, [[1, 1, 1, 1]], [d], MemoryFormat.KV_2LTD).serialize()).toThrowError(
        expect.objectContaining({ name: "ValueError", message: expect.stringContaining(`torch.${d}`) }),
      );
    }
    expect(() => RemoteMetadata.deserialize(new Uint8Array(27))).toThrowError(expect.objectContaining({ name: "ValueError" }));
    const badFmt = new Uint8Array(Buffer.from(pyPack("iiiiiii", [1, 9, 3, 1, 1, 1, 1]), "hex"));
    expect(() => RemoteMetadata.deserialize(badFmt)).toThrowError(expect.objectContaining({ name: "ValueError", message: "9 is not a valid MemoryFormat" }));
    const badDtype = new Uint8Array(Buffer.from(pyPack("iiiiiii", [1, 1, 42, 1, 1, 1, 1]), "hex"));
    expect(() => RemoteMetadata.deserialize(badDtype)).toThrowError(expect.objectContaining({ name: "ValueError" }));
    expect(() => new RemoteMetadata(2 ** 31, [[1, 1, 1, 1]], ["uint8"], MemoryFormat.KV_2LTD).serialize()).toThrowError(expect.objectContaining({ name: "ValueError" }));
  });

  it("negative values are written as signed int32 like Python", () => {
    const md = new RemoteMetadata(-1, [[1, 1, 1, 1]], ["uint8"], MemoryFormat.KV_2LTD);
    expect(hex(md.serialize())).toBe(pyPack("iiiiiii", [-1, 1, 6, 1, 1, 1, 1]));
  });
});

describe("RemoteMetadata multi-group", () => {
  it("uses 4*(2+5*groups) bytes laid out as length, fmt, (dtype, s0..s3)*groups", () => {
    expect([1, 2, 3].map(remoteMetadataBytes)).toEqual([28, 48, 68]);
    const md = new RemoteMetadata(999, [[2, 10, 16, 128], [2, 4, 16, 64]], ["bfloat16", "float8_e4m3fn"], MemoryFormat.KV_2LTD);
    const bytes = md.serialize();
    expect(hex(bytes)).toBe(pyPack("i".repeat(12), [999, 1, 3, 2, 10, 16, 128, 7, 2, 4, 16, 64]));
    expect(RemoteMetadata.deserialize(bytes, 2)).toEqual(md);
    expect(() => RemoteMetadata.deserialize(bytes.subarray(0, 47), 2)).toThrowError(expect.objectContaining({ name: "ValueError" }));
  });

  it("describes a multi-group memory object", () => {
    const obj = new MemoryAllocator({ capacityBytes: 1 << 16 }).allocate([[2, 1, 4, 8], [2, 1, 4, 4]], ["bfloat16", "float32"], MemoryFormat.KV_2LTD)!;
    const md = RemoteMetadata.forMemoryObj(obj);
    expect(md.length).toBe(obj.getSize());
    expect(md.numGroups).toBe(2);
    expect(md.byteLength).toBe(48);
    expect(() => new RemoteMetadata(1, [[1], [2]], ["uint8"], MemoryFormat.KV_2LTD).serialize()).toThrowError(
      expect.objectContaining({ name: "ValueError", message: "zip() argument 2 is shorter than argument 1" }),
    );
  });
});
