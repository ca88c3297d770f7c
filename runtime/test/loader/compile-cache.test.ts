import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileModule, defaultCompileCacheDir, ensurePrivateDir, userCacheRoot } from "../../src/loader";
import { ensureDefaultCompileCacheDir, fallbackCompileCacheDir } from "../../src/loader/cache-dir";

let tmp: string;
let src: string;
let marker: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "lmc-cache-"));
  src = join(tmp, "conn.ts");
  marker = join(tmp, "planted-ran");
  writeFileSync(join(tmp, "helper.ts"), "export const answer: number = 42;\n");
  writeFileSync(src, 'import { answer } from "./helper";\nexport const who = "user-code";\nexport const n = answer;\n');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const planted = () => `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "ran"); exports.who = "planted";`;

function manifestOf(cacheDir: string): { name: string; body: Record<string, unknown> } {
  const name = readdirSync(cacheDir).find((f) => f.endsWith(".json"))!;
  return { name, body: JSON.parse(readFileSync(join(cacheDir, name), "utf8")) };
}

describe("compile cache location", () => {
  it("is per user: $XDG_CACHE_HOME (absolute only), else the OS cache dir", () => {
    expect(defaultCompileCacheDir({ XDG_CACHE_HOME: "/x/cache" })).toBe("/x/cache/lmcache-connector/compiled");
    expect(userCacheRoot({ XDG_CACHE_HOME: "rel/cache" }, "linux", "/home/u")).toBe("/home/u/.cache");
    expect(userCacheRoot({}, "linux", "/home/u")).toBe("/home/u/.cache");
    expect(userCacheRoot({}, "darwin", "/Users/u")).toBe("/Users/u/Library/Caches");
  });
});

describe("default compile cache", () => {
  function withXdg<T>(value: string, fn: () => T): T {
    const before = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = value;
    try {
      return fn();
    } finally {
      if (before === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = before;
    }
  }

  it("is created private under $XDG_CACHE_HOME", () => {
    const xdg = join(tmp, "xdg-default");
    expect(withXdg(xdg, ensureDefaultCompileCacheDir)).toBe(join(xdg, "lmcache-connector", "compiled"));
    expect(statSync(join(xdg, "lmcache-connector", "compiled")).mode & 0o777).toBe(0o700);
  });

  it("falls back to a private per-user folder in the temp dir when the cache dir cannot be written", () => {
    const notADir = join(tmp, "plain-file");
    writeFileSync(notADir, "");
    const dir = withXdg(join(notADir, "cache"), ensureDefaultCompileCacheDir);
    expect(dir).toBe(fallbackCompileCacheDir());
    expect(dir.startsWith(tmpdir())).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it("never falls back from a folder refused as unsafe", () => {
    const xdg = join(tmp, "xdg-unsafe");
    mkdirSync(join(xdg, "lmcache-connector"), { recursive: true });
    mkdirSync(join(tmp, "elsewhere"), { mode: 0o700 });
    symlinkSync(join(tmp, "elsewhere"), join(xdg, "lmcache-connector", "compiled"));
    expect(() => withXdg(xdg, ensureDefaultCompileCacheDir)).toThrow(/not a plain directory/);
  });
});

describe("compile cache folder is private", () => {
  it("is created with mode 0700 and used", async () => {
    const dir = join(tmp, "xdg", "lmcache-connector", "compiled");
    const out = await compileModule(src, { cacheDir: dir });
    expect(out.outputFile.startsWith(dir)).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(out.outputFile).mode & 0o077).toBe(0);
  });

  it("a folder of ours that others can write into is closed (chmod 0700) before use", async () => {
    const dir = join(tmp, "open");
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    await compileModule(src, { cacheDir: dir });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it("a folder owned by another user is refused, with a message saying why, and nothing is run from it", async () => {
    const dir = join(tmp, "theirs");
    mkdirSync(dir, { mode: 0o700 });
    const me = process.getuid!();
    // the owner check, as another uid sees this folder
    expect(() => ensurePrivateDir(dir, me + 1)).toThrow(/Refusing to use the compile cache .*belongs to another user/);
    if (me === 0) {
      // as root we can make it really someone else's, world-writable
      chownSync(dir, 65534, 65534);
      chmodSync(dir, 0o777);
      const err = await compileModule(src, { cacheDir: dir }).catch((e: Error) => e);
      expect(err).toMatchObject({ name: "ImportError" });
      expect((err as Error).message).toMatch(/belongs to another user \(owner uid 65534, mode 0777/);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a symlink in place of the folder is refused", () => {
    const real = join(tmp, "real");
    mkdirSync(real, { mode: 0o700 });
    const link = join(tmp, "link");
    symlinkSync(real, link);
    expect(() => ensurePrivateDir(link)).toThrow(/not a plain directory/);
  });
});

describe("cache entries are verified, never trusted as found", () => {
  it("reuses an entry only while every input keeps its content hash", async () => {
    const dir = join(tmp, "reuse");
    const first = await compileModule(src, { cacheDir: dir });
    expect(first.fromCache).toBe(false);
    const again = await compileModule(src, { cacheDir: dir });
    expect(again.fromCache).toBe(true);
    expect(again.code).toBe(first.code);
    const { body } = manifestOf(dir);
    // every file esbuild read is an input, the source included
    expect(Object.keys(body.inputs as object).sort()).toEqual([join(tmp, "conn.ts"), join(tmp, "helper.ts")]);
    writeFileSync(join(tmp, "helper.ts"), "export const answer: number = 43;\n");
    const edited = await compileModule(src, { cacheDir: dir });
    expect(edited.fromCache).toBe(false);
    expect(edited.code).toContain("43");
  });

  const plants: [string, (dir: string, m: { name: string; body: Record<string, unknown> }) => Record<string, unknown>][] = [
    ["a manifest with inputs: {} and a planted output", (dir) => {
      writeFileSync(join(dir, "planted.js"), planted());
      return { inputs: {}, output: "planted.js" };
    }],
    ["the real manifest with the output file replaced", (dir, m) => {
      writeFileSync(join(dir, `${m.body.inputsHash}.js`), planted());
      return m.body;
    }],
    ["a manifest whose inputs hash names a planted file", (dir, m) => {
      writeFileSync(join(dir, "f".repeat(64) + ".js"), planted());
      return { ...m.body, inputsHash: "f".repeat(64) };
    }],
    ["a manifest that lists only another file as input", (dir, m) => {
      const other = join(tmp, "helper.ts");
      const inputs = { [other]: (m.body.inputs as Record<string, string>)[other] };
      return { ...m.body, inputs };
    }],
  ];
  for (const [what, plant] of plants) {
    it(`${what} does not run planted code`, async () => {
      const dir = join(tmp, `plant-${what.length}-${Math.random().toString(36).slice(2)}`);
      await compileModule(src, { cacheDir: dir });
      const m = manifestOf(dir);
      writeFileSync(join(dir, m.name), JSON.stringify(plant(dir, m)));
      const out = await compileModule(src, { cacheDir: dir });
      expect(out.fromCache).toBe(false);
      expect(out.code).toContain("user-code");
      expect(out.code).not.toContain("planted");
      expect(existsSync(marker)).toBe(false);
    });
  }
});
