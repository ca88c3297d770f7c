/**
 * Issue 10, secrets: whatever the CLI prints (stdout and stderr, every format) never shows a URL's
 * password — the one in the command's URL, and the one a connector puts in its output and errors.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main";
import type { CliIO } from "../../src/cli/command";

const FIXTURES = join(__dirname, "..", "fixtures", "secrets");
const SECRET = "HUNTER2-SECRET";
const URL_PW = "s3cr3t-url-pw";

async function cli(args: string[]) {
  const box = { out: "", err: "" };
  const io: CliIO = { stdout: (t) => void (box.out += t), stderr: (t) => void (box.err += t), isTTY: false, cwd: FIXTURES, env: {} };
  const code = await main(args, io);
  return { code, all: box.out + box.err, out: box.out };
}

function expectClean(all: string): void {
  expect(all).not.toContain(SECRET);
  expect(all).not.toContain(URL_PW);
}

describe("no password in anything the CLI prints", () => {
  const leaky = `external://user:${URL_PW}@host:0/leaky_connector/?connector_name=LeakyConnector`;

  for (const format of ["text", "json", "junit"]) {
    it(`check --format ${format}: a failing case whose error, output and logs hold a password`, { timeout: 30_000 }, async () => {
      const r = await cli(["check", leaky, "--cases", "roundtrip.4kib", "--format", format]);
      expect(r.code, r.all).toBe(1);
      expect(r.all).toContain("user:***@host:0");
      expect(r.all).toContain("admin:***@db.internal:6379");
      expectClean(r.all);
    });
  }

  it("check: a URL no adapter takes, and a module that does not import (exit 2)", { timeout: 30_000 }, async () => {
    const noAdapter = await cli(["check", `nope://u:${URL_PW}@x:1`]);
    expect(noAdapter.code, noAdapter.all).toBe(2);
    expect(noAdapter.all).toContain("No adapter found for URL: nope://u:***@x:1");
    expectClean(noAdapter.all);
    const noModule = await cli(["check", `external://u:${URL_PW}@h:0/no_such_module/?connector_name=X`, "--format", "json"]);
    expect(noModule.code, noModule.all).toBe(2);
    expect(noModule.all).toContain("Could not import module 'no_such_module'");
    expectClean(noModule.all);
  });

  for (const format of ["text", "json"]) {
    it(`run and bench --format ${format}`, { timeout: 30_000 }, async () => {
      const run = await cli(["run", `memory://u:${URL_PW}@h:0`, "--requests", "3", "--format", format]);
      expect(run.code, run.all).toBe(0);
      expect(run.all).toContain("u:***@h:0");
      expectClean(run.all);
      const bench = await cli(["bench", `memory://u:${URL_PW}@h:0`, "--rounds", "1", "--warmup", "0", "--keys", "2", "--payload-bytes", "4096", "--format", format]);
      expect(bench.code, bench.all).toBe(0);
      expect(bench.all).toContain("u:***@h:0");
      expectClean(bench.all);
    });
  }
});
