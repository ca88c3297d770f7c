/**
 * The Python parse of a document, incremental by chunk (ours): the document's chunks (cut at
 * column-0 statement lines, merged across strings, see chunks.ts) are parsed one by one, each
 * parse cached with its chunk, and joined with positions moved to the chunk's place. A one-line
 * edit so re-parses one chunk. When any chunk reports a syntax error, the whole text is parsed
 * instead (an error's line and text can depend on what precedes the chunk: an open bracket or
 * block), so the result always equals {@link parsePythonModule} of the whole text.
 */
import type { CachedChunk, PlacedChunk } from "./chunks";
import { parsePythonModule, type PyClass, type PyMember, type PyModuleSyntax } from "./python-syntax";

const parsed = new WeakMap<CachedChunk, PyModuleSyntax>();
const headers = new WeakMap<CachedChunk, string>();

/**
 * What a chunk contributes to the module's namespace structure: its import bindings and its
 * classes' names and bases, in order (cached with the chunk). Other chunks' in-source verdicts
 * depend on this, not on method bodies.
 */
export function chunkHeaderSignature(chunk: CachedChunk): string {
  let h = headers.get(chunk);
  if (h === undefined) {
    const p = parseChunk(chunk);
    h = JSON.stringify([[...p.bindings], [...p.classes.values()].map((c) => [c.name, c.bases, [...c.keywords]])]);
    headers.set(chunk, h);
  }
  return h;
}

/** A chunk's own parse (chunk-relative positions), cached with the chunk. */
export function parseChunk(chunk: CachedChunk): PyModuleSyntax {
  let p = parsed.get(chunk);
  if (!p) parsed.set(chunk, (p = parsePythonModule(chunk.text)));
  return p;
}

function shiftMember(m: PyMember, offset: number, lines: number): PyMember {
  if (m.kind === "value") return { kind: "value", line: m.line + lines };
  const fn = m.fn;
  return {
    kind: "function",
    fn: {
      ...fn, line: fn.line + lines, nameStart: fn.nameStart + offset, nameEnd: fn.nameEnd + offset,
      asyncStart: fn.asyncStart === null ? null : fn.asyncStart + offset, defStart: fn.defStart + offset,
    },
  };
}

function shiftClass(c: PyClass, offset: number, lines: number): PyClass {
  if (offset === 0 && lines === 0) return c;
  const members = new Map<string, PyMember>();
  for (const [name, m] of c.members) members.set(name, shiftMember(m, offset, lines));
  return { ...c, line: c.line + lines, nameStart: c.nameStart + offset, nameEnd: c.nameEnd + offset, members };
}

/**
 * The parse of the whole text the chunks make up. With `shift` false, classes keep their
 * chunk-relative positions (a namespace view for name lookups, which need no positions).
 */
export function parsePythonChunks(chunks: readonly PlacedChunk[], text: string, shift = true): PyModuleSyntax {
  const parts = chunks.map((c) => parseChunk(c.chunk));
  if (parts.some((p) => p.syntaxError)) return parsePythonModule(text);
  const classes = new Map<string, PyClass>();
  const bindings: PyModuleSyntax["bindings"] = new Map();
  for (const [i, p] of parts.entries()) {
    const { start, startLine } = chunks[i];
    // a later top-level binding replaces an earlier one, as in the module namespace
    // (within a chunk a name is in one map only: the parse already applied the chunk's own order)
    for (const [name, c] of p.classes) {
      bindings.delete(name);
      classes.set(name, shift ? shiftClass(c, start, startLine) : c);
    }
    for (const [name, b] of p.bindings) {
      classes.delete(name);
      bindings.set(name, b);
    }
  }
  return { classes, bindings, syntaxError: null };
}
