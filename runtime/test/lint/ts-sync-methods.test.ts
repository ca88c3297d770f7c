/**
 * The TS lint lane agrees with the Python one on async-ness: LMCache calls exists_sync/remove_sync
 * without awaiting, so `async existsSync()` / `async removeSync()` are LMC023 on the TS side too,
 * while awaited methods may be async or return a Promise either way (no TS rule contradicts
 * LMC021–LMC023).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lintDocument } from "../../src/lint";

const ws = fs.mkdtempSync(path.join(os.tmpdir(), "lint-sync-"));
afterAll(() => fs.rmSync(ws, { recursive: true, force: true }));
fs.writeFileSync(
  path.join(ws, "conns.ts"),
  [
    'import { RemoteConnector } from "lmcache-connector-runtime";',
    "export class Fine extends RemoteConnector {",
    "  async exists() { return false; } existsSync() { return false; } get() { return Promise.resolve(null); }",
    "  async put() {} async list() { return []; } async close() {} removeSync() { return false; }",
    "}",
    "export class AsyncExistsSync extends Fine {",
    "  async existsSync() { return false; }",
    "}",
    "export class AsyncRemove extends Fine {",
    "  removeSync = async () => false;",
    "}",
    "export class FixedAgain extends AsyncExistsSync {",
    "  existsSync() { return true; }",
    "}",
    "",
  ].join("\n"),
);

function lint(className: string) {
  const text = `remote_url: "external://h:0/conns/?connector_name=${className}"\n`;
  return lintDocument({ path: path.join(ws, `c-${className}.yaml`), text }, { cwd: ws, env: {} }).filter((d) => d.code !== "LMC018");
}

describe("TS connector methods LMCache calls without awaiting", () => {
  it("a connector with plain existsSync/removeSync and async or Promise-returning awaited methods is clean", () => {
    expect(lint("Fine")).toEqual([]);
  });

  it("async existsSync is LMC023, as `async def exists_sync` is on the Python side", () => {
    const d = lint("AsyncExistsSync");
    expect(d.map((x) => x.code)).toEqual(["LMC023"]);
    expect(d[0]!.message).toMatch(/^AsyncExistsSync\.existsSync must not be async: LMCache calls exists_sync directly .* every key would 'exist' \(conns\.ts\)$/);
  });

  it("an async arrow-function removeSync is LMC023; a subclass that overrides it with a plain method is clean", () => {
    expect(lint("AsyncRemove").map((x) => [x.code, /removeSync must not be async/.test(x.message)])).toEqual([["LMC023", true]]);
    expect(lint("FixedAgain")).toEqual([]);
  });
});
