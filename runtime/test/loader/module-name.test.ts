import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyModuleName, loadModule, moduleNotFound, resolveModuleFile } from "../../src/loader";
import { createConnector } from "../../src/connector/create-connector";
import { completeModulePaths, lintDocument } from "../../src/lint";
import { makeBackend } from "../connector/helpers";

// Layout: <tmp>/outside/evil.ts (writes a marker when evaluated) and <tmp>/outside/evil.py;
// <tmp>/proj is the cwd, with a node_modules folder (what made `@x/y/../..` climb out).
let tmp: string;
let proj: string;
let marker: string;
const ESCAPES = [
  "@x/y/../../../outside/evil",
  "@x/y/../../../../outside/evil",
  "x/../../outside/evil",
  "../outside/evil",
  "outside/evil",
  "a/../../outside/evil",
  "..outside.evil",
  "proj..outside.evil",
];

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "lmc-modname-"));
  proj = join(tmp, "proj");
  marker = join(tmp, "evaluated");
  mkdirSync(join(tmp, "outside"), { recursive: true });
  mkdirSync(join(proj, "node_modules", "@x", "y"), { recursive: true });
  mkdirSync(join(proj, "node_modules", "@acme", "conn"), { recursive: true });
  writeFileSync(join(proj, "node_modules", "@acme", "conn", "package.json"), JSON.stringify({ name: "@acme/conn", main: "index.js" }));
  writeFileSync(join(proj, "node_modules", "@acme", "conn", "index.js"), "exports.who = 'acme';");
  writeFileSync(join(proj, "node_modules", "@acme", "conn", "lib.js"), "exports.who = 'acme-lib';");
  const evil = `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "ran");\nexport class Evil {}\n`;
  writeFileSync(join(tmp, "outside", "evil.ts"), evil);
  writeFileSync(join(tmp, "outside", "evil.py"), "class Evil: pass\n");
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("classifyModuleName (one validation for every resolver)", () => {
  it("accepts identifier paths and npm package names, nothing that could name another folder", () => {
    expect(classifyModuleName("pkg.sub.mod")).toEqual({ kind: "dotted", segments: ["pkg", "sub", "mod"] });
    expect(classifyModuleName("my_conn").kind).toBe("dotted");
    expect(classifyModuleName("@acme/conn").kind).toBe("package");
    expect(classifyModuleName("@acme/conn/lib").kind).toBe("package");
    expect(classifyModuleName("my-connector").kind).toBe("package");
    // "outside/evil" reads as package "outside", file "evil": it can only be found inside node_modules/outside
    for (const name of [...ESCAPES.filter((n) => n !== "outside/evil"), "a..b", "a.", "a/b\\c", "a\\..\\b", "/etc/passwd", "@acme/conn/../x", "@acme/conn/./x", "@acme//conn", "a\0b"]) {
      expect(classifyModuleName(name).kind, name).toBe("invalid");
    }
  });

  it("gives Python's errors for an empty name and a relative one", () => {
    const empty = classifyModuleName("");
    expect(empty.kind === "invalid" && empty.error?.name).toBe("ValueError");
    expect(empty.kind === "invalid" && empty.error?.message).toBe("Empty module name");
    const rel = classifyModuleName(".a");
    expect(rel.kind === "invalid" && rel.error?.message).toBe("the 'package' argument is required to perform a relative import for '.a'");
  });

  it("reports an invalid name with Python's 'No module named' text for the first bad prefix", () => {
    // CPython 3.11: importlib.import_module("@x/y/../../evil") → No module named '@x/y/'
    expect(moduleNotFound("@x/y/../../evil", { cwd: proj }).message).toBe("No module named '@x/y/'");
    expect(moduleNotFound("a/b", { cwd: proj }).message).toBe("No module named 'a/b'");
    expect(moduleNotFound("a..b", { cwd: proj }).message).toBe("No module named 'a'");
    mkdirSync(join(proj, "pkgdir"), { recursive: true });
    expect(moduleNotFound("pkgdir..b", { cwd: proj }).message).toBe("No module named 'pkgdir.'");
  });
});

describe("module paths never leave their roots", () => {
  it("resolveModuleFile resolves none of the escapes, but still resolves real packages", () => {
    for (const name of ESCAPES) expect(resolveModuleFile(name, { cwd: proj, searchPaths: [join(proj, "sp")] }), name).toBeNull();
    expect(resolveModuleFile("@acme/conn", { cwd: proj })).toBe(join(proj, "node_modules/@acme/conn/index.js"));
    expect(resolveModuleFile("@acme/conn/lib", { cwd: proj })).toBe(join(proj, "node_modules/@acme/conn/lib.js"));
    // a Node built-in is no connector file
    expect(resolveModuleFile("fs", { cwd: proj })).toBeNull();
  });

  it("loadModule and the external:// adapter refuse them with LMCache's ImportError, and never run the file", async () => {
    for (const name of ESCAPES) {
      // a leading "." is a relative import for Python: TypeError, not an ImportError
      const expected = name.startsWith(".") ? "TypeError" : "ModuleNotFoundError";
      await expect(loadModule(name, { cwd: proj, cacheDir: join(tmp, "cache") })).rejects.toMatchObject({ name: expected });
    }
    const b = makeBackend();
    const name = "@x/y/../../../outside/evil";
    const err = await createConnector(`external://h:0/${name}/?connector_name=Evil`, { localCpuBackend: b.backend, config: b.config, cwd: proj }).catch((e: Error) => e);
    expect(err).toMatchObject({ name: "ImportError", message: `Could not import module '${name}', error: No module named '@x/y/'` });
    expect(existsSync(marker)).toBe(false);
  });

  // lint is static (the extension's Restricted Mode runs only this): it must not even read the file
  it("lint neither resolves nor lists a folder outside the roots", () => {
    for (const name of ESCAPES) {
      const text = `remote_url: "external://h:0/${name}/?connector_name=Evil"\n`;
      const diags = lintDocument({ path: join(proj, "c.yaml"), text }, { cwd: proj, env: {} });
      const messages = diags.map((d) => d.message).join("\n");
      // resolving would have produced class checks on Evil (not a RemoteConnector); refusing gives an import error
      expect(messages, name).toMatch(name.startsWith(".") ? /relative import/ : /Could not import module/);
      expect(messages, name).not.toMatch(/RemoteConnector/);
    }
    expect(completeModulePaths("a/../../outside.", { cwd: proj, env: {} })).toEqual([]);
    expect(completeModulePaths("x/../../.", { cwd: proj, env: {} })).toEqual([]);
  });
});
