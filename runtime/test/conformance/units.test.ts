import { describe, expect, it } from "vitest";
import { globToRegExp, matchesAny } from "../../src/conformance/glob";
import { OpRecorder } from "../../src/conformance/recording-proxy";
import { findMethodLine } from "../../src/conformance/source-location";
import { DeadlineExceeded, withDeadline } from "../../src/conformance/timeouts";
import { firstDifference, patternBytes } from "../../src/conformance/payload";

describe("conformance building blocks", () => {
  it("withDeadline rejects a never-settling promise with DeadlineExceeded and passes results through", async () => {
    const started = Date.now();
    await expect(withDeadline(new Promise(() => undefined), 30, () => "hung")).rejects.toBeInstanceOf(DeadlineExceeded);
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(withDeadline(Promise.resolve(7), 30, () => "x")).resolves.toBe(7);
    await expect(withDeadline(Promise.reject(new Error("boom")), 30, () => "x")).rejects.toThrow("boom");
  });

  it("globs: * stays within a segment, ** crosses, a bare word is a category", () => {
    expect(globToRegExp("roundtrip.*").test("roundtrip.large")).toBe(true);
    expect(globToRegExp("*").test("roundtrip.large")).toBe(false);
    expect(globToRegExp("**").test("roundtrip.large")).toBe(true);
    expect(matchesAny("refs.no-leak-on-miss", ["refs"])).toBe(true);
    expect(matchesAny("refs.no-leak-on-miss", ["ref"])).toBe(false);
  });

  it("the recorder logs sync and async calls, errors included, and refuses calls after close", async () => {
    const rec = new OpRecorder();
    const target = { add: (a: number, b: number) => a + b, later: async () => "done", bad: () => { throw new RangeError("nope"); } };
    const w = rec.wrap(target);
    expect(w.add(1, 2)).toBe(3);
    await expect(w.later()).resolves.toBe("done");
    expect(() => w.bad()).toThrow(RangeError);
    expect(rec.ops.map((o) => [o.op, o.args, o.result])).toEqual([
      ["add", [1, 2], 3 as unknown as string],
      ["later", [], "done"],
      ["bad", [], "threw RangeError: nope"],
    ]);
    expect(rec.lastFailedMethod).toBe("bad");
    rec.close("finished");
    expect(() => w.add(1, 1)).toThrow(/case ended/);
  });

  it("findMethodLine finds a method definition, else the class", () => {
    const text = "import x from 'y';\nexport class A extends B {\n  override async get(key) {\n    return this.get2();\n  }\n}\n";
    expect(findMethodLine(text, "get", "A")).toEqual({ line: 3, column: 18 });
    expect(findMethodLine(text, "put", "A")).toEqual({ line: 2, column: 8 });
  });

  it("payload bytes are deterministic per (seed, variant) and differences are located", () => {
    const a = patternBytes(1000, 1, 2);
    expect(firstDifference(a, patternBytes(1000, 1, 2))).toBe(-1);
    expect(firstDifference(a, patternBytes(1000, 1, 3))).toBeGreaterThanOrEqual(0);
    const b = a.slice();
    b[517] ^= 1;
    expect(firstDifference(a, b)).toBe(517);
    expect(firstDifference(a, a.subarray(0, 10))).toBe(10);
  });
});
