/**
 * Runs the LMCache connector conformance suite against RedisStoreConnector, loaded the way LMCache
 * loads it (external:// URL, module path from the project root). Every failure is printed with
 * what was expected and what happened.
 */
import * as path from "node:path";
import { runConformance } from "lmcache-connector-runtime";
import { describe, expect, it } from "vitest";

const projectRoot = path.resolve(__dirname, "..");

// The server to test against: $REDIS_URL, else a local redis-server on the default port.
const redisUrl = process.env.REDIS_URL || "redis://127.0.0.1:6379";

describe("RedisStoreConnector", () => {
  it("passes the LMCache connector conformance suite", async () => {
    const run = await runConformance({
      url: "external://host:0/src.redis_store_connector/?connector_name=RedisStoreConnector",
      cwd: projectRoot,
      config: { extraConfig: { "remote_storage_plugin.redis_store_connector.url": redisUrl } },
    });
    if (run.loadError) throw new Error(`${run.loadError.errorName}: ${run.loadError.message}`);
    const failures = run.results.filter((result) => result.status === "failed");
    for (const failure of failures) {
      console.error(
        [`FAILED ${failure.id}: ${failure.message ?? ""}`, failure.expected && `  expected: ${failure.expected}`, failure.actual && `  actual:   ${failure.actual}`]
          .filter(Boolean)
          .join("\n"),
      );
    }
    expect(failures.map((failure) => `${failure.id}: ${failure.message}`)).toEqual([]);
    expect(run.summary.passed).toBeGreaterThan(0);
  }, 180_000);
});
