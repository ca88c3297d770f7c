import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main";
import { stopBridges } from "../../src/python/host";
import { io } from "./cli-io";
import { FIXTURES } from "./load-connector";

// `run` and `bench` on a Python connector, through the CLI (the runner child starts the bridge) (Debian's /usr/bin/python3 via --python).
const GOOD = "external://host:0/dict_connector/?connector_name=DictConnector";
afterAll(() => stopBridges());

describe("lmcache-connector run|bench on Python connectors", () => {
  it("run: the local-cache harness drives the Python connector, no leaks (exit 0)", async () => {
    const o = io();
    const code = await main(["run", GOOD, "--cwd", join(FIXTURES, "good"), "--python", "/usr/bin/python3", "--requests", "40", "--format", "json"], o);
    expect(code).toBe(0);
    const report = JSON.parse(o.out);
    expect(JSON.stringify(report)).toMatch(/DictConnector · Python/);
  }, 90_000);

  it("bench: rounds through the Python connector verify every byte (exit 0)", async () => {
    const o = io();
    const code = await main(["bench", GOOD, "--cwd", join(FIXTURES, "good"), "--python", "/usr/bin/python3", "--rounds", "2", "--keys", "8", "--format", "json"], o);
    expect(code).toBe(0);
    const report = JSON.parse(o.out);
    expect(report.verification.passed).toBe(true);
  }, 90_000);
});
