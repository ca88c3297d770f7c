/**
 * Cases that go THROUGH the harness's `RemoteBackend` (ours: the kit's port of LMCache's
 * `remote_backend.py` and its health check), so they fail exactly where LMCache's own driver would
 * stumble: its `batched_get_blocking` length assertion, the newer health check's recovery
 * self-test, and a store that must still hold what an earlier connector instance stored (an engine
 * restart, or a second engine on the same `remote_url`).
 */
import type { CacheEngineKey } from "../../keys/cache-engine-key";
import type { MemoryObj } from "../../memory/memory-obj";
import { AssertionError } from "../../errors";
import { RemoteBackendHealthCheck } from "../../harness/health-check";
import { RemoteBackend } from "../../harness/remote-backend";
import type { RemoteConnection } from "../../harness/remote-connection";
import type { CaseContext } from "../context";
import type { PayloadSpec } from "../payload";
import { describeError } from "../recording-proxy";
import { callWithDeadline } from "../timeouts";
import { defineCases, SPECS } from "./common";

/** A RemoteBackend over an already-open connection, with the case's per-call deadline as `blocking_timeout_secs`. */
function backendOver(ctx: CaseContext, connection: RemoteConnection): Promise<RemoteBackend> {
  const backend = new RemoteBackend({ url: "conformance://", settings: { blockingTimeoutSecs: ctx.opDeadlineMs / 1000, useExistsSync: false }, connect: async () => connection });
  return backend.initConnection().then(() => backend);
}

/** Stores `keys` through `batched_submit_put_task` and waits for the puts; the payloads are released after. */
async function storeThrough(ctx: CaseContext, backend: RemoteBackend, keys: CacheEngineKey[], spec: PayloadSpec): Promise<void> {
  const objs = keys.map((_, i) => ctx.payload(spec, i + 1));
  try {
    await backend.batchedSubmitPutTask(keys, objs);
    await backend.drain();
  } finally {
    for (const obj of objs) obj.refCountDown();
  }
  const hung = backend.hungCalls.list();
  if (hung.length > 0) ctx.fail(`RemoteBackend's put path: ${hung[0]!.message}`, { method: "put" });
  if (backend.stats.putFailures > 0) ctx.fail("RemoteBackend logged 'Put task failed' for the stores", { expected: "the puts to succeed", actual: `${backend.stats.putFailures} failed`, method: "put" });
}

/** Expects `backend` to find and return every key with its payload; `what` names the connector. */
async function expectAll(ctx: CaseContext, backend: RemoteBackend, keys: CacheEngineKey[], spec: PayloadSpec, what: string): Promise<void> {
  for (let i = 0; i < keys.length; i++) {
    if (!(await backend.contains(keys[i]!))) {
      ctx.fail(`${what}: RemoteBackend.contains() is False for chunk ${i} the first connector stored`, { expected: "True", actual: "False", method: "exists" });
    }
    const obj: MemoryObj | null = await backend.getBlocking(keys[i]!);
    try {
      ctx.expectPayload(obj, spec, i + 1, `${what}: get_blocking of chunk ${i}`);
    } finally {
      obj?.refCountDown();
    }
  }
}

