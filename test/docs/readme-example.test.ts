// The README's connector examples are real code: they stay byte-identical to docs/examples and pass
// the conformance suite through the same path a user's connector takes (the Python one in a real
// /usr/bin/python3 through the bridge).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runConformance } from "../../runtime/src/conformance/engine";

const ROOT = join(__dirname, "..", "..");

describe("README example connector", () => {
  const example = readFileSync(join(ROOT, "docs/examples/my_connector.ts"), "utf8");

  it("is quoted in the README exactly", () => {
    expect(readFileSync(join(ROOT, "README.md"), "utf8")).toContain("```ts\n" + example + "```");
  });

  it("passes every conformance case it does not skip for an undeclared capability", async () => {
    const run = await runConformance({
      url: "external://host:0/my_connector/?connector_name=MyConnector",
      cwd: join(ROOT, "docs/examples"),
      seed: 7,
    });
    expect(run.loadError).toBeUndefined();
    const failed = run.results.filter((r) => r.status === "failed").map((r) => `${r.id}: ${r.message}`);
    expect(failed).toEqual([]);
    expect(run.summary.passed).toBeGreaterThanOrEqual(30);
    // skipped: capabilities it does not declare, and persistence across instances (its store is private to each instance)
    for (const r of run.results.filter((r) => r.status === "skipped")) expect(`${r.id}: ${r.skip?.kind}`).toMatch(/: capability-not-declared$|^remote-backend\.persists-across-instances: not-applicable$/);
  });
});

describe("README example Python connector", () => {
  const example = readFileSync(join(ROOT, "docs/examples/python/my_connector.py"), "utf8");

  it("is quoted in the README exactly", () => {
    expect(readFileSync(join(ROOT, "README.md"), "utf8")).toContain("```python\n" + example + "```");
  });

  it("passes every required conformance case it does not skip, loaded by Python as LMCache loads it", { timeout: 60_000 }, async () => {
    const run = await runConformance({
      url: "external://host:0/my_connector/?connector_name=MyConnector",
      cwd: join(ROOT, "docs/examples/python"),
      seed: 7,
    });
    expect(run.loadError).toBeUndefined();
    expect(run.connector).toMatch(/Python 3\.\d+/);
    const failed = run.results.filter((r) => r.status === "failed").map((r) => `${r.id}: ${r.message}`);
    expect(failed).toEqual([]);
    expect(run.summary.passed).toBeGreaterThanOrEqual(30);
    for (const r of run.results.filter((r) => r.status === "skipped")) expect(`${r.id}: ${r.skip?.kind}`).toMatch(/: capability-not-declared$|^remote-backend\.persists-across-instances: not-applicable$/);
  });
});
