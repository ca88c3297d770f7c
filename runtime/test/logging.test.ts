import { afterEach, describe, expect, it } from "vitest";
import { clearLogRecords, getLogger, getLogRecords } from "../src/logging";

afterEach(() => clearLogRecords());

describe("log records", () => {
  it("keep the newest 10,000 records, oldest first", () => {
    clearLogRecords();
    const log = getLogger("test.logging");
    for (let i = 0; i < 10_005; i++) log.debug(`record ${i}`);
    const kept = getLogRecords();
    expect(kept).toHaveLength(10_000);
    expect(kept[0]!.message).toBe("record 5");
    expect(kept.at(-1)!.message).toBe("record 10004");
    expect(kept.map((r) => r.message)).toEqual(Array.from({ length: 10_000 }, (_, i) => `record ${i + 5}`));
  });

  it("start again after clearLogRecords()", () => {
    const log = getLogger("test.logging");
    for (let i = 0; i < 10_003; i++) log.info(`old ${i}`);
    clearLogRecords();
    log.warning("new");
    expect(getLogRecords().map((r) => r.message)).toEqual(["new"]);
  });
});
