import { describe, expect, it } from "vitest";
import { formatFlag, integerFlag, numberFlag, parseArgs, readCommandLine, stringFlag, UsageError } from "../../src/cli/argv";
import type { CliIO } from "../../src/cli/command";

const SPEC = { values: ["cwd", "n", "format"], booleans: ["strict"], short: { s: "strict" } };

function io(): CliIO & { out: string; err: string } {
  const box = { out: "", err: "", isTTY: false, cwd: "/", env: {}, stdout: (t: string) => void (box.out += t), stderr: (t: string) => void (box.err += t) };
  return box;
}

describe("parseArgs", () => {
  it("reads both value spellings, booleans, aliases and positionals; the last value wins, lists keep all", () => {
    const p = parseArgs(["a", "--n", "1", "--cwd=x=y", "-s", "b", "--n=2", "-"], SPEC);
    expect(p.positionals).toEqual(["a", "b", "-"]);
    expect(p.flags.get("n")).toBe("2");
    expect(p.lists.get("n")).toEqual(["1", "2"]);
    expect(p.flags.get("cwd")).toBe("x=y");
    expect(p.flags.get("strict")).toBe(true);
  });

  it("a value flag takes the next argument even when it starts with -; -- ends the options", () => {
    expect(parseArgs(["--n", "-3"], SPEC).flags.get("n")).toBe("-3");
    expect(parseArgs(["--n", "--strict"], SPEC).flags.get("n")).toBe("--strict");
    const p = parseArgs(["u", "--", "--n", "-s", "--"], SPEC);
    expect(p.positionals).toEqual(["u", "--n", "-s", "--"]);
    expect(p.flags.size).toBe(0);
    expect(parseArgs(["-5"], SPEC).positionals).toEqual(["-5"]);
  });

  it.each([
    [["--bogus"], "unknown option --bogus"],
    [["-x"], "unknown option -x"],
    [["-strict"], "unknown option -strict"],
    [["--n"], "--n needs a value"],
    [["--strict=1"], "--strict does not take a value"],
  ])("refuses %j with a UsageError", (args, message) => {
    expect(() => parseArgs(args, SPEC)).toThrow(UsageError);
    expect(() => parseArgs(args, SPEC)).toThrow(message);
  });
});

describe("typed flags", () => {
  const line = (...args: string[]) => parseArgs(args, SPEC);
  it("integerFlag accepts decimal digits only, within range", () => {
    expect(integerFlag(line(), "n", 1)).toBeUndefined();
    expect(integerFlag(line("--n", " 42 "), "n", 1)).toBe(42);
    expect(integerFlag(line("--n", "-7"), "n", -10)).toBe(-7);
    for (const bad of ["1e3", "0x10", "1.5", "", "abc", "9007199254740993"]) expect(() => integerFlag(line("--n", bad), "n", 0)).toThrow(`--n must be a non-negative integer, got '${bad}'`);
    expect(() => integerFlag(line("--n", "0"), "n", 1)).toThrow("--n must be a positive integer, got '0'");
    expect(() => integerFlag(line("--n", "-11"), "n", -10)).toThrow("--n must be an integer ≥ -10, got '-11'");
  });

  it("numberFlag takes any number the check accepts; formatFlag and stringFlag default", () => {
    expect(numberFlag(line("--n", "0.25"), "n", (n) => n < 1, "below 1")).toBe(0.25);
    expect(() => numberFlag(line("--n", " "), "n", () => true, "a number")).toThrow("--n must be a number, got ' '");
    expect(formatFlag(line(), ["text", "json"])).toBe("text");
    expect(formatFlag(line("--format=json"), ["text", "json"])).toBe("json");
    expect(() => formatFlag(line("--format", "xml"), ["text", "json"])).toThrow("--format must be one of text, json, got 'xml'");
    expect(stringFlag(line(), "cwd", ".")).toBe(".");
  });
});

describe("readCommandLine", () => {
  const command = { name: "demo", usage: "Usage: demo\n" };
  it("--help and -h print the usage and resolve to 0 without reading", () => {
    for (const flag of ["--help", "-h"]) {
      const o = io();
      expect(readCommandLine([flag], o, command, { values: [] }, () => ({ read: true }))).toBe(0);
      expect(o.out).toBe("Usage: demo\n");
    }
  });

  it("a usage error from the parser or from read → message and usage on stderr, 2; other errors propagate", () => {
    const o = io();
    expect(readCommandLine(["--nope"], o, command, { values: [] }, () => ({}))).toBe(2);
    expect(o.err).toBe("lmcache-connector demo: unknown option --nope\n\nUsage: demo\n");
    const p = io();
    expect(readCommandLine(["x"], p, command, { values: [] }, () => { throw new UsageError("no x"); })).toBe(2);
    expect(p.err).toBe("lmcache-connector demo: no x\n\nUsage: demo\n");
    expect(() => readCommandLine([], io(), command, { values: [] }, () => { throw new TypeError("bug"); })).toThrow(TypeError);
    expect(readCommandLine(["a"], io(), command, { values: [] }, (parsed) => ({ got: parsed.positionals }))).toEqual({ got: ["a"] });
  });
});
