/**
 * Runs the LMCache connector conformance suite against AcmeFileStore, loaded the way LMCache
 * loads it (external:// URL, module path from the project root). Every failure is printed with
 * what was expected and what happened.
 */
import * as path from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import { runConformance } from "lmcache-connector-runtime";
import { afterAll, describe, expect, it } from "vitest";

const projectRoot = path.resolve(__dirname, "..");

// A fresh directory per run, removed afterwards.
const basePath = mkdtempSync(path.join(os.tmpdir(), "acme_file_store-"));
afterAll(() => rmSync(basePath, { recursive: true, force: true }));

describe("AcmeFileStore", () => {
  it("passes the LMCache connector conformance suite", async () => {
    const run = await runConformance({
      url: "external://host:0/src.acme_file_store/?connector_name=AcmeFileStore",
      cwd: projectRoot,
      config: { extraConfig: { "remote_storage_plugin.acme_file_store.base_path": basePath } },
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
