import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_TEXT_FILE_BYTES, readRegularTextFile } from "../../src/files/read-text-file";
import { escapeControls } from "../../src/files/terminal-text";
import { loadConfigFromFile, loadEngineConfigWithOverrides } from "../../src/config/load";
import { loadEngineSettingsOrReport } from "../../src/cli/engine-config-options";
import { main } from "../../src/cli/main";
import { analyzeModuleFile } from "../../src/lint/modules/analysis-cache";

let dir: string;
let fifo: string;
let zero: string;
let big: string;
let good: string;
let escapes: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "lmc-badinput-"));
  fifo = join(dir, "pipe.yaml");
  expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
  zero = join(dir, "zero.yaml");
  symlinkSync("/dev/zero", zero);
  big = join(dir, "big.yaml");
  writeFileSync(big, "# " + "x".repeat(MAX_TEXT_FILE_BYTES) + "\n");
  good = join(dir, "good.yaml");
  writeFileSync(good, 'remote_url: "localhost:6379"\n');
  escapes = join(dir, "esc.yaml");
  // ESC ] 0 ; title BEL (retitles a terminal), ESC[2J (clears it), CR (rewrites the line)
  writeFileSync(escapes, 'remote_url: "nosuch\u001b]0;pwned\u0007://h\u001b[2J:1\rX"\n');
  mkdirSync(join(dir, "sub"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readRegularTextFile", () => {
  it("refuses a FIFO at once (opening it does not wait for a writer)", { timeout: 5000 }, () => {
    expect(() => readRegularTextFile(fifo)).toThrow(/a FIFO \(named pipe\), not a regular file/);
  });
  it("refuses a symlink to /dev/zero without reading it", { timeout: 5000 }, () => {
    const before = process.memoryUsage().rss;
    expect(() => readRegularTextFile(zero)).toThrow(/a character device, not a regular file/);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });
  it("refuses a file over the cap, and reads one under it", () => {
    expect(() => readRegularTextFile(big)).toThrow(/over the 8\.0 MiB limit/);
    expect(readRegularTextFile(good)).toBe('remote_url: "localhost:6379"\n');
    expect(() => readRegularTextFile(join(dir, "sub"))).toThrow(/a directory/);
    expect(() => readRegularTextFile(join(dir, "missing.yaml"))).toThrow(/ENOENT/);
  });
});

describe("lint's module analysis", () => {
  it("does not read a FIFO, /dev/zero or an oversized module (null, at once)", { timeout: 5000 }, () => {
    const pyFifo = join(dir, "mod_fifo.py");
    expect(spawnSync("mkfifo", [pyFifo]).status).toBe(0);
    const pyZero = join(dir, "mod_zero.py");
    symlinkSync("/dev/zero", pyZero);
    const pyBig = join(dir, "mod_big.py");
    writeFileSync(pyBig, "class A: pass\n" + "#".repeat(MAX_TEXT_FILE_BYTES) + "\n");
    for (const f of [pyFifo, pyZero, pyBig]) expect(analyzeModuleFile(f), f).toBeNull();
    const pyOk = join(dir, "mod_ok.py");
    writeFileSync(pyOk, "class A: pass\n");
    expect(analyzeModuleFile(pyOk)?.classes.has("A")).toBe(true);
  });
});

describe("escapeControls", () => {
  it("shows ESC, BEL, CR, DEL and C1 controls as \\xNN and keeps newline and tab by default", () => {
    expect(escapeControls("a\u001b[31mb\u0007c\rd\u007fe\u009bf\n\tg")).toBe("a\\x1b[31mb\\x07c\\x0dd\\x7fe\\x9bf\n\tg");
    expect(escapeControls("a\nb", "")).toBe("a\\x0ab");
  });
});

async function lint(args: string[]) {
  let out = "";
  let err = "";
  const code = await main(["lint", ...args], { stdout: (t) => void (out += t), stderr: (t) => void (err += t), isTTY: true, cwd: dir, env: {} });
  return { code, out, err };
}

describe("lmcache-connector lint on bad input", () => {
  it("a FIFO, a /dev/zero symlink and an oversized file are refused with a message, exit 2; other files are still linted", { timeout: 10_000 }, async () => {
    const { code, out, err } = await lint([fifo, zero, big, good]);
    expect(code).toBe(2);
    expect(err).toContain(`Refusing to read '${fifo}': a FIFO`);
    expect(err).toContain(`Refusing to read '${zero}': a character device`);
    expect(err).toContain(`Refusing to read '${big}'`);
    expect(out).toContain("good.yaml:1:");
    expect(out).toContain("LMC001");
  });

  it("control bytes from a file never reach the terminal in text output; JSON escapes them", async () => {
    const text = await lint([escapes]);
    expect(text.out).toContain("esc.yaml:1:");
    expect(text.out).toMatch(/\\x1b/);
    // eslint-disable-next-line no-control-regex
    expect(text.out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    const json = await lint([escapes, "--format", "json"]);
    const records = JSON.parse(json.out) as { message: string }[];
    expect(records.length).toBeGreaterThan(0);
    // eslint-disable-next-line no-control-regex
    expect(json.out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });
});

describe("config files (--config, LMCACHE_CONFIG_FILE) on bad input", () => {
  it("a FIFO, /dev/zero and an oversized file give a clear OSError, never a hang", { timeout: 5000 }, () => {
    for (const [file, why] of [[fifo, /a FIFO/], [zero, /a character device/], [big, /over the 8\.0 MiB limit/]] as const) {
      expect(() => loadConfigFromFile(file)).toThrow(why);
      expect(() => loadEngineConfigWithOverrides({ env: { LMCACHE_CONFIG_FILE: file } })).toThrow(why);
    }
    // an ordinary missing file keeps Python's FileNotFoundError text
    expect(() => loadConfigFromFile(join(dir, "nope.yaml"))).toThrow(/\[Errno 2\] No such file or directory/);
  });

  it("the CLI reports it as a config error (exit 2), and escapes control bytes quoted from the file", () => {
    let err = "";
    const io = { stdout: () => {}, stderr: (t: string) => void (err += t), isTTY: true, cwd: dir, env: {} };
    expect(loadEngineSettingsOrReport({ configFile: fifo, searchPaths: [], extras: [] }, io, "run")).toBe(2);
    expect(err).toContain("could not load the LMCache config\nOSError: Refusing to read");
    const odd = join(dir, "odd.yaml");
    writeFileSync(odd, "chunk_size: 16\n\"bad\\e[2Jkey\\a\": 1\n");
    err = "";
    expect(typeof loadEngineSettingsOrReport({ configFile: odd, searchPaths: [], extras: [] }, io, "run")).toBe("object");
    expect(err).toContain("Unknown configuration key");
    expect(err).toContain("bad\\x1b[2Jkey\\x07");
    // eslint-disable-next-line no-control-regex
    expect(err).not.toMatch(/[\u001b\u0007]/);
  });
});