export default defineCases([
  {
    id: "remote-backend.batched-get-length",
    category: "remote-backend",
    title: "batched_get returns one slot per key, through RemoteBackend.batched_get_blocking",
    explanation:
      "With support_batched_get(), LMCache's RemoteBackend.batched_get_blocking makes one batched_get(keys) call and then asserts len(objs) == len(keys): a connector that returns only the hits, or stops at the first miss (as LMCache's own MockConnector can), raises AssertionError into the serving engine. Stored, missing, stored: the list must have three slots: the first stored chunk byte-identical, None for the missing one, and for the last either None (the caller applies the prefix rule) or its bytes.",
    level: "required",
    basis: "required: RemoteBackend.batched_get_blocking asserts len(objs) == len(keys) after batched_get and raises AssertionError into the serving engine",
    methods: ["batchedGet"],
    async run(ctx) {
      ctx.requireCapability("supportBatchedGet");
      const backend = await backendOver(ctx, ctx.connector);
      const spec = SPECS.fullChunk;
      const [a, missing, b] = [ctx.key(1), ctx.key(2), ctx.key(3)];
      await storeThrough(ctx, backend, [a, b], spec);
      let objs: (MemoryObj | null)[] = [];
      try {
        objs = await backend.batchedGetBlocking([a, missing, b]);
      } catch (err) {
        if (err instanceof AssertionError) {
          ctx.fail(`RemoteBackend.batched_get_blocking raised AssertionError: ${err.message} — LMCache raises it into the serving engine`, { expected: "3 slots (object, None, object)", actual: err.message, method: "batchedGet" });
        }
        ctx.fail(`RemoteBackend.batched_get_blocking raised ${describeError(err)}`, { expected: "a list of 3 slots", actual: describeError(err), method: "batchedGet" });
      }
      try {
        const hung = backend.hungCalls.list();
        if (hung.length > 0) ctx.fail(hung[0]!.message, { method: "batchedGet" });
        ctx.expectPayload(objs[0], spec, 1, "slot 0 (stored)", "batchedGet");
        if (objs[1] !== null) ctx.fail("slot 1 (never stored) is not None", { expected: "None", actual: String(objs[1]), method: "batchedGet" });
        // After a miss the caller applies the prefix rule, so slot 2 may be None or the object.
        if (objs[2] !== null) ctx.expectPayload(objs[2], spec, 2, "slot 2 (stored, after a miss)", "batchedGet");
      } finally {
        for (const obj of objs) obj?.refCountDown();
      }
    },
  },
  {
    id: "remote-backend.health-self-test",
    category: "remote-backend",
    title: "the health check's recovery self-test (put → contains → get) passes",
    explanation:
      "Newer LMCache runs a RemoteBackendHealthCheck; after a failure window (failed gets reaching remote_failed_threshold) it recovers only when a self-test passes: it allocates a chunk with the connector's own meta_shapes, meta_dtypes and meta_fmt, puts it under CacheEngineKey('test', hash 0, bfloat16), requires contains() and reads it back byte for byte. A connector that never called super(config, metadata) has none of those attributes — the self-test raises AttributeError, so the remote never recovers and stays bypassed (or the engine keeps recomputing).",
    level: "required",
    basis: "required: newer LMCache's RemoteBackendHealthCheck recovers a remote only through this self-test, allocated with the connector's meta_shapes/meta_dtypes/meta_fmt",
    lmcacheToo: {
      RedisConnector: "its __init__(url, loop, local_cpu_backend) never calls super().__init__(config, metadata), so meta_shapes/meta_dtypes/meta_fmt do not exist and the self-test raises AttributeError",
    },
    methods: ["put", "exists", "get"],
    async run(ctx) {
      const backend = await backendOver(ctx, ctx.connector);
      const secs = ctx.opDeadlineMs / 1000;
      const check = new RemoteBackendHealthCheck(backend, ctx.backend, {
        fallbackPolicy: "recompute",
        remoteFailedThreshold: 10,
        waitingTimeForRecoverySecs: 0,
        pingTimeoutSecs: secs,
        checkPutTimeoutSecs: secs,
        pingIntervalSecs: 30,
      });
      let passed = false;
      try {
        passed = await callWithDeadline(() => check.selfTest(), ctx.opDeadlineMs * 4, () => `the self-test did not finish within ${ctx.opDeadlineMs * 4} ms`);
      } catch (err) {
        const missingMeta = (err as Error)?.name === "AttributeError";
        ctx.fail(
          missingMeta
            ? `the health self-test raised ${describeError(err)}: the connector never called super(config, metadata), so LMCache's health check can never recover it`
            : `the health self-test raised ${describeError(err)}`,
          { expected: "meta_shapes, meta_dtypes and meta_fmt set by the base constructor", actual: describeError(err), method: missingMeta ? "constructor" : "put" },
        );
      }
      if (!passed) ctx.fail(`the health self-test failed: ${check.lastReason}`, { expected: "put → contains → get to round-trip the test chunk", actual: check.lastReason, method: "get" });
    },
  },
  {
    id: "remote-backend.persists-across-instances",
    category: "remote-backend",
    title: "a new connector on the same store finds what an earlier one stored, also after it closed",
    explanation:
      "A remote cache outlives the engine that filled it: after a restart (or from a second engine with the same remote_url) a new RemoteBackend creates a new connector and must find every chunk the first one stored. Three chunks are stored through the first connector; a second connector on the same URL must see them while the first is open; the first is closed; a third must still find and return them byte for byte. A store private to each connector instance (anonymous memory://, a per-instance Map) cannot be checked and is skipped; memory://<name> shares its store in-process. Keys visible in list() but not found by a new instance (per-instance key prefixes), or data gone after close(), fail.",
    level: "required",
    basis: "required: a restarted engine's RemoteBackend creates a new connector on the same remote_url and must find what the previous one stored; skipped where the store is private to one connector instance",
    methods: ["put", "exists", "get", "close", "list"],
    async run(ctx) {
      const spec = SPECS.fullChunk;
      const keys = [ctx.key(1), ctx.key(2), ctx.key(3)];
      const first = await backendOver(ctx, ctx.connector);
      await storeThrough(ctx, first, keys, spec);
      await expectAll(ctx, first, keys, spec, "the connector that stored them");

      const second = await backendOver(ctx, (await ctx.openSubject()).connector);
      let seen = 0;
      for (const key of keys) if (await second.contains(key)) seen++;
      if (seen === 0) {
        let listed: number | null = null;
        try {
          const names = await callWithDeadline(() => second.connection!.list(), ctx.opDeadlineMs, () => "list() did not settle");
          listed = Array.isArray(names) ? names.length : null;
        } catch {
          listed = null;
        }
        if (listed !== null && listed > 0) {
          ctx.fail(`a new connector on the same store lists ${listed} entries but finds none of the ${keys.length} chunks the first connector stored: its keys are private to a connector instance`, {
            expected: `contains() True for ${keys.length} chunks`,
            actual: "False for all",
            method: "exists",
          });
        }
        ctx.skip("not-applicable", "the store is private to each connector instance (a new connector on the same URL sees nothing, lists nothing): nothing persists to check; memory://<name> shares its store in-process");
      }
      if (seen < keys.length) {
        ctx.fail(`a second connector on the same store finds only ${seen} of the ${keys.length} chunks the first stored`, { expected: String(keys.length), actual: String(seen), method: "exists" });
      }
      await first.close();
      const third = await backendOver(ctx, (await ctx.openSubject()).connector);
      await expectAll(ctx, third, keys, spec, "a new connector after the first closed");
    },
  },
]);
