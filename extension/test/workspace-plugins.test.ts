/**
 * Source files' plugin:// URLs are checked against the plugin names the workspace's configs
 * declare (LMC015), as `lmcache-connector lint <workspace>` checks them, and re-checked when a
 * config's declarations change on disk.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as vscode from "vscode";
import { main } from "../../runtime/src/cli/main";
import type { LintJsonRecord } from "../../runtime/src/cli/commands/lint";
import { CONFIG_FILE_GLOB } from "../src/workspace-plugins";
import { fake, type FakeTextDocument } from "./fake-vscode";
import { activateExtension, deactivateExtension, TempWorkspace } from "./workspace";

let ws: TempWorkspace;
let context: ReturnType<typeof activateExtension>["context"] | undefined;

beforeEach(() => {
  fake.reset();
  ws = new TempWorkspace();
});
afterEach(() => {
  if (context) deactivateExtension(context);
  context = undefined;
  ws.dispose();
});

const collection = () => fake.host.collections[0];
const configWatcher = () => fake.host.watchers.find((w) => w.glob === CONFIG_FILE_GLOB)!;
/** The text each LMC015 finding of `doc` underlines. */
const unknownPlugins = (doc: FakeTextDocument) =>
  (collection().get(doc.uri) ?? []).filter((d) => (d.code as { value: string }).value === "LMC015").map((d) => doc.getText(d.range));

/** A config declaring `names` with their adapter keys (pointing at the workspace's pkg/conn.ts). */
function config(names: string[]): string {
  return [
    `remote_storage_plugins: [${names.map((n) => JSON.stringify(n)).join(", ")}]`,
    `extra_config:`,
    ...names.flatMap((n) => [`  remote_storage_plugin.${n}.module_path: pkg.conn`, `  remote_storage_plugin.${n}.class_name: MyConn`]),
    ``,
  ].join("\n");
}

const SOURCE = 'export const a = "plugin://alpha";\nexport const b = "plugin://beta";\n';

/** What the CLI says about `rel` when it lints the whole workspace folder. */
async function cliUnknownPlugins(rel: string): Promise<string[]> {
  let out = "";
  const io = { stdout: (t: string) => void (out += t), stderr: () => {}, isTTY: false, cwd: ws.root, env: {} };
  await main(["lint", ws.root, "--format", "json"], io);
  const lines = fs.readFileSync(ws.file(rel), "utf8").split("\n");
  return (JSON.parse(out) as LintJsonRecord[])
    .filter((r) => r.file === rel && r.code === "LMC015")
    .map((r) => lines[r.line - 1].slice(r.column - 1, r.endColumn - 1));
}

