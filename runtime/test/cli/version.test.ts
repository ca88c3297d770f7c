import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main";
import type { CliIO } from "../../src/cli/command";
import { runtimeVersion, versionText, type VersionSource } from "../../src/cli/version";

const pkg = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as { version: string };

async function cli(args: string[]) {
  let out = "";
  let err = "";
  const io: CliIO = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), isTTY: false, cwd: process.cwd(), env: process.env };
  return { code: await main(args, io), out, err };
}

describe("lmcache-connector --version", () => {
  it("prints the runtime version from package.json and exits 0", async () => {
    expect(runtimeVersion()).toBe(pkg.version);
    for (const flag of ["--version", "-V"]) {
      const r = await cli([flag]);
      expect(r.code).toBe(0);
      expect(r.out).toBe(`lmcache-connector-runtime ${pkg.version}\n`);
    }
  });

  it("the built CLI has the version inlined (it runs without reading package.json)", () => {
    const bin = join(__dirname, "..", "..", "bin", "lmcache-connector.js");
    const r = spawnSync(process.execPath, [bin, "--version"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`lmcache-connector-runtime ${pkg.version}\n`);
    const bundle = readFileSync(join(__dirname, "..", "..", "dist", "cli.js"), "utf8");
    expect(bundle).not.toMatch(/"description":\s*"A faithful/); // only `version` is inlined
  });

  it("reports every extra source in order, and a failing one as unavailable", async () => {
    const sources: VersionSource[] = [
      { name: "a", read: async () => "1.2.3" },
      { name: "python", read: async () => { throw new Error("no interpreter found"); } },
    ];
    expect(await versionText(sources)).toBe("a 1.2.3\npython unavailable (no interpreter found)\n");
  });
});
