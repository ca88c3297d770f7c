/**
 * The CLI's documented exit codes, one test each (issue 10): 0 passed, 1 a case failed, 2 a
 * usage/config/load error, 3 the connector crashed or hung — and `bench` on a store write failing
 * with ENOSPC is a failure (1), not a usage error (2). `--help` documents them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBundles, probeUrl } from "../runner/bundles";
import { runCli } from "../runner/cli-probes";

let bundles: Awaited<ReturnType<typeof buildBundles>>;
beforeAll(async () => {
  bundles = await buildBundles();
}, 60_000);
afterAll(() => bundles?.dispose());

const cli = (...args: string[]) => runCli(bundles.cli, args);

describe("exit codes", () => {
  it("0: every case passed", async () => {
    const r = await cli("check", "memory://", "--cases", "roundtrip.*", "--seed", "1");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^OK: \d+ passed, 0 failed/m);
  });

  it("1: a case failed", async () => {
    const r = await cli("check", probeUrl("get_never_settles"), "--cases", "roundtrip.one-byte", "--timeout-ms", "400");
    expect(r.code).toBe(1);
  });

  it("2: usage, config and load errors", async () => {
    expect((await cli("check")).code).toBe(2);
    expect((await cli("check", "memory://", "--config", "/nonexistent/lmcache.yaml")).code).toBe(2);
    const load = await cli("check", "external://host:0/no_such_module/?connector_name=X");
    expect(load.code).toBe(2);
    expect(load.stderr).toMatch(/could not load the connector/);
  });

  it("3: the connector crashed or hung", async () => {
    const r = await cli("check", probeUrl("sigsegv"), "--cases", "roundtrip.one-byte", "--format", "json");
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).crash.reason).toBe("crashed");
  });

  it("bench: a store write failing with ENOSPC is a failed run (1), never a usage error (2)", async () => {
    const r = await cli("bench", probeUrl("enospc_store"), "--rounds", "1", "--warmup", "0", "--keys", "4", "--payload-bytes", "4096");
    expect(r.code, r.stderr.slice(-500)).toBe(1);
  });

  it("--help of check, run and bench documents every code", async () => {
    for (const command of ["check", "run", "bench"]) {
      const r = await cli(command, "--help");
      expect(r.code).toBe(0);
      for (const code of ["0", "1", "2", "3"]) expect(r.stdout).toMatch(new RegExp(`^  ${code}  `, "m"));
    }
  });
});