describe("workspace plugin names for source files", () => {
  it("checks a source's plugin:// URLs against every config in the workspace, like the CLI", async () => {
    ws.write("conf/a.yaml", config(["alpha"]));
    ws.write(".env", "LMCACHE_REMOTE_STORAGE_PLUGINS=gamma\n");
    // Not in the CLI's file set: skipped folders and non-config files declare nothing.
    ws.write("node_modules/dep/lmcache.yaml", config(["beta"]));
    ws.write("dist/lmcache.yaml", config(["beta"]));
    ({ context } = activateExtension());
    const doc = fake.open(ws.write("src/use.ts", SOURCE), SOURCE, "typescript");
    await vi.waitFor(() => expect(unknownPlugins(doc)).toEqual(["beta"]), { timeout: 10_000, interval: 10 });
    expect(await cliUnknownPlugins("src/use.ts")).toEqual(["beta"]);
    const message = collection().get(doc.uri)!.find((d) => doc.getText(d.range) === "beta")!.message;
    expect(message).toContain("declared: 'alpha', 'gamma')");
  });

  it("re-lints open sources when a config's declarations change, and only those that use plugin://", async () => {
    ws.write("conf/a.yaml", config(["alpha"]));
    ({ context } = activateExtension());
    const doc = fake.open(ws.write("src/use.ts", SOURCE), SOURCE, "typescript");
    const plain = fake.open(ws.write("src/plain.ts", "export const x = 1;\n"), "export const x = 1;\n", "typescript");
    await vi.waitFor(() => expect(unknownPlugins(doc)).toEqual(["beta"]), { timeout: 10_000, interval: 10 });
    await vi.waitFor(() => expect(collection().get(plain.uri)).toBeDefined(), { timeout: 10_000, interval: 10 });
    const plainSets = () => collection().setCalls;

    // Declared in a new config file.
    const b = ws.write("conf/b.json", JSON.stringify({ remote_storage_plugins: ["beta"] }));
    let before = plainSets();
    configWatcher().create.fire(vscode.Uri.file(b));
    await vi.waitFor(() => expect(unknownPlugins(doc)).toEqual([]), { timeout: 10_000, interval: 10 });
    expect(plainSets()).toBe(before + 1); // the plain source was not re-linted
    expect(await cliUnknownPlugins("src/use.ts")).toEqual([]);

    // Removed from an existing one.
    ws.write("conf/a.yaml", config(["other"]));
    configWatcher().change.fire(vscode.Uri.file(ws.file("conf/a.yaml")));
    await vi.waitFor(() => expect(unknownPlugins(doc)).toEqual(["alpha"]), { timeout: 10_000, interval: 10 });
    expect(await cliUnknownPlugins("src/use.ts")).toEqual(["alpha"]);

    // A config file deleted.
    fs.rmSync(b);
    configWatcher().remove.fire(vscode.Uri.file(b));
    await vi.waitFor(() => expect(unknownPlugins(doc)).toEqual(["alpha", "beta"]), { timeout: 10_000, interval: 10 });
    expect(await cliUnknownPlugins("src/use.ts")).toEqual(["alpha", "beta"]);

    // A change in a skipped folder declares nothing.
    const skipped = ws.write("node_modules/dep/lmcache.yaml", config(["alpha", "beta"]));
    before = collection().setCalls;
    configWatcher().create.fire(vscode.Uri.file(skipped));
    await new Promise((r) => setTimeout(r, 400));
    expect(collection().setCalls).toBe(before);
    expect(unknownPlugins(doc)).toEqual(["alpha", "beta"]);
  });

  it("checks a config's plugin:// URL against its own declarations only", async () => {
    ws.write("conf/a.yaml", config(["alpha"]));
    ({ context } = activateExtension());
    const text = 'remote_url: "plugin://alpha"\nremote_storage_plugins: ["beta"]\n';
    const doc = fake.open(ws.write("conf/b.yaml", text), text, "yaml");
    await vi.waitFor(() => expect(unknownPlugins(doc)).toEqual(["alpha"]), { timeout: 10_000, interval: 10 });
  });
  it("a FIFO or a symlink to /dev/zero among the configs declares nothing and never stalls the index", async () => {
    ws.write("conf/a.yaml", config(["alpha"]));
    ({ context } = activateExtension());
    const doc = fake.open(ws.write("src/use.ts", SOURCE), SOURCE, "typescript");
    await vi.waitFor(() => expect(unknownPlugins(doc)).toEqual(["beta"]), { timeout: 10_000, interval: 10 });
    // More FIFOs than libuv has pool threads: a blocking open() of each would starve every later
    // fs call of the extension host (the config change below included).
    const pool = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
    const fifos = Array.from({ length: pool + 1 }, (_, i) => ws.file(`conf/pipe${i}.yaml`));
    execFileSync("mkfifo", fifos);
    const zero = ws.file("conf/zero.yaml");
    fs.symlinkSync("/dev/zero", zero);
    try {
      for (const f of [...fifos, zero]) configWatcher().create.fire(vscode.Uri.file(f));
      const log = () => fake.host.channels.flatMap((c) => c.lines).filter((l) => l.startsWith("warn "));
      await vi.waitFor(() => expect(log().filter((l) => l.includes("a FIFO (named pipe), not a regular file")).length).toBe(fifos.length), { timeout: 10_000, interval: 10 });
      await vi.waitFor(() => expect(log().some((l) => l.includes(zero) && l.includes("a character device, not a regular file"))).toBe(true), { timeout: 10_000, interval: 10 });
      // The index still follows real configs.
      ws.write("conf/a.yaml", config(["alpha", "beta"]));
      configWatcher().change.fire(vscode.Uri.file(ws.file("conf/a.yaml")));
      await vi.waitFor(() => expect(unknownPlugins(doc)).toEqual([]), { timeout: 10_000, interval: 10 });
    } finally {
      // A reader blocked in open() of a FIFO is released by a writer opening it (none with the fix).
      for (const f of fifos) {
        try {
          fs.closeSync(fs.openSync(f, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
        } catch {
          // ENXIO: nobody is reading it
        }
      }
    }
  });
});
