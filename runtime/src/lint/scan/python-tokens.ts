/**
 * A small Python tokenizer (ours): names, operators, numbers and string literals (prefixes
 * r/b/f/u and combinations, single and triple quotes) grouped into logical lines with their
 * indentation. Comments are dropped. Enough to find string literals and `class`/`def` headers;
 * it is not a full Python lexer.
 */

/** One token. For strings, `value` is the decoded content (escapes applied unless raw). */
export interface PyToken {
  type: "name" | "op" | "number" | "string";
  start: number;
  end: number;
  text: string;
  /** Strings only: decoded value, lower-cased prefix, content offsets, and f-string with `{…}` placeholders. */
  value?: string;
  prefix?: string;
  contentStart?: number;
  contentEnd?: number;
  dynamic?: boolean;
  unterminated?: boolean;
}

/** A logical line: its indentation (columns, tabs to 8) and tokens. */
export interface PyLine {
  indent: number;
  tokens: PyToken[];
}

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"', a: "\x07", b: "\b", f: "\f", v: "\v", "0": "\0" };

function decode(content: string, raw: boolean): string {
  if (raw || !content.includes("\\")) return content;
  return content.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|\n|.)/g, (_, e: string) => {
    if (e === "\n") return "";
    if (e.length > 1) return String.fromCharCode(parseInt(e.slice(1), 16));
    return ESCAPES[e] ?? "\\" + e;
  });
}

const NAME_START = /[A-Za-z_\u00c0-\uffff]/;
const NAME_CHAR = /[A-Za-z0-9_\u00c0-\uffff]/;

/** Tokenizes Python source into logical lines. */
export function tokenizePython(text: string): { lines: PyLine[]; unterminated: boolean } {
  const lines: PyLine[] = [];
  let current: PyLine | null = null;
  let depth = 0;
  let atLineStart = true;
  let unterminated = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (atLineStart) {
      let col = 0;
      let j = i;
      while (j < n && (text[j] === " " || text[j] === "\t" || text[j] === "\f")) {
        col = text[j] === "\t" ? (Math.floor(col / 8) + 1) * 8 : col + 1;
        j++;
      }
      i = j;
      if (i >= n) break;
      if (text[i] === "\n" || text[i] === "\r" || text[i] === "#") {
        // blank or comment-only line: no logical line
        while (i < n && text[i] !== "\n") i++;
        i++;
        continue;
      }
      current = { indent: col, tokens: [] };
      lines.push(current);
      atLineStart = false;
      continue;
    }
    if (c === "#") {
      while (i < n && text[i] !== "\n") i++;
      continue;
    }
    if (c === "\\" && (text[i + 1] === "\n" || (text[i + 1] === "\r" && text[i + 2] === "\n"))) {
      i += text[i + 1] === "\n" ? 2 : 3;
      continue;
    }
    if (c === "\n") {
      i++;
      if (depth === 0) atLineStart = true;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r" || c === "\f") {
      i++;
      continue;
    }
    // string literal, with optional prefix
    const pm = /^([rRbBuUfF]{0,2})(['"])/.exec(text.slice(i, i + 4));
    if (pm && /^(|r|u|b|br|rb|f|fr|rf)$/i.test(pm[1]) && (pm[1] === "" || !NAME_CHAR.test(text[i - 1] ?? ""))) {
      const start = i;
      const prefix = pm[1].toLowerCase();
      const q = pm[2];
      i += pm[1].length;
      const triple = text.startsWith(q + q + q, i);
      const delim = triple ? q + q + q : q;
      i += delim.length;
      const contentStart = i;
      let closed = false;
      while (i < n) {
        if (text[i] === "\\") {
          i += 2;
          continue;
        }
        if (!triple && text[i] === "\n") break;
        if (text.startsWith(delim, i)) {
          closed = true;
          break;
        }
        i++;
      }
      const contentEnd = Math.min(i, n);
      if (closed) i += delim.length;
      else unterminated = true;
      const content = text.slice(contentStart, contentEnd);
      const dynamic = prefix.includes("f") && /\{(?!\{)/.test(content.replace(/\{\{/g, ""));
      current!.tokens.push({
        type: "string", start, end: i, text: text.slice(start, i), value: decode(content, prefix.includes("r")), prefix,
        contentStart, contentEnd, dynamic, unterminated: !closed,
      });
      continue;
    }
    if (NAME_START.test(c)) {
      const start = i;
      while (i < n && NAME_CHAR.test(text[i])) i++;
      current!.tokens.push({ type: "name", start, end: i, text: text.slice(start, i) });
      continue;
    }
    if (c >= "0" && c <= "9") {
      const start = i;
      while (i < n && /[0-9A-Za-z_.]/.test(text[i])) i++;
      current!.tokens.push({ type: "number", start, end: i, text: text.slice(start, i) });
      continue;
    }
    if ("([{".includes(c)) depth++;
    if (")]}".includes(c) && depth > 0) depth--;
    current!.tokens.push({ type: "op", start: i, end: i + 1, text: c });
    i++;
  }
  return { lines, unterminated };
}
