import { afterEach, describe, expect, it } from "vitest";
import { clearLogRecords, getLogger, getLogRecords, isLogLevelEnabled, lmcacheLogLevel, setLogLevel } from "../src/logging";

const initialLevel = setLogLevel("info");
setLogLevel(initialLevel);
afterEach(() => {
  clearLogRecords();
  setLogLevel(initialLevel);
});

describe("log records", () => {
  it("keep the newest 10,000 records, oldest first", () => {
    clearLogRecords();
    const log = getLogger("test.logging");
    for (let i = 0; i < 10_005; i++) log.warning(`record ${i}`);
    const kept = getLogRecords();
    expect(kept).toHaveLength(10_000);
    expect(kept[0]!.message).toBe("record 5");
    expect(kept.at(-1)!.message).toBe("record 10004");
    expect(kept.map((r) => r.message)).toEqual(Array.from({ length: 10_000 }, (_, i) => `record ${i + 5}`));
  });

  it("start again after clearLogRecords()", () => {
    const log = getLogger("test.logging");
    for (let i = 0; i < 10_003; i++) log.warning(`old ${i}`);
    clearLogRecords();
    log.warning("new");
    expect(getLogRecords().map((r) => r.message)).toEqual(["new"]);
  });
});

describe("log levels (LMCache's LMCACHE_LOG_LEVEL, default INFO)", () => {
  it("reads the level as LMCache's get_log_level does", () => {
    expect(lmcacheLogLevel({})).toBe(20);
    expect(lmcacheLogLevel({ LMCACHE_LOG_LEVEL: "debug" })).toBe(10);
    expect(lmcacheLogLevel({ LMCACHE_LOG_LEVEL: "WARNING" })).toBe(30);
    expect(lmcacheLogLevel({ LMCACHE_LOG_LEVEL: "Critical" })).toBe(50);
    expect(lmcacheLogLevel({ LMCACHE_LOG_LEVEL: "verbose" })).toBe(20); // getattr(logging, …, INFO)
  });

  it("drops records below the threshold and reports it through isEnabledFor", () => {
    const log = getLogger("test.levels");
    setLogLevel("info");
    expect(log.isEnabledFor("debug")).toBe(false);
    expect(log.isEnabledFor("info")).toBe(true);
    log.debug("hidden");
    log.info("shown");
    expect(getLogRecords().map((r) => r.message)).toEqual(["shown"]);
    setLogLevel("debug");
    expect(isLogLevelEnabled("debug")).toBe(true);
    log.debug("now shown");
    setLogLevel("critical");
    expect(log.isEnabledFor("error")).toBe(false);
    log.error("dropped too");
    expect(getLogRecords().map((r) => r.message)).toEqual(["shown", "now shown"]);
  });
});
