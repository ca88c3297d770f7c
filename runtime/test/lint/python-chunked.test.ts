/**
 * The incremental Python parse equals the whole-text parse: random documents built from
 * top-level snippets (classes with methods, imports, strings and brackets spanning column-0
 * lines, blocks, and a few broken ones), edited snippet by snippet through one ChunkedScanner (so
 * chunks are reused across edits), always parse to exactly what parsePythonModule gives for the
 * whole text — classes, members, positions, bindings and the syntax error.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lintDocument } from "../../src/lint";
import { ChunkedScanner } from "../../src/lint/scan/chunks";
import { pythonChunkRules } from "../../src/lint/scan/python-strings";
import { parsePythonChunks } from "../../src/lint/scan/python-chunked";
import { parsePythonModule } from "../../src/lint/scan/python-syntax";

/** Snippets that are valid on their own (top-level statements with their bodies)… */
const VALID = [
  ["from lmcache.v1.storage_backend.connector.base_connector import RemoteConnector"],
  ["import a.b as z", "from .base import (Base,", "    Mixin)"],
  ["class C(RemoteConnector):", "    def __init__(self, loop, local_cpu_backend, config):", "        pass", "    async def exists(self, key):", "        return False"],
  ["class D(z.Base, Mixin):", "    @abc.abstractmethod", "    def exists_sync(self, key): return False", "    x = y = 1"],
  ["class C:", "    '''doc", "", "class NotOne:", "    '''", "    def get(self): pass"],
  ["def top():", "    return 1", "", "# comment"],
  ["u = 'external://h:0/a.b/?connector_name=C'"],
  ['doc = """', "class Inside:", '"""'],
  ["names = ['a',", "x = 1,", "    'b']"],
  ["if x:", "    import q", "else:", "    pass"],
  ["class E(C):", "    pass", "", "", "class F(E, C): pass"],
  ["from z import C"],
];
/** …and a few that are not (each makes the whole module a syntax error). */
const BROKEN = [
  ["oops = (1,"],
  ["class G(RemoteConnector):", "    def broken(self)", "        pass"],
  ["  bad_indent = 1"],
  ["x = 'unterminated"],
  ["def no_body():"],
  [")"],
];
const SNIPPETS = [...VALID, ...VALID, ...VALID, ...BROKEN];

function parses(lines: string[]) {
  const text = lines.join("\n") + "\n";
  return { text, whole: parsePythonModule(text) };
}

describe("chunked Python parse = whole-text parse", () => {
  it("after every random edit", () => {
    let clean = 0;
    let multiChunk = 0;
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: SNIPPETS.length - 1 }), { minLength: 10, maxLength: 60 }),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: SNIPPETS.length - 1 }), fc.boolean()), { minLength: 1, maxLength: 10 }),
        (start, edits) => {
          const scanner = new ChunkedScanner(pythonChunkRules, 2);
          let blocks = start.map((i) => SNIPPETS[i]);
          for (const [at, pick, insert] of [[0, 0, false] as [number, number, boolean], ...edits]) {
            const k = at % (blocks.length + 1);
            if (insert) blocks = [...blocks.slice(0, k), SNIPPETS[pick], ...blocks.slice(k)];
            else if (k < blocks.length) blocks = blocks.map((b, i) => (i === k ? SNIPPETS[pick] : b));
            const { text, whole } = parses(blocks.flat());
            const chunks = scanner.chunks(text);
            if (!whole.syntaxError) clean++;
            if (!whole.syntaxError && chunks.length > 1) multiChunk++;
            expect(parsePythonChunks(chunks, text)).toEqual(whole);
          }
        },
      ),
      { numRuns: 120, seed: 20261201 },
    );
    // not vacuous: many texts parse cleanly through several chunks (the joined path, not the fallback)
    expect(clean).toBeGreaterThan(50);
    expect(multiChunk).toBeGreaterThan(50);
  });

  it("documents without errors really are split into several chunks", () => {
    const lines: string[] = [];
    for (let i = 0; i < 300; i++) lines.push(`class K${i}(RemoteConnector):`, `    async def exists(self, key): return ${i}`);
    const { text, whole } = parses(lines);
    const chunks = new ChunkedScanner(pythonChunkRules).chunks(text);
    expect(chunks.length).toBeGreaterThan(5);
    expect(whole.syntaxError).toBeNull();
    const joined = parsePythonChunks(chunks, text);
    expect(joined).toEqual(whole);
    expect(joined.classes.get("K299")!.line).toBe(599);
  });
});

