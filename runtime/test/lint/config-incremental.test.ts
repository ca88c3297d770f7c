/**
 * The config-value checks (LMC025/LMC026) are incremental — each scanner chunk's pieces parsed once
 * and joined per document — and must equal reading every document whole (`checkConfigValues`, the
 * from-scratch reference) after any edit, including the YAML forms where joining pieces would be
 * wrong (an alias to an earlier anchor, `...`, directives, an indented or flow first mapping, `~`).
 */
import * as path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { forgetDocument, LINT_CODES, lintDocument, type LintContext, type LintDiagnostic } from "../../src/lint";
import { checkConfigValues } from "../../src/lint/checks/config-checks";
import { LineIndex } from "../../src/lint/positions";
import { ChunkedScanner } from "../../src/lint/scan/chunks";
import { yamlChunkRules } from "../../src/lint/scan/yaml-config";
import { makeWorkspace, removeWorkspace } from "./helpers";
import { applyEdit, randomEdits } from "./random-edits";

const ws = makeWorkspace();
afterAll(() => removeWorkspace(ws));
const ctx: LintContext = { cwd: ws, env: {} };
const CONFIG_CODES = new Set<string>([LINT_CODES.configValue.code, LINT_CODES.unknownConfigKey.code]);

const byPosition = (a: LintDiagnostic, b: LintDiagnostic) =>
  a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code);

/** The reference: every document of `text` read whole, sorted as the linter sorts. */
function reference(text: string): LintDiagnostic[] {
  const env = { ctx, lines: new LineIndex(text), declaredPlugins: null, resolved: new Map(), modules: new Map() };
  return checkConfigValues(env, text).sort(byPosition);
}

const configOnly = (ds: LintDiagnostic[]) => ds.filter((d) => CONFIG_CODES.has(d.code));

let fresh = 0;
function lintFromScratch(text: string): LintDiagnostic[] {
  const p = path.join(ws, `cfg-fresh-${fresh++}.yaml`);
  try {
    return lintDocument({ path: p, text }, ctx);
  } finally {
    forgetDocument(p);
  }
}

/** Lines of LMCache configs: good and bad values, unknown keys, and keys written in odd ways. */
const SAFE = [
  "chunk_size: 256", "chunk_size: abc", "chunk_size:", 'max_local_cpu_size: "5GB"', "max_local_cpu_size: 2.5",
  "remote_serde: safetensor", "remote_serde: naive", 'extra_config: "[1,2]"', "remote_storage_plugins: 5",
  'remote_url: "redis://h:1"', 'remote_url: "resp://h:1"', "save_unfull_chunk: true", "save_chunk_meta: false",
  "local_cpu: maybe", "plugin_locations: [a]", "enable_xpyd: true", "unknown_key: 1", '"quoted_key": 2', "'single': 3",
  "a:b: 1", "a: 2", "1: one", "10: ten", "key_5: again", "anchor: &x abc", "chunk_size: *x", "other: *x", "merge: {<<: *x}",
  "# comment: with colon", "", "key with space : 1", "list:", "block: |",
];
/** YAML that joins badly or keeps a chunk open (rarer: each one merges chunks). */
const RISKY = ["flow: {a: 1,", "  b: 2}", "---", "--- # doc", "...", "%YAML 1.1", "~", "{inline: 1}", "  indented: 1", "\uFEFFbom: 1", '  nested: "open', "  - item", "  text line"];
const POOL = [...SAFE, ...RISKY];

const editArb = randomEdits([":", " ", "\n", "#", "*", "&", "-", '"', "x"]);

/**
 * Filler entries: chunk boundaries, so documents span many chunks (some keys repeat). A key with a
 * nested value, since one-line `key_N: N` entries seldom hash to a chunk boundary.
 */
const filler = (i: number) => `key_${i % 7 === 0 ? i % 50 : i}:\n  v: ${i}`;

