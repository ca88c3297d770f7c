import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main";
import type { CliIO } from "../../src/cli/command";
import { ENGINE_CONFIG_HELP } from "../../src/cli/engine-config-options";
import { loadConfigFromFile } from "../../src/config";

const FIXTURES = join(__dirname, "fixtures");
const PLUGIN_URL = "plugin://settingsstore";
const URL_KEY = "remote_storage_plugin.settingsstore.url";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "config-flags-cli-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI in-process from `dir` (so the fixture is found only through --search-path). */
async function cli(args: string[], env: Record<string, string> = {}) {
  const box = { out: "", err: "" };
  const io: CliIO = { stdout: (t) => void (box.out += t), stderr: (t) => void (box.err += t), isTTY: false, cwd: dir, env };
  const code = await main(args, io);
  return { code, ...box };
}

/** An LMCache config that registers the fixture plugin (LMCache's plugin framework keys). */
function writeConfig(lines: string[] = [], name = "lmcache.yaml"): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    [
      "chunk_size: 128",
      "blocking_timeout_secs: 4",
      "remote_storage_plugins: [settingsstore]",
      "extra_config:",
      "  remote_storage_plugin.settingsstore.module_path: plugin_pkg.settings_store",
      "  remote_storage_plugin.settingsstore.class_name: SettingsStore",
      `  settings_store.echo_file: ${JSON.stringify(join(dir, "seen.json"))}`,
      ...lines,
    ].join("\n") + "\n",
  );
  return file;
}

function seen(): { extraConfig: Record<string, unknown>; chunkSize: number; blockingTimeoutSecs: number; remoteStoragePlugins: string[] } {
  return JSON.parse(readFileSync(join(dir, "seen.json"), "utf8"));
}

/** Python's own message for opening a missing file. */
function pythonMissingFileMessage(path: string): string {
  const py = spawnSync("python3", ["-c", "import sys\ntry:\n  open(sys.argv[1])\nexcept FileNotFoundError as e:\n  print(e)", path], { encoding: "utf8" });
  expect(py.status).toBe(0);
  return py.stdout.trim();
}

describe("check / run / bench with a plugin:// URL configured by an LMCache YAML", () => {
  it("check passes the whole suite; the connector sees the file's keys, LMCACHE_* overrides and --extra values", async () => {
    const config = writeConfig([`  ${URL_KEY}: redis://from-file:6379`]);
    const { code, out, err } = await cli(
      ["check", PLUGIN_URL, "--config", config, "--search-path", FIXTURES, "--extra", "use_exists_sync=true", "--extra", "ping_interval=0.5", "--format", "json", "--seed", "3"],
      { LMCACHE_BLOCKING_TIMEOUT_SECS: "9" },
    );
    expect(err).toContain("chunk_size 128 from the config is ignored");
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.connector).toMatch(/SettingsStore/);
    expect(report.summary.failed).toBe(0);
    expect(report.summary.passed).toBeGreaterThan(0);
    const s = seen();
    expect(s.extraConfig).toMatchObject({ [URL_KEY]: "redis://from-file:6379", use_exists_sync: true, ping_interval: 0.5 });
    expect(s.blockingTimeoutSecs).toBe(9);
    expect(s.chunkSize).toBe(256); // the conformance model's chunk size
    expect(s.remoteStoragePlugins).toEqual(["settingsstore"]);
  });

  it("check: the connector's own ValueError when a setting is missing → exit 2; --extra supplies it", async () => {
    const config = writeConfig();
    const missing = await cli(["check", PLUGIN_URL, "--config", config, "--search-path", FIXTURES, "--cases", "lifecycle.*"]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`ValueError: ${URL_KEY} is not set`);
    const given = await cli(["check", PLUGIN_URL, "--config", config, "--search-path", FIXTURES, "--cases", "lifecycle.*", `--extra=${URL_KEY}=redis://cli:1`]);
    expect(given.code).toBe(0);
    expect(seen().extraConfig[URL_KEY]).toBe("redis://cli:1");
  });

  it("run honours LMCACHE_CONFIG_FILE without --config and takes the workload chunk size from it", async () => {
    writeConfig([`  ${URL_KEY}: redis://x:1`], "from-env.yaml");
    const { code, out } = await cli(["run", PLUGIN_URL, "--search-path", FIXTURES, "--requests", "12", "--format", "json"], { LMCACHE_CONFIG_FILE: "from-env.yaml" });
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.requests).toBe(12);
    expect(report.leaks.leakedObjects).toBe(0);
    expect(seen().chunkSize).toBe(128);
    // The harness's short ping interval applies only because the config does not set one.
    expect(seen().extraConfig.ping_interval).toBe(0.2);
  });

  it("bench runs the plugin with --config and verifies the bytes", async () => {
    const config = writeConfig([`  ${URL_KEY}: redis://x:1`]);
    const { code, out } = await cli(["bench", PLUGIN_URL, "--config", config, "--search-path", FIXTURES, "--rounds", "1", "--keys", "4", "--payload-bytes", "4096", "--format", "json"]);
    expect(code).toBe(0);
    expect(JSON.parse(out).verification.passed).toBe(true);
    expect(seen().blockingTimeoutSecs).toBe(4);
  });

  it("without the search path the plugin does not load: exit 2 with LMCache's error and the launcher's logged error", async () => {
    const config = writeConfig([`  ${URL_KEY}: redis://x:1`]);
    for (const command of ["check", "run", "bench"]) {
      const { code, err } = await cli([command, PLUGIN_URL, "--config", config]);
      expect(code, command).toBe(2);
      expect(err, command).toContain(`ValueError: No adapter found for URL: ${PLUGIN_URL}`);
      expect(err, command).toMatch(/LMCache ERROR: Failed to load remote connector settingsstore due to import\/attribute error: No module named 'plugin_pkg'/);
    }
  });
});

