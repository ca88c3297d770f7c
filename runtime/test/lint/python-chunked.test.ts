/**
 * The incremental Python parse equals the whole-text parse: random documents built from
 * top-level snippets (classes with methods, imports, strings and brackets spanning column-0
 * lines, blocks, and a few broken ones), edited snippet by snippet through one ChunkedScanner (so
 * chunks are reused across edits), always parse to exactly what parsePythonModule gives for the
 * whole text — classes, members, positions, bindings and the syntax error.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
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
