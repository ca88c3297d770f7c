import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ALL_CASES } from "../../src/conformance/cases";

const ROOT = join(__dirname, "..", "..", "..");

describe("case counts quoted in the docs follow the case list", () => {
  it("README.md's `check` row states the number of cases and categories", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const m = /the conformance suite: (\d+) cases in (\d+) categories/.exec(readme);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBe(ALL_CASES.length);
    expect(Number(m![2])).toBe(new Set(ALL_CASES.map((c) => c.category)).size);
  });

  it("extension/README.md's status-item example totals the case count", () => {
    const readme = readFileSync(join(ROOT, "extension", "README.md"), "utf8");
    const m = /`conformance (\d+)\/(\d+)(?:, \d+ advisor(?:y|ies))?, (\d+) skipped`/.exec(readme);
    expect(m).not.toBeNull();
    expect(Number(m![2])).toBe(ALL_CASES.length);
    expect(Number(m![1]) + Number(m![3])).toBe(ALL_CASES.length);
  });

  it("case ids are unique", () => {
    expect(new Set(ALL_CASES.map((c) => c.id)).size).toBe(ALL_CASES.length);
  });
});