describe("bad config → exit 2 with the loader's error", () => {
  it("a missing file: Python's FileNotFoundError text, for every command", async () => {
    const path = join(dir, "missing.yaml");
    for (const command of ["check", "run", "bench"]) {
      const { code, out, err } = await cli([command, "memory://", "--config", path]);
      expect(code, command).toBe(2);
      expect(out).toBe("");
      expect(err, command).toContain(`FileNotFoundError: ${pythonMissingFileMessage(path)}`);
    }
    const viaEnv = await cli(["check", "memory://"], { LMCACHE_CONFIG_FILE: path });
    expect(viaEnv.code).toBe(2);
    expect(viaEnv.err).toContain(`FileNotFoundError: ${pythonMissingFileMessage(path)}`);
  });

  it("an unconvertible value: the same error the loader raises", async () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "chunk_size: lots\n");
    let expected: Error | undefined;
    try {
      loadConfigFromFile(file);
    } catch (e) {
      expected = e as Error;
    }
    expect(expected).toBeDefined();
    const { code, err } = await cli(["run", "memory://", "--config", file]);
    expect(code).toBe(2);
    expect(err).toContain(`${expected!.name}: ${expected!.message}`);
  });

  it("an unknown key is LMCache's warning, not an error", async () => {
    const file = join(dir, "unknown.yaml");
    writeFileSync(file, "no_such_key: 1\n");
    const { code, err } = await cli(["check", "memory://", "--config", file, "--cases", "lifecycle.*"]);
    expect(code).toBe(0);
    expect(err).toContain(`LMCache WARNING: Unknown configuration key: no_such_key (source: file: ${file})`);
  });

  it("a malformed --extra is a usage error", async () => {
    for (const command of ["check", "run", "bench"]) {
      const { code, err } = await cli([command, "memory://", "--extra", "novalue"]);
      expect(code, command).toBe(2);
      expect(err, command).toContain(`lmcache-connector ${command}: --extra expects KEY=VALUE, got 'novalue'`);
    }
  });
});

describe("the single-URL command line of check, run and bench", () => {
  it("bad usage → exit 2 with the same message and the command's usage, nothing on stdout or loaded", async () => {
    const cases: Array<[string[], string]> = [
      [[], "missing <url> (e.g. memory://)"],
      [["memory://", "blackhole://"], "expected one <url>, got 2: memory:// blackhole://"],
      [["memory://", "--format", "yaml"], "--format must be one of "],
      [["memory://", "--nope"], "unknown option --nope"],
      [["memory://", "--cwd"], "--cwd needs a value"],
      [["memory://", "--config="], "--config needs a non-empty value"],
    ];
    for (const command of ["check", "run", "bench"]) {
      for (const [args, message] of cases) {
        const { code, out, err } = await cli([command, ...args], { LMCACHE_CONFIG_FILE: join(dir, "missing.yaml") });
        expect(code, `${command} ${args.join(" ")}`).toBe(2);
        expect(out).toBe("");
        expect(err, `${command} ${args.join(" ")}`).toContain(`lmcache-connector ${command}: ${message}`);
        expect(err).toContain(`Usage: lmcache-connector ${command} <url>`);
        expect(err).not.toContain("FileNotFoundError");
      }
    }
  });
});

describe("--help", () => {
  it("every command documents the shared options with the same text and never reads the config", async () => {
    for (const command of ["check", "run", "bench"]) {
      const { code, out } = await cli([command, "-h", "--config", join(dir, "missing.yaml")]);
      expect(code, command).toBe(0);
      expect(out, command).toContain(`Usage: lmcache-connector ${command} <url>`);
    }
    for (const command of ["check", "run", "bench"]) {
      const { code, out } = await cli([command, "--help", "--config", join(dir, "missing.yaml")]);
      expect(code, command).toBe(0);
      expect(out, command).toContain(ENGINE_CONFIG_HELP);
      expect(out, command).toContain("[--config FILE] [--search-path DIR]... [--extra KEY=VALUE]...");
    }
  });
});

describe("plugin:// URLs reach adapter-style plugins with LMCache's plugin_name", () => {
  it("check, run and bench pass the instance name to the adapter's context", async () => {
    const config = join(dir, "named.yaml");
    writeFileSync(
      config,
      [
        "remote_storage_plugins: [namedstore.primary]",
        "extra_config:",
        "  remote_storage_plugin.namedstore.primary.module_path: plugin_pkg.named_store_adapter",
        "  remote_storage_plugin.namedstore.primary.class_name: NamedStoreAdapter",
      ].join("\n") + "\n",
    );
    const common = ["--config", config, "--search-path", FIXTURES];
    const check = await cli(["check", "plugin://namedstore.primary", ...common, "--cases", "lifecycle.*,roundtrip.4kib"]);
    expect(check.err).not.toContain("needs plugin_name");
    expect(check.code).toBe(0);
    const run = await cli(["run", "plugin://namedstore.primary", ...common, "--requests", "4", "--format", "json"]);
    expect(run.code).toBe(0);
    const bench = await cli(["bench", "plugin://namedstore.primary", ...common, "--rounds", "1", "--keys", "2", "--payload-bytes", "4096", "--format", "json"]);
    expect(bench.code).toBe(0);
  });
});
