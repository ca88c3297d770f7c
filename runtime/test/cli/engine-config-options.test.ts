import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultEngineConfig } from "../../src/config";
import {
  ENGINE_CONFIG_HELP,
  loadEngineSettings,
  ENGINE_CONFIG_FLAGS,
  engineConfigArgs,
  parseExtraAssignment,
  type EngineConfigArgs,
} from "../../src/cli/engine-config-options";
import { parseArgs, UsageError } from "../../src/cli/argv";
import type { CliIO } from "../../src/cli/command";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "engine-config-options-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function io(env: Record<string, string> = {}, cwd = dir): CliIO {
  return { stdout: () => undefined, stderr: () => undefined, isTTY: false, cwd, env };
}

function args(partial: Partial<EngineConfigArgs>): EngineConfigArgs {
  return { searchPaths: [], extras: [], ...partial };
}

/** The shared options as the commands read them: through the CLI's one parser. */
function fromLine(line: string[]): EngineConfigArgs {
  return engineConfigArgs(parseArgs(line, { values: [...ENGINE_CONFIG_FLAGS, "cases"], booleans: ["strict"] }));
}

describe("engineConfigArgs", () => {
  it("reads --config, --search-path and --extra in both spellings, in order, among other flags", () => {
    const parsed = fromLine([
      "memory://", "--cases", "refs.*", "--config", "a.yaml", "--search-path=lib", "--extra", "n=3",
      "--search-path", "vendor", "--extra=url=redis://h:6379/0?x=1", "--strict", "--config=b.yaml",
    ]);
    expect(parsed.configFile).toBe("b.yaml"); // last one wins
    expect(parsed.searchPaths).toEqual(["lib", "vendor"]);
    expect(parsed.extras).toEqual([["n", 3], ["url", "redis://h:6379/0?x=1"]]);
  });

  it("ignores what follows --, and refuses a flag without a value, an empty value or a malformed --extra", () => {
    expect(fromLine(["--extra", "a=1", "--", "--config", "x"])).toEqual({ configFile: undefined, searchPaths: [], extras: [["a", 1]] });
    expect(() => fromLine(["memory://", "--config"])).toThrow("--config needs a value");
    expect(() => fromLine(["--search-path="])).toThrow("--search-path needs a non-empty value");
    expect(() => fromLine(["--extra", "novalue"])).toThrow(UsageError);
  });
});

describe("parseExtraAssignment", () => {
  it("parses the value as JSON when it parses, else keeps the string; splits at the first =", () => {
    const cases: Array<[string, unknown]> = [
      ["use_exists_sync=true", true],
      ["ping_interval=0.5", 0.5],
      ["get_blocking_failed_threshold=10", 10],
      ["fallback_policy=null", null],
      ['name="a b"', "a b"],
      ['tags=["x",1]', ["x", 1]],
      ["url=redis://h:6379/0?db=1", "redis://h:6379/0?db=1"],
      ["save_chunk_meta=False", "False"], // Python spelling is not JSON: stays a string (truthy in LMCache)
      ["empty=", ""],
    ];
    for (const [text, value] of cases) {
      const [key, parsed] = parseExtraAssignment(text);
      expect(key).toBe(text.slice(0, text.indexOf("=")));
      expect(parsed).toEqual(value);
    }
  });

  it("rejects a missing = and an empty key", () => {
    expect(() => parseExtraAssignment("use_exists_sync")).toThrow("--extra expects KEY=VALUE, got 'use_exists_sync'");
    expect(() => parseExtraAssignment("=1")).toThrow("non-empty KEY");
  });
});

describe("loadEngineSettings", () => {
  it("with neither --config nor LMCACHE_CONFIG_FILE: LMCache's defaults plus LMCACHE_* variables", () => {
    const { config, configFile } = loadEngineSettings(args({}), io({ LMCACHE_CHUNK_SIZE: "'64'", LMCACHE_LOCAL_CPU: "TRUE" }));
    expect(configFile).toBeNull();
    expect(config).toEqual({ ...defaultEngineConfig(), chunkSize: 64, localCpu: true });
  });

  it("reads --config, applies LMCACHE_* on top (LMCACHE_EXTRA_CONFIG replaces extra_config), then --extra merges", () => {
    const file = join(dir, "lmcache.yaml");
    writeFileSync(file, "chunk_size: 128\nblocking_timeout_secs: 3\nextra_config:\n  from_file: 1\n  both: file\n");
    const env = { LMCACHE_BLOCKING_TIMEOUT_SECS: "7" };
    const plain = loadEngineSettings(args({ configFile: "lmcache.yaml" }), io(env));
    expect(plain.configFile).toBe(file);
    expect([plain.config.chunkSize, plain.config.blockingTimeoutSecs]).toEqual([128, 7]);
    expect(plain.config.extraConfig).toEqual({ from_file: 1, both: "file" });

    const withExtras = loadEngineSettings(
      args({ configFile: file, extras: [["both", "cli"], ["ping_interval", 0.5]] }),
      io({ ...env, LMCACHE_EXTRA_CONFIG: '{"from_env": true, "both": "env"}' }),
    );
    expect(withExtras.config.extraConfig).toEqual({ from_env: true, both: "cli", ping_interval: 0.5 });
  });

  it("honours LMCACHE_CONFIG_FILE when --config is absent, and --config over it", () => {
    const envFile = join(dir, "env.yaml");
    const flagFile = join(dir, "flag.yaml");
    writeFileSync(envFile, "chunk_size: 32\n");
    writeFileSync(flagFile, "chunk_size: 16\n");
    expect(loadEngineSettings(args({}), io({ LMCACHE_CONFIG_FILE: "env.yaml" })).config.chunkSize).toBe(32);
    expect(loadEngineSettings(args({ configFile: flagFile }), io({ LMCACHE_CONFIG_FILE: envFile })).config.chunkSize).toBe(16);
    // An empty LMCACHE_CONFIG_FILE counts as unset, as in LMCache (`if config_file:`).
    expect(loadEngineSettings(args({}), io({ LMCACHE_CONFIG_FILE: "" })).configFile).toBeNull();
  });

  it("resolves relative --config and --search-path against the current directory", () => {
    const sub = join(dir, "sub");
    const settings = loadEngineSettings(args({ searchPaths: ["lib", "/abs/x", "../up"] }), io({}, sub));
    expect(settings.searchPaths).toEqual([join(sub, "lib"), "/abs/x", join(dir, "up")]);
  });

  it("throws the loader's error for a bad config", () => {
    writeFileSync(join(dir, "bad.yaml"), "chunk_size: [1\n");
    expect(() => loadEngineSettings(args({ configFile: "bad.yaml" }), io())).toThrow(/Invalid YAML/);
  });
});

describe("help text", () => {
  it("mentions every shared flag", () => {
    for (const flag of ["--config FILE", "--search-path DIR", "--extra KEY=VALUE", "LMCACHE_CONFIG_FILE", "LMCACHE_CONNECTOR_PATH"]) {
      expect(ENGINE_CONFIG_HELP).toContain(flag);
    }
  });
});
