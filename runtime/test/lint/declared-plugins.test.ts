import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { declaredPluginNames, isConfigFile, isWalkedPath, pluginNamesForSources, walkLintableFiles } from "../../src/lint";

let root: string;
beforeEach(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), "lmcache-declared-")); });
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function write(rel: string, text = ""): string {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

describe("the lint file set", () => {
  it("walks what isWalkedPath accepts, and nothing under skipped folders", () => {
    const rels = ["a.yaml", "b/c.yml", "b/d.json", ".env", ".env.local", "s.sh", "x.ts", "x.d.ts", "y.py", "z.md",
      "node_modules/m/a.yaml", ".git/a.json", "dist/a.ts", "deep/dist/b.yaml", "deep/ok.mjs"];
    for (const r of rels) write(r);
    const walked = walkLintableFiles(root).map((f) => path.relative(root, f)).sort();
    expect(walked).toEqual(rels.filter(isWalkedPath).sort());
    expect(walked).toEqual(["a.yaml", "b/c.yml", "b/d.json", ".env", ".env.local", "s.sh", "x.ts", "y.py", "deep/ok.mjs"].sort());
  });

  it("tells configs from sources", () => {
    expect(["a.yaml", "b.json", ".env", "run.sh", "x.env"].map((f) => isConfigFile(f))).toEqual([true, true, true, true, true]);
    expect(["a.ts", "b.js", "c.py", "d.md"].map((f) => isConfigFile(f))).toEqual([false, false, false, false]);
    expect(isConfigFile("untitled:1", "yaml")).toBe(true);
  });
});

describe("declared plugin names", () => {
  it("reads remote_storage_plugins from YAML, JSON, .env and shell configs; none from sources", () => {
    expect(declaredPluginNames({ path: "/w/a.yaml", text: 'remote_storage_plugins: ["x", "y.z"]\n' })).toEqual(["x", "y.z"]);
    expect(declaredPluginNames({ path: "/w/a.json", text: '{"remote_storage_plugins": ["j"]}' })).toEqual(["j"]);
    expect(declaredPluginNames({ path: "/w/.env", text: "LMCACHE_REMOTE_STORAGE_PLUGINS=e1,e2\n" })).toEqual(["e1", "e2"]);
    expect(declaredPluginNames({ path: "/w/run.sh", text: 'export LMCACHE_REMOTE_STORAGE_PLUGINS="s"\n' })).toEqual(["s"]);
    expect(declaredPluginNames({ path: "/w/a.ts", text: 'const remote_storage_plugins = ["t"];\n' })).toEqual([]);
  });

  it("merges them for sources: each name once, independent of order; undefined when none", () => {
    expect(pluginNamesForSources([["b", "a"], [], ["a", "c"]])).toEqual(["a", "b", "c"]);
    expect(pluginNamesForSources([["a", "c"], ["b", "a"]])).toEqual(pluginNamesForSources([["b", "a"], ["a", "c"]]));
    expect(pluginNamesForSources([[], []])).toBeUndefined();
  });
});