/** Snippets whose in-source verdicts depend on other chunks (bases, rebinding, MRO). */
const CONNECTORS = [
  ["from lmcache.v1.storage_backend.connector.base_connector import RemoteConnector"],
  ["class Base(RemoteConnector):", "    async def exists(self, key): return False", "    def close(self): pass"],
  ["class Base:", "    pass"],
  ["class Sub(Base):", "    def exists(self, key): return False", "    async def exists_sync(self, key): return False"],
  ["class Both(Base, RemoteConnector):", "    def get(self, key): return None"],
  ["class Bad(RemoteConnector, Base):", "    pass"],
  ["Base = object"],
  ["from elsewhere import Base"],
  ["def helper():", "    return 1", "", "", "# filler"],
  ["x = (1,", "2)"],
  ["oops = (1,"],
];

describe("in-source checks, incrementally = from scratch", () => {
  it("after every random edit, per-chunk cached verdicts equal a fresh lint", () => {
    let findings = 0;
    let multiChunk = 0;
    const scanChunks = (text: string) => new ChunkedScanner(pythonChunkRules).chunks(text).length;
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: CONNECTORS.length - 1 }), { minLength: 60, maxLength: 160 }),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: CONNECTORS.length - 1 }), fc.boolean()), { minLength: 1, maxLength: 10 }),
        (start, edits) => {
          const doc = `/tmp/inc-${Math.random()}.py`;
          let blocks = start.map((i) => CONNECTORS[i]);
          for (const [at, pick, insert] of [[0, 0, false] as [number, number, boolean], ...edits]) {
            const k = at % (blocks.length + 1);
            if (insert) blocks = [...blocks.slice(0, k), CONNECTORS[pick], ...blocks.slice(k)];
            else if (k < blocks.length) blocks = blocks.map((b, i) => (i === k ? CONNECTORS[pick] : b));
            const text = blocks.flat().join("\n") + "\n";
            const incremental = lintDocument({ path: doc, text }, { cwd: "/tmp", env: {} });
            const fresh = lintDocument({ path: `/tmp/fresh-${Math.random()}.py`, text }, { cwd: "/tmp", env: {} });
            expect(incremental).toEqual(fresh);
            findings += fresh.length;
            if (scanChunks(text) > 3) multiChunk++;
          }
        },
      ),
      { numRuns: 60, seed: 20261202 },
    );
    expect(findings).toBeGreaterThan(200);
    expect(multiChunk).toBeGreaterThan(100);
  });

  it("a class's verdict follows its base in another chunk (the namespace structure is part of the cache key)", () => {
    const filler = Array.from({ length: 400 }, (_, i) => `def f${i}():\n    return ${i}`);
    const text = (base: string) => [CONNECTORS[0][0], base, "    async def exists(self, key): return False", ...filler, "class Sub(Base):", "    def exists(self, key): return False", ""].join("\n");
    const doc = "/tmp/inc-base-follow.py";
    const codes = (t: string) => lintDocument({ path: doc, text: t }, { cwd: "/tmp", env: {} }).map((d) => d.code);
    expect(new ChunkedScanner(pythonChunkRules).chunks(text("class Base(RemoteConnector):")).length).toBeGreaterThan(5);
    expect(codes(text("class Base(RemoteConnector):"))).toEqual(["LMC022"]);
    expect(codes(text("class Base:"))).toEqual([]);
    expect(codes(text("class Base(RemoteConnector):"))).toEqual(["LMC022"]);
  });
});