describe("incremental config-value checks equal reading each document whole", () => {
  const chunkCounts: number[] = [];
  it("after random edits to a config, every re-lint equals a from-scratch lint and the whole-document reading", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(
            { arbitrary: fc.constantFrom(...SAFE), weight: 20 },
            { arbitrary: fc.constantFrom(...RISKY), weight: 1 },
            { arbitrary: fc.nat({ max: 10_000 }).map(filler), weight: 60 },
          ), { minLength: 200, maxLength: 300 }),
        fc.array(editArb, { minLength: 1, maxLength: 8 }),
        (start, edits) => {
          const p = path.join(ws, `cfg-inc-${fresh++}.yaml`);
          try {
            let lines = ["chunk_size: 256", ...start];
            chunkCounts.push(new ChunkedScanner(yamlChunkRules).chunks(lines.join("\n") + "\n").length);
            for (const e of [null, ...edits]) {
              if (e) lines = applyEdit(lines, POOL, e);
              const text = lines.join("\n") + "\n";
              const incremental = lintDocument({ path: p, text }, ctx);
              expect(incremental).toEqual(lintFromScratch(text));
              expect(configOnly(incremental)).toEqual(reference(text));
            }
          } finally {
            forgetDocument(p);
          }
        },
      ),
      { seed: 20_251_201, numRuns: 20 },
    );
    // the documents span many chunks (the joining is exercised)
    expect(chunkCounts.filter((n) => n >= 5).length, chunkCounts.join(" ")).toBeGreaterThan(chunkCounts.length / 2);
  });

  // Filler entries, and those that start a scanner chunk: lines put right before one end a chunk,
  // so the document joins there (the cases below put their YAML exactly at such a seam).
  const FILLER = Array.from({ length: 400 }, (_, i) => `key_${i}:\n  v: ${i}`);
  const seams = new ChunkedScanner(yamlChunkRules)
    .chunks(FILLER.join("\n") + "\n")
    .slice(1)
    .map((c) => FILLER.indexOf(c.chunk.text.slice(0, c.chunk.text.indexOf("\n", c.chunk.text.indexOf("\n") + 1))));
  /** `head`, then filler from a seam on, with `middle` right before a later seam, then `tail`. */
  const seamed = (head: string[], middle: string[], tail: string[]) => {
    const from = seams[0]!;
    const mid = seams[Math.floor(seams.length / 2)]!;
    return [...head, ...FILLER.slice(from, mid), ...middle, ...FILLER.slice(mid), ...tail].join("\n") + "\n";
  };

  const CASES: [string, string][] = [
    ["an alias to an anchor many chunks earlier", seamed(["anchor: &x abc"], [], ["chunk_size: *x"])],
    ["an alias at a seam", seamed(["anchor: &x abc"], [], ["other: 1", "chunk_size: *x"])],
    ["an unresolved alias", seamed(["chunk_size: 256"], [], ["chunk_size: *nothing"])],
    ["a duplicate key: the last wins", seamed(["chunk_size: abc"], [], ["chunk_size: 256"])],
    ["a duplicate key: the last wins (bad last)", seamed(["chunk_size: 256"], [], ["chunk_size: abc"])],
    ["a duplicate unknown key", seamed(["chunk_size: 256", "unknown_dup: 1"], [], ["unknown_dup: 2"])],
    ["a key found on an earlier line than its own", seamed(["unknown_a:b: 1", "chunk_size: 1"], [], ["unknown_a: 2"])],
    ["a document end marker at a seam", seamed(["chunk_size: abc"], ["..."], ["unknown_b: 1"])],
    ["a directive at a seam", seamed(["chunk_size: abc"], ["%YAML 1.1"], ["unknown_b: 1"])],
    ["an indented first mapping", seamed(["  chunk_size: abc"], [], ["unknown_b: 1"])],
    ["a flow first mapping", seamed(["{chunk_size: abc}"], [], ["unknown_b: 1"])],
    ["a null first document", seamed(["~"], [], ["chunk_size: abc"])],
    ["a comment-only first piece", seamed(["# only a comment"], [], ["chunk_size: abc"])],
    ["several documents", seamed(["chunk_size: abc", "---", "remote_serde: bad", "extra: 1"], ["--- # third"], ["chunk_size: x"])],
    ["integer keys", seamed(["chunk_size: 256", "10: ten"], [], ["1: one", "2: two"])],
    ["CRLF line ends", seamed(["chunk_size: abc\r"], [], ["unknown_z: 1\r", "remote_serde: nope\r"])],
  ];
  for (const [name, text] of CASES) {
    it(`${name}: the same verdict as the whole document, before and after an edit`, () => {
      const p = path.join(ws, `cfg-case-${fresh++}.yaml`);
      try {
        expect(new ChunkedScanner(yamlChunkRules).chunks(text).length).toBeGreaterThan(10);
        const edited = text.replace("  v: 200\n", "  v: 'edited'\n");
        expect(edited).not.toBe(text);
        for (const t of [text, edited, text]) {
          const incremental = lintDocument({ path: p, text: t }, ctx);
          expect(configOnly(incremental)).toEqual(reference(t));
          expect(incremental).toEqual(lintFromScratch(t));
        }
      } finally {
        forgetDocument(p);
      }
    });
  }

  it("the cases are not vacuous: joining would be wrong for some, and both codes are reported", () => {
    const text = (name: string) => CASES.find(([n]) => n === name)![1];
    const chunkTexts = (name: string) => new ChunkedScanner(yamlChunkRules).chunks(text(name)).map((c) => c.chunk.text);
    // the YAML sits at a seam: a chunk ends with it
    expect(chunkTexts("a document end marker at a seam").some((t) => t.endsWith("\n...\n"))).toBe(true);
    expect(chunkTexts("an indented first mapping")[0]).toBe("  chunk_size: abc\n");
    expect(chunkTexts("a null first document")[0]).toBe("~\n");
    const alias = reference(text("an alias to an anchor many chunks earlier"));
    expect(alias.find((d) => d.code === LINT_CODES.configValue.code)?.message).toContain("'abc'");
    expect(reference(text("a duplicate key: the last wins")).some((d) => d.code === LINT_CODES.configValue.code)).toBe(false);
    expect(reference(text("a key found on an earlier line than its own")).find((d) => d.message.includes("unknown_a "))!.range.start.line).toBe(0);
    // PyYAML's reader fails on these documents: nothing to report (joining the pieces would report)
    for (const name of ["a document end marker at a seam", "an indented first mapping", "a flow first mapping", "a null first document"]) expect(reference(text(name)), name).toEqual([]);
    expect(new Set(reference(text("several documents")).map((d) => d.code))).toEqual(CONFIG_CODES);
  });
});
