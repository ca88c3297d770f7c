/**
 * A tiny position-tracking JSON reader (ours): builds a tree of values with source offsets and
 * never throws — on malformed input it returns what it could read, so a half-typed config still
 * gets its URLs linted.
 */

/** A JSON value with offsets. For strings, `start`/`end` exclude the quotes. */
export type JsonNode =
  | { type: "string"; value: string; start: number; end: number; exact: boolean }
  | { type: "object"; entries: { key: string; keyStart: number; value: JsonNode }[]; start: number; end: number }
  | { type: "array"; items: JsonNode[]; start: number; end: number }
  | { type: "other"; start: number; end: number };

/** Reads the JSON value starting at the first non-blank character of `text[from, to)`. */
export function readJson(text: string, from = 0, to = text.length): JsonNode | null {
  let i = from;
  const ws = () => {
    while (i < to && " \t\r\n".includes(text[i])) i++;
  };
  // Skips blanks and commas between members; false at `close` or the end of the range.
  const atNextMember = (close: string): boolean => {
    for (;;) {
      ws();
      if (i >= to || text[i] === close) return false;
      if (text[i] !== ",") return true;
      i++;
    }
  };
  const readString = (): JsonNode & { type: "string" } => {
    const start = ++i;
    let value = "";
    let exact = true;
    while (i < to && text[i] !== '"') {
      if (text[i] === "\\") {
        exact = false;
        const c = text[i + 1];
        if (c === "u") {
          value += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16) || 0);
          i += 6;
        } else {
          value += ({ n: "\n", t: "\t", r: "\r", b: "\b", f: "\f" } as Record<string, string>)[c] ?? c ?? "";
          i += 2;
        }
      } else value += text[i++];
    }
    const end = Math.min(i, to);
    i++;
    return { type: "string", value, start, end, exact };
  };
  const readValue = (depth: number): JsonNode | null => {
    ws();
    if (i >= to || depth > 200) return null;
    const start = i;
    const c = text[i];
    if (c === '"') return readString();
    if (c === "{") {
      i++;
      const entries: { key: string; keyStart: number; value: JsonNode }[] = [];
      while (atNextMember("}")) {
        if (text[i] !== '"') {
          i++;
          continue;
        }
        const keyStart = i;
        const key = readString();
        ws();
        if (text[i] === ":") i++;
        const value = readValue(depth + 1);
        if (!value) break;
        entries.push({ key: key.value, keyStart, value });
      }
      i++;
      return { type: "object", entries, start, end: Math.min(i, to) };
    }
    if (c === "[") {
      i++;
      const items: JsonNode[] = [];
      while (atNextMember("]")) {
        const item = readValue(depth + 1);
        if (!item) break;
        items.push(item);
      }
      i++;
      return { type: "array", items, start, end: Math.min(i, to) };
    }
    while (i < to && !",]}\n".includes(text[i])) i++;
    if (i === start) i++;
    return { type: "other", start, end: i };
  };
  return readValue(0);
}
