import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main";
import { stopBridges } from "../../src/python/host";
import { io } from "./cli-io";
import { FIXTURES } from "./load-connector";

// The CLI on Python connectors, as a user types it (Debian's /usr/bin/python3 via --python).
const GOOD = "external://host:0/dict_connector/?connector_name=DictConnector";
afterAll(() => stopBridges());

describe("lmcache-connector check|run|bench on Python connectors", () => {
  it("check: the dict-backed Python connector passes the full default suite (exit 0), header names Python and lmcache", async () => {
    const o = io();
    const code = await main(["check", GOOD, "--cwd", join(FIXTURES, "good"), "--python", "/usr/bin/python3", "--format", "json", "--seed", "5"], o);
    const report = JSON.parse(o.out);
    expect(report.cases.filter((c: { status: string }) => c.status === "failed")).toEqual([]);
    expect(code).toBe(0);
    expect(report.connector).toMatch(/^DictConnector · Python 3\.\d+\.\d+ \(\/usr\/bin\/python3\) · lmcache (kit|installed) \S+$/);
    expect(report.summary.passed).toBeGreaterThan(30);
  }, 60_000);

  it("check: a broken Python connector exits 1 with the failing case located in its .py file", async () => {
    const o = io();
    const url = "external://host:0/put_releases_ref/?connector_name=PutReleasesRef";
    const code = await main(["check", url, "--cwd", join(FIXTURES, "broken"), "--python", "/usr/bin/python3", "--cases", "refs.*"], o);
    expect(code).toBe(1);
    expect(o.out).toMatch(/FAIL {2}refs\.put-keeps-caller-ref/);
    expect(o.out).toMatch(/at .*put_releases_ref\.py:\d+:\d+/);
  }, 60_000);

  it("check: a class LMCache refuses exits 2 with LMCache's exception", async () => {
    const o = io();
    const url = "external://host:0/wrong_init/?connector_name=WrongInit";
    const code = await main(["check", url, "--cwd", join(FIXTURES, "broken"), "--python", "/usr/bin/python3"], o);
    expect(code).toBe(2);
    expect(o.err).toMatch(/TypeError: WrongInit\.__init__\(\) got an unexpected keyword argument 'loop'/);
  }, 60_000);

  it("check: a missing interpreter is one clear message (exit 2), no stack trace", async () => {
    const o = io();
    const code = await main(["check", GOOD, "--cwd", join(FIXTURES, "good"), "--python", "/nonexistent/python3"], o);
    expect(code).toBe(2);
    expect(o.err).toMatch(/PythonSetupError: .*apt-get install python3-torch/);
    expect(o.err).not.toMatch(/\n\s+at /);
  }, 60_000);

  it("--language and --lmcache are validated", async () => {
    const o = io();
    expect(await main(["check", GOOD, "--language", "rust"], o)).toBe(2);
    expect(o.err).toMatch(/--language must be python or ts/);
    expect(await main(["check", GOOD, "--lmcache", "nope"], o)).toBe(2);
    expect(o.err).toMatch(/--lmcache must be installed, kit or auto/);
  });
});
