/**
 * Config read as LMCache reads it: PyYAML safe_load semantics (checked against Debian's PyYAML,
 * /usr/bin/python3) and LMCache's per-key conversion (None + its warning for a value it cannot
 * convert; issues for values it would crash on or ignore).
 */
import { execFileSync } from "node:child_process";
import { beforeEach, describe, expect, it } from "vitest";
import { PyDate, safeLoadPyYaml } from "../../src/config/pyyaml";
import { readConfigMapping } from "../../src/config/read-config";
import { loadConfigFromYaml, loadEngineConfigWithOverrides } from "../../src/config/load";
import { pyStr } from "../../src/config/python-values";
import { clearLogRecords, getLogRecords } from "../../src/logging";

beforeEach(() => clearLogRecords());
const warnings = () => getLogRecords().filter((r) => r.level === "warning").map((r) => r.message);

/** `yaml.safe_load` in Python, each value rendered as (type name, str(value)). */
function pyyaml(text: string): Record<string, [string, string]> {
  const code = [
    "import sys, json, yaml",
    "d = yaml.safe_load(sys.stdin.read())",
    "print(json.dumps({str(k): [type(v).__name__, str(v)] for k, v in d.items()}))",
  ].join("\n");
  return JSON.parse(execFileSync("/usr/bin/python3", ["-c", code], { input: text, encoding: "utf8" }));
}

/** The same rendering of our value. */
function ours(value: unknown): [string, string] {
  if (value === null) return ["NoneType", "None"];
  if (typeof value === "boolean") return ["bool", value ? "True" : "False"];
  if (typeof value === "number") return ["number", Number.isInteger(value) ? String(value) : String(value)];
  if (value instanceof PyDate) return [value.pyType === "datetime.date" ? "date" : "datetime", value.text];
  if (typeof value === "string") return ["str", value];
  return [Array.isArray(value) ? "list" : "dict", pyStr(value)];
}

describe("safeLoadPyYaml agrees with PyYAML's safe_load", () => {
  const scalars = [
    "y", "n", "Y", "yes", "No", "ON", "off", "tRue", "True", "1e3", "1.0e3", "1.0e+3", "1.5", ".5", "-.inf", ".NaN",
    "010", "0o10", "0x1F", "0b101", "1_000", "1:30", "190:20:30.15", "~", "null", "Null", "''", "'yes'", '"1"',
    "2024-01-01", "2024-1-5", "2001-12-14 21:59:43.10", "2001-12-14t21:59:43.10-05:00", "5GB", "[1,2]", "abc def",
  ];
  const text = scalars.map((s, i) => `k${i}: ${s}`).join("\n") + "\n";
  const expected = pyyaml(text);
  const got = safeLoadPyYaml(text) as Record<string, unknown>;
  scalars.forEach((s, i) => {
    it(s, () => {
      const [pyType, pyText] = expected[`k${i}`]!;
      const [type, str] = ours(got[`k${i}`]);
      if (pyType === "int" || pyType === "float") {
        expect(type).toBe("number");
        if (pyText === "nan") expect(Number.isNaN(got[`k${i}`])).toBe(true);
        else expect(Number(str)).toBeCloseTo(pyText === "inf" ? Infinity : pyText === "-inf" ? -Infinity : Number(pyText));
      } else {
        expect([type, str]).toEqual([pyType, pyText]);
      }
    });
  });
});

describe("readConfigMapping (LMCache's conversion) and the loader built on it", () => {
  it("a value LMCache cannot convert becomes None with LMCache's warning", () => {
    const { config, issues } = readConfigMapping(safeLoadPyYaml('max_local_cpu_size: "5GB"\nchunk_size: 1e3\n') as Record<string, unknown>, "file: x.yaml");
    expect(config.maxLocalCpuSize).toBeNull();
    expect(config.chunkSize).toBeNull(); // PyYAML: "1e3" is a string; int("1e3") fails
    expect(warnings()).toEqual([
      "Failed to convert value for chunk_size='1e3': invalid literal for int() with base 10: '1e3'",
      "Failed to convert value for max_local_cpu_size='5GB': could not convert string to float: '5GB'",
    ]);
    expect(issues.map((i) => [i.key, i.severity])).toEqual([["chunk_size", "error"], ["max_local_cpu_size", "error"]]);
  });

  it("reports what LMCache would crash on or ignore", () => {
    const yaml = ["remote_storage_plugins: 5", 'extra_config: "[1,2]"', "remote_serde: safetensor", "no_such_key: 1", "local_cpu: y"].join("\n");
    const { config, issues } = readConfigMapping(safeLoadPyYaml(yaml) as Record<string, unknown>, "file: x.yaml");
    const byKey = Object.fromEntries(issues.map((i) => [i.key, i]));
    expect(byKey["remote_storage_plugins"]).toMatchObject({ severity: "error", errorName: "AttributeError" });
    expect(byKey["remote_storage_plugins"]!.message).toContain("'int' object has no attribute 'split'");
    expect(byKey["extra_config"]!.message).toContain("'list' object has no attribute 'get'");
    expect(byKey["remote_serde"]!.message).toContain('ValueError("Invalid type: safetensor")');
    expect(byKey["no_such_key"]).toMatchObject({ severity: "warning", message: expect.stringContaining("Unknown configuration key: no_such_key") });
    expect(config.localCpu).toBe(false); // `y` is the string "y"; _to_bool("y") is False
    expect(byKey["local_cpu"]).toBeUndefined();
  });

  it("dates are datetime.date: str keys see '2024-01-01', int keys crash with TypeError", () => {
    const { config, issues } = readConfigMapping(safeLoadPyYaml("remote_url: 2024-01-01\nchunk_size: 2024-01-01\n") as Record<string, unknown>, "f");
    expect(config.remoteUrl).toBe("2024-01-01");
    expect(issues).toEqual([
      expect.objectContaining({ key: "chunk_size", errorName: "TypeError", message: expect.stringContaining("not 'date'") }),
    ]);
  });

  it("the runtime's loader refuses the same values, naming the key (ours); unknown keys stay warnings", () => {
    expect(() => loadConfigFromYaml("remote_serde: safetensor\n", "file: s.yaml")).toThrow(/'remote_serde' \(source: file: s\.yaml\)/);
    expect(() => loadConfigFromYaml('max_local_cpu_size: "5GB"\n')).toThrow(/max_local_cpu_size/);
    expect(loadConfigFromYaml("no_such_key: 1\nlocal_cpu: yes\n").localCpu).toBe(true);
  });
});

describe("environment variables as LMCache reads them", () => {
  it("without a file (from_env) an unconvertible value is LMCache's None + warning, then the kit's refusal; with a file the file's value stays", () => {
    expect(() => loadEngineConfigWithOverrides({ env: { LMCACHE_CHUNK_SIZE: "soon" } })).toThrow(/'chunk_size' \(source: environment variables\)/);
    expect(warnings()).toContain("Failed to convert value for chunk_size='soon': invalid literal for int() with base 10: 'soon'");
    expect(loadEngineConfigWithOverrides({ env: { LMCACHE_CHUNK_SIZE: "'64'" } }).chunkSize).toBe(64);
  });
});
