import { describe, expect, it } from "vitest";
import { describeError, OpRecorder, summarizeValue, valueText } from "../../src/conformance/recording-proxy";
import { runConformance } from "../../src/conformance/engine";
import { MemoryConnector } from "../../src/connector/adapters/memory-connector";

/** Values the kit cannot print with String()/JSON: each used to make the kit throw its own TypeError. */
const nullProto = () => Object.create(null) as object;
const throwingGetters = () => ({ chunkHash: 1, get getSize(): never { throw new Error("boom"); }, toString() { throw new Error("no"); } });
const revoked = () => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
};

describe("the op log never replaces what a connector did with the kit's own failure to print it", () => {
  it("describeError and summarizeValue never throw", () => {
    expect(describeError(nullProto())).toBe("<unprintable [object Object]>");
    expect(describeError(revoked())).toBe("<unprintable value>");
    const badName = Object.assign(new Error("x"), {});
    Object.defineProperty(badName, "name", { get() { throw new Error("no name"); } });
    expect(describeError(badName)).toBe("<unprintable [object Error]>");
    expect(summarizeValue(throwingGetters())).toBe("<unprintable [object Object]>");
    expect(summarizeValue([1n, Symbol("s"), function named() {}, nullProto()])).toEqual(["1n", "Symbol(s)", "<function named>", "[object Object]"]);
    expect(summarizeValue(revoked())).toBe("<unprintable value>");
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(valueText(1n)).toBe("1n");
    expect(valueText([1n, 2])).toBe('["1n",2]');
    expect(valueText(cycle)).toBe("[object Object]");
    expect(valueText({ a: 1 })).toBe('{"a":1}');
  });

  it("a proxied call resolves to, or rejects with, exactly the connector's value", async () => {
    const weird = throwingGetters();
    const odd = nullProto();
    const target = {
      async get() { return weird; },
      async put() { throw odd; },
      existsSync() { return revoked(); },
    };
    const rec = new OpRecorder();
    const proxied = rec.wrap(target);
    await expect(proxied.get()).resolves.toBe(weird);
    await expect(proxied.put()).rejects.toBe(odd);
    expect(() => proxied.existsSync()).not.toThrow();
    expect(rec.ops.map((o) => [o.op, o.result])).toEqual([
      ["get", "<unprintable [object Object]>"],
      ["put", "rejected <unprintable [object Object]>"],
      ["existsSync", "<unprintable value>"],
    ]);
  });

  it("a case fails with what the connector did, not with the kit's TypeError", async () => {
    const odd = "connector-rejected-with-a-null-prototype-object";
    // a memory:// store whose get rejects with a value String() cannot print
    const original = MemoryConnector.prototype.get;
    MemoryConnector.prototype.get = async function () {
      throw Object.assign(Object.create(null), { why: odd });
    };
    try {
      const run = await runConformance({ url: "memory://", cwd: process.cwd(), seed: 1, cases: ["roundtrip.4kib"] });
      const r = run.results[0]!;
      expect(r.status).toBe("failed");
      expect(`${r.message} ${r.actual ?? ""}`).not.toMatch(/Cannot convert object to primitive value/);
      expect(`${r.message}`).toContain("<unprintable [object Object]>");
    } finally {
      MemoryConnector.prototype.get = original;
    }
  });
});
