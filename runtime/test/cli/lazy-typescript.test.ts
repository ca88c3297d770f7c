// `typescript` (8.9 MB) is loaded only when a TS/JS source is linted (issue 11): a --require hook,
// passed through NODE_OPTIONS so it also reaches the runner child process the CLI starts, appends
// one line to a log file per load of the module (a file, because the parent keeps the child's
// stderr to itself). Runs the built CLI (runtime/dist, built by `npm test`'s pretest).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const BIN = join(__dirname, "..", "..", "bin", "lmcache-connector.js");
const dir = mkdtempSync(join(tmpdir(), "lazy-ts-"));
const HOOK = join(dir, "hook.cjs");
const LOG = join(dir, "typescript-loads.log");
writeFileSync(HOOK, `const M = require("module"); const fs = require("fs"); const load = M._load;
M._load = function (request, ...rest) { if (request === "typescript") fs.appendFileSync(${JSON.stringify(LOG)}, process.pid + " " + process.argv.slice(1).join(" ") + "\\n"); return load.call(this, request, ...rest); };
fs.appendFileSync(${JSON.stringify(LOG)}.replace(/\\.log$/, ".starts"), process.pid + "\\n");\n`);

function cli(args: string[]) {
  rmSync(LOG, { force: true });
  rmSync(LOG.replace(/\.log$/, ".starts"), { force: true });
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: `--require ${HOOK}`, NO_COLOR: "1" } });
  const processes = readFileSync(LOG.replace(/\.log$/, ".starts"), "utf8").trim().split("\n").length;
  return { code: r.status, out: r.stdout, err: r.stderr, loadedTs: existsSync(LOG), processes };
}

describe("typescript is loaded lazily", () => {
  it("is not loaded by --help, check memory:// or linting a YAML config", () => {
    const help = cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.loadedTs).toBe(false);
    const check = cli(["check", "memory://", "--cases", "roundtrip.*", "--seed", "1"]);
    expect(check.code, check.err).toBe(0);
    expect(check.loadedTs).toBe(false);
    expect(check.processes).toBeGreaterThanOrEqual(2); // the hook did reach the runner child
    writeFileSync(join(dir, "lmcache.yaml"), 'remote_url: "external://h/pkg.mod/?connector_name=X"\n');
    const yaml = cli(["lint", "lmcache.yaml"]);
    expect(yaml.out + yaml.err).toMatch(/lmcache\.yaml/);
    expect(yaml.loadedTs).toBe(false);
  });

  it("is loaded, and finds the URL, when a TypeScript source is linted", () => {
    writeFileSync(join(dir, "app.ts"), 'const url = "external://h/pkg.mod/?connector_name=X";\n');
    const ts = cli(["lint", "app.ts"]);
    expect(ts.loadedTs).toBe(true);
    expect(ts.out + ts.err).toMatch(/app\.ts:1/);
  });
});
