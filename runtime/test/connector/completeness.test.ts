/**
 * The TS equivalent of LMCache's tests/v1/storage_backend/test_connector_completeness.py: the
 * wrappers (InstrumentedRemoteConnector, AuditConnector) implement every public method of the
 * RemoteConnector base class themselves, with the base's arity — and each one reaches the
 * wrapped connector (which LMCache's test does not check; ours).
 */
import { describe, expect, it } from "vitest";
import { AuditConnector } from "../../src/connector/adapters/audit-connector";
import { RemoteConnector } from "../../src/connector/base-connector";
import { InstrumentedRemoteConnector } from "../../src/connector/instrumented-connector";
import { createEngineConfig } from "../../src/config/engine-config";
import { NoopConnector } from "./fakes";
import { fullChunk, makeBackend, makeKey } from "./helpers";

/**
 * Public methods of the base class, as `dir(RemoteConnector)` lists them: no `_` names, so neither
 * the constructor nor `toString` (Python's `__repr__`).
 */
function baseMethods(): string[] {
  const proto = RemoteConnector.prototype as unknown as Record<string, unknown>;
  return Object.getOwnPropertyNames(proto)
    .filter((n) => n !== "constructor" && n !== "toString" && !n.startsWith("_") && typeof proto[n] === "function")
    .sort();
}

/** The abstract surface (not on the prototype at run time). */
const ABSTRACT = ["close", "exists", "existsSync", "get", "list", "put"];

describe("wrapper completeness (LMCache's test_connector_completeness)", () => {
  const methods = [...new Set([...baseMethods(), ...ABSTRACT])].sort();

  it("the base declares the Era C external-pages methods", () => {
    expect(methods).toEqual(
      expect.arrayContaining([
        "batchedPutExternalPages", "batchedGetExternalPages", "pushExternalPages",
        "prepareRemoteFillSource", "getRemoteFillDestinationSession", "batchedExternalPagesExist",
      ]),
    );
    expect(new NoopConnector().getRemoteFillDestinationSession()).toBeNull();
  });

  for (const wrapper of [InstrumentedRemoteConnector, AuditConnector]) {
    it(`${wrapper.name} implements every base method itself, with the base's arity`, () => {
      const own = new Set(Object.getOwnPropertyNames(wrapper.prototype));
      expect(methods.filter((m) => !own.has(m))).toEqual([]);
      const base = RemoteConnector.prototype as unknown as Record<string, Function>;
      const mine = wrapper.prototype as unknown as Record<string, Function>;
      const mismatched = baseMethods().filter((m) => base[m]!.length !== mine[m]!.length);
      expect(mismatched).toEqual([]);
    });
  }

  it("every delegated method reaches the wrapped connector", async () => {
    const calls: string[] = [];
    const b = makeBackend();
    const key = makeKey(1);
    class Recorder extends NoopConnector {}
    const recorderProto = Recorder.prototype as unknown as Record<string, unknown>;
    for (const m of methods) {
      const original = (recorderProto[m] ?? (RemoteConnector.prototype as unknown as Record<string, unknown>)[m]) as Function;
      recorderProto[m] = function (this: unknown, ...args: unknown[]) {
        calls.push(m);
        try {
          const r = m === "reshapePartialChunk" ? args[0] : original.apply(this, args);
          return r instanceof Promise ? r.catch(() => null) : r;
        } catch {
          return m.startsWith("support") || m === "requiresPutCompletion" ? false : null;
        }
      };
    }
    const args: Record<string, unknown[]> = {
      put: [key, fullChunk(b, 1).obj],
      batchedPut: [[key], [fullChunk(b, 2).obj]],
      reshapePartialChunk: [fullChunk(b, 3).obj, 2048],
      batchedAsyncContains: ["l", [key]],
      batchedGetNonBlocking: ["l", [key]],
      pushExternalPages: [{ remoteSession: "s", sourcePlan: null, destinationDescriptors: [], activation: null }],
    };
    for (const wrapper of [
      new InstrumentedRemoteConnector(new Recorder()),
      new AuditConnector(new Recorder(), createEngineConfig({ extraConfig: {} })),
    ]) {
      for (const m of methods) {
        calls.length = 0;
        const fn = (wrapper as unknown as Record<string, Function>)[m]!;
        const a = args[m] ?? (/batched|Pages/i.test(m) && m !== "batchedPut" ? [[key], [[0]], [[0]], [], null, "r"].slice(0, fn.length || 1) : [key]);
        try {
          const r = fn.apply(wrapper, a);
          if (r instanceof Promise) await r.catch(() => null);
        } catch {
          /* the wrapper may rethrow the inner NotImplementedError: the call still reached it */
        }
        expect(calls, `${wrapper.constructor.name}.${m}`).toContain(m);
      }
    }
  });
});
