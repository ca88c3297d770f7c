// The README's connector example is real code: it stays byte-identical to docs/examples and passes
// the conformance suite through the same path a user's connector takes.
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
    for (const r of run.results.filter((r) => r.status === "skipped")) expect(r.skip?.kind).toBe("capability-not-declared");
  });
});
