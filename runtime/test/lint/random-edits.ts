/** Random line/char edits for the incremental-lint property tests (source and config documents). */
import fc from "fast-check";

/** Replace, insert or delete a line (`line` picks from the pool), or insert one character. */
export type Edit = { op: "replace" | "insert" | "delete"; at: number; line: number } | { op: "char"; at: number; char: string };

/** `lines` after `e`; `at` and `line` wrap, so every edit applies to any document. */
export function applyEdit(lines: string[], pool: readonly string[], e: Edit): string[] {
  const out = [...lines];
  if (e.op === "char") {
    const text = out.join("\n");
    const at = e.at % (text.length + 1);
    return (text.slice(0, at) + e.char + text.slice(at)).split("\n");
  }
  const at = e.at % (out.length + 1);
  if (e.op === "insert") out.splice(at, 0, pool[e.line % pool.length]!);
  else if (e.op === "replace" && at < out.length) out[at] = pool[e.line % pool.length]!;
  else if (e.op === "delete" && at < out.length) out.splice(at, 1);
  return out;
}

/** Edits whose inserted characters are drawn from `chars` (the ones that matter to the language). */
export function randomEdits(chars: readonly string[]): fc.Arbitrary<Edit> {
  return fc.oneof(
    fc.record({ op: fc.constantFrom("replace" as const, "insert" as const, "delete" as const), at: fc.nat(), line: fc.nat() }),
    fc.record({ op: fc.constant("char" as const), at: fc.nat(), char: fc.constantFrom(...chars) }),
  );
}
