/**
 * An indentation-aware parser of the subset of Python a connector check needs (ours): imports,
 * top-level classes with their bases, decorators, methods (`def` / `async def` with full
 * parameter lists) and class-level assignments, plus the syntax errors CPython 3.11 reports with
 * the same type, message and line. Built on {@link tokenizePython}; user code is never run.
 *
 * Limits (documented in docs/diagnostics.md#lmc020): only statements at column 0 (imports and
 * classes) and statements directly in a class body are modelled; classes or imports nested in
 * `if`/`try` blocks are not. Syntax errors found are: unterminated strings, unmatched, mismatched
 * and unclosed brackets, `unexpected indent`, `unindent does not match any outer indentation
 * level`, `expected an indented block after …`, and a `def`/`class` header missing its `:`. Any
 * other syntax error goes unnoticed (the module is then analysed as far as it parses).
 */
import { LineIndex } from "../positions";
import { tokenizePython, type PyLine, type PyToken } from "./python-tokens";

/** How a parameter binds, as in `inspect.Parameter.kind`. */
export type PyParamKind = "positional-only" | "positional-or-keyword" | "var-positional" | "keyword-only" | "var-keyword";

/** One parameter of a `def`. */
export interface PyParam {
  name: string;
  kind: PyParamKind;
  hasDefault: boolean;
}

/** A `def` or `async def` in a class body. */
export interface PyFunction {
  name: string;
  isAsync: boolean;
  /** Dotted names of the decorators, outermost first (`abc.abstractmethod`, `staticmethod`). */
  decorators: string[];
  /** The parameters; null when the list could not be read. */
  params: PyParam[] | null;
  /** 1-based line of the `def`. */
  line: number;
  /** Offsets: the name, the `async` keyword (when async), the `def` keyword. */
  nameStart: number;
  nameEnd: number;
  asyncStart: number | null;
  defStart: number;
}

/** A name bound in a class body: a function, or any other value (assignment, nested class). */
export type PyMember = { kind: "function"; fn: PyFunction } | { kind: "value"; line: number };

/** A base-class expression: a dotted name (`Base`, `mod.Base`), or something else (a call, a subscript). */
export type PyBaseExpr = { dotted: string } | { other: string };

/** A top-level class statement. */
export interface PyClass {
  name: string;
  line: number;
  nameStart: number;
  nameEnd: number;
  bases: PyBaseExpr[];
  /** Keyword arguments of the class statement (`metaclass=…`), as written. */
  keywords: Map<string, string>;
  /** Dotted names of the class decorators (`dataclass`), outermost first. */
  decorators: string[];
  /** The class namespace, in Python's sense: a later binding of a name replaces an earlier one. */
  members: Map<string, PyMember>;
}

/** What a top-level import binds a local name to. */
export type PyBinding =
  /** `import a.b` binds `a` to module `a`; `import a.b as z` binds `z` to module `a.b`. */
  | { kind: "module"; module: string }
  /** `from [.]a.b import N [as z]`: attribute `N` of module `a.b` (`level` leading dots). */
  | { kind: "from"; module: string; level: number; name: string }
  /** A top-level `def` or assignment: some value we do not model (`Conn = wrap(Conn)`). */
  | { kind: "other" };

/** A syntax error CPython would raise compiling the module. */
export interface PySyntaxError {
  type: "SyntaxError" | "IndentationError";
  message: string;
  /** 1-based line, as `SyntaxError.lineno`. */
  line: number;
  /** Offset of the offending token in the text. */
  offset: number;
}

/** The parsed module. */
export interface PyModuleSyntax {
  classes: Map<string, PyClass>;
  bindings: Map<string, PyBinding>;
  syntaxError: PySyntaxError | null;
}

const BLOCK_KEYWORDS = new Set(["if", "elif", "else", "for", "while", "try", "except", "finally", "with", "def", "class", "async", "match", "case"]);
const CLOSER_OF: Record<string, string> = { "(": ")", "[": "]", "{": "}" };

/** What `expected an indented block after …` names for a block header. */
function blockName(t: PyToken[]): string | null {
  const first = t[0].text === "async" ? t[1]?.text : t[0].text;
  if (first === "def") return "function definition";
  if (first === "class") return "class definition";
  if (first && BLOCK_KEYWORDS.has(first) && first !== "async") return `'${first}' statement`;
  return null;
}

/** Bracket and string errors inside one logical line (the tokenizer groups bracketed continuations). */
function lineTokenError(line: PyLine, lineOf: (offset: number) => number, stack: PyToken[]): PySyntaxError | null {
  for (const tok of line.tokens) {
    if (tok.type === "string" && tok.unterminated) {
      const triple = /^[a-zA-Z]*('''|""")/.test(tok.text);
      // CPython: single-quoted at its own line; triple-quoted at its start line, detected at EOF's line.
      const detected = triple ? lineOf(tok.end === tok.start ? tok.end : Math.max(tok.start, tok.end - 1)) : lineOf(tok.start);
      return { type: "SyntaxError", message: `unterminated ${triple ? "triple-quoted " : ""}string literal (detected at line ${detected})`, line: lineOf(tok.start), offset: tok.start };
    }
    if (tok.type !== "op") continue;
    if (tok.text in CLOSER_OF) stack.push(tok);
    else if (tok.text === ")" || tok.text === "]" || tok.text === "}") {
      const open = stack.pop();
      if (!open) return { type: "SyntaxError", message: `unmatched '${tok.text}'`, line: lineOf(tok.start), offset: tok.start };
      if (CLOSER_OF[open.text] !== tok.text) {
        const openLine = lineOf(open.start);
        const here = lineOf(tok.start);
        const where = openLine === here ? "" : ` on line ${openLine}`;
        return { type: "SyntaxError", message: `closing parenthesis '${tok.text}' does not match opening parenthesis '${open.text}'${where}`, line: here, offset: tok.start };
      }
    }
  }
  return null;
}

/** Index of the token closing the bracket at `open`, or -1. */
function matching(t: PyToken[], open: number): number {
  let depth = 0;
  for (let k = open; k < t.length; k++) {
    if (t[k].type !== "op") continue;
    if (t[k].text in CLOSER_OF) depth++;
    else if (")]}".includes(t[k].text) && --depth === 0) return k;
  }
  return -1;
}

/** Splits `t[from, to)` on commas at bracket depth 0. */
function splitTopLevel(t: PyToken[], from: number, to: number): PyToken[][] {
  const parts: PyToken[][] = [];
  let cur: PyToken[] = [];
  let depth = 0;
  for (let k = from; k < to; k++) {
    const x = t[k];
    if (x.type === "op" && x.text in CLOSER_OF) depth++;
    else if (x.type === "op" && ")]}".includes(x.text)) depth--;
    if (depth === 0 && x.type === "op" && x.text === ",") {
      parts.push(cur);
      cur = [];
    } else cur.push(x);
  }
  if (cur.length) parts.push(cur);
  return parts;
}

/** Reads a parameter list (the tokens between the parentheses); null if it is not one we understand. */
export function parseParams(segments: PyToken[][]): PyParam[] | null {
  const params: PyParam[] = [];
  let kwOnly = false;
  for (const seg of segments) {
    if (seg.length === 0) return null;
    if (seg.length === 1 && seg[0].text === "/") {
      for (const p of params) if (p.kind === "positional-or-keyword") p.kind = "positional-only";
      continue;
    }
    if (seg.length === 1 && seg[0].text === "*") {
      kwOnly = true;
      continue;
    }
    let k = 0;
    let kind: PyParamKind = kwOnly ? "keyword-only" : "positional-or-keyword";
    if (seg[0].text === "*" && seg[1]?.text === "*") {
      kind = "var-keyword";
      k = 2;
    } else if (seg[0].text === "*") {
      kind = "var-positional";
      kwOnly = true;
      k = 1;
    }
    if (seg[k]?.type !== "name") return null;
    const hasDefault = seg.slice(k + 1).some((x, i, rest) => x.text === "=" && depthBefore(rest, i) === 0);
    params.push({ name: seg[k].text, kind, hasDefault });
  }
  return params;
}

function depthBefore(t: PyToken[], at: number): number {
  let depth = 0;
  for (let k = 0; k < at; k++) {
    if (t[k].type === "op" && t[k].text in CLOSER_OF) depth++;
    else if (t[k].type === "op" && ")]}".includes(t[k].text)) depth--;
  }
  return depth;
}

/** Dotted name at `t[k…]` (`a.b.c`); returns it and the index after it. */
function dottedAt(t: PyToken[], k: number): { dotted: string; next: number } | null {
  if (t[k]?.type !== "name") return null;
  let dotted = t[k].text;
  k++;
  while (t[k]?.text === "." && t[k + 1]?.type === "name") {
    dotted += "." + t[k + 1].text;
    k += 2;
  }
  return { dotted, next: k };
}

/** Records the bindings of a top-level `import …` or `from … import …` line; returns the names bound. */
function readImport(t: PyToken[], bindings: Map<string, PyBinding>): string[] {
  const bound: string[] = [];
  const bind = (name: string, b: PyBinding) => {
    bindings.set(name, b);
    bound.push(name);
  };
  if (t[0].text === "import") {
    for (const seg of splitTopLevel(t, 1, t.length)) {
      const d = dottedAt(seg, 0);
      if (!d) continue;
      if (seg[d.next]?.text === "as" && seg[d.next + 1]?.type === "name") bind(seg[d.next + 1].text, { kind: "module", module: d.dotted });
      else bind(d.dotted.split(".")[0], { kind: "module", module: d.dotted.split(".")[0] });
    }
    return bound;
  }
  let k = 1;
  let level = 0;
  while (t[k]?.text === ".") {
    level++;
    k++;
  }
  const d = dottedAt(t, k);
  const module = d?.dotted ?? "";
  k = d ? d.next : k;
  if (t[k]?.text !== "import") return bound;
  let from = k + 1;
  let to = t.length;
  if (t[from]?.text === "(") {
    from++;
    to = Math.max(from, matching(t, from - 1));
  }
  for (const seg of splitTopLevel(t, from, to)) {
    if (seg[0]?.type !== "name") continue;
    const local = seg[1]?.text === "as" && seg[2]?.type === "name" ? seg[2].text : seg[0].text;
    bind(local, { kind: "from", module, level, name: seg[0].text });
  }
  return bound;
}

/** Reads a class header's bases and keywords. */
function readClassHeader(t: PyToken[]): { bases: PyBaseExpr[]; keywords: Map<string, string>; after: number } {
  const bases: PyBaseExpr[] = [];
  const keywords = new Map<string, string>();
  if (t[2]?.text !== "(") return { bases, keywords, after: 2 };
  const close = matching(t, 2);
  const end = close < 0 ? t.length : close;
  for (const seg of splitTopLevel(t, 3, end)) {
    if (seg[0]?.type === "name" && seg[1]?.text === "=") {
      keywords.set(seg[0].text, seg.slice(2).map((x) => x.text).join(""));
      continue;
    }
    const d = dottedAt(seg, 0);
    if (d && d.next === seg.length) bases.push({ dotted: d.dotted });
    else bases.push({ other: seg.map((x) => x.text).join("") });
  }
  return { bases, keywords, after: close < 0 ? t.length : close + 1 };
}

/** Reads a `def` header (tokens from `def`); null when it does not look like one. */
function readDef(t: PyToken[], at: number): { name: PyToken; params: PyParam[] | null; close: number } | null {
  const name = t[at + 1];
  if (name?.type !== "name" || t[at + 2]?.text !== "(") return null;
  const close = matching(t, at + 2);
  if (close < 0) return { name, params: null, close: t.length };
  return { name, params: parseParams(splitTopLevel(t, at + 3, close)), close };
}

/**
 * After a `def`'s closing parenthesis (index `close`) CPython wants `:` or `-> annotation :`. Returns
 * the index of the token the error is reported after, or -1 when the colon is there.
 */
function missingDefColon(t: PyToken[], close: number): number {
  if (t[close + 1]?.text === ":") return -1;
  if (t[close + 1]?.text === "-" && t[close + 2]?.text === ">") {
    for (let k = close + 3; k < t.length; k++) if (t[k].text === ":" && depthBefore(t.slice(close + 3), k - close - 3) === 0) return -1;
    return t.length - 1;
  }
  return close;
}

/** Parses a Python module text. */
export function parsePythonModule(text: string): PyModuleSyntax {
  const { lines } = tokenizePython(text);
  const lineIndex = new LineIndex(text);
  /** 1-based line of an offset (LMCache/CPython report 1-based lines). */
  const lineOf = (offset: number): number => lineIndex.position(offset).line + 1;
  const classes = new Map<string, PyClass>();
  const bindings = new Map<string, PyBinding>();
  let syntaxError: PySyntaxError | null = null;

  const indents = [0];
  let opener: { line: number; name: string | null; indent: number } | null = null;
  let openClass: { cls: PyClass; bodyIndent: number | null } | null = null;
  let decorators: string[] = [];
  const brackets: PyToken[] = [];

  for (const line of lines) {
    const t = line.tokens;
    if (t.length === 0) continue;
    const lineNo = lineOf(t[0].start);
    // Indentation, as CPython's tokenizer and parser see it.
    const top = indents[indents.length - 1];
    if (opener) {
      if (line.indent <= opener.indent) {
        if (opener.name) {
          syntaxError = { type: "IndentationError", message: `expected an indented block after ${opener.name} on line ${opener.line}`, line: lineNo, offset: t[0].start };
          break;
        }
      } else indents.push(line.indent);
    } else if (line.indent > top) {
      syntaxError = { type: "IndentationError", message: "unexpected indent", line: lineNo, offset: t[0].start };
      break;
    }
    if (line.indent < indents[indents.length - 1]) {
      while (indents.length > 1 && line.indent < indents[indents.length - 1]) indents.pop();
      if (line.indent !== indents[indents.length - 1]) {
        syntaxError = { type: "IndentationError", message: "unindent does not match any outer indentation level", line: lineNo, offset: t[0].start };
        break;
      }
    }
    opener = null;
    const tokenError = lineTokenError(line, lineOf, brackets);
    if (tokenError) {
      syntaxError = tokenError;
      break;
    }
    const last = t[t.length - 1];
    if (last.type === "op" && last.text === ":") opener = { line: lineNo, name: blockName(t), indent: line.indent };

    // `def`/`class` headers missing their colon.
    const defAt = t[0].text === "async" && t[1]?.text === "def" ? 1 : t[0].text === "def" ? 0 : -1;
    if (defAt >= 0) {
      const def = readDef(t, defAt);
      const missing = def && def.close < t.length ? missingDefColon(t, def.close) : -1;
      if (missing >= 0) {
        syntaxError = { type: "SyntaxError", message: "expected ':'", line: lineOf(t[missing].start), offset: t[missing].end };
        break;
      }
    }
    if (t[0].text === "class" && t[1]?.type === "name") {
      const header = readClassHeader(t);
      if (header.after === t.length && (header.after === 2 || t[header.after - 1]?.text === ")")) {
        syntaxError = { type: "SyntaxError", message: "expected ':'", line: lineOf(t[t.length - 1].start), offset: t[t.length - 1].end };
        break;
      }
    }

    // The model: top-level imports and classes, and the statements directly in a class body.
    if (openClass && line.indent === 0) openClass = null;
    if (line.indent === 0) {
      // a later top-level binding of a name replaces an earlier one (class statement or import)
      if (t[0].text === "import" || t[0].text === "from") {
        for (const name of readImport(t, bindings)) classes.delete(name);
      } else if (t[0].text === "@") {
        decorators.push(dottedAt(t, 1)?.dotted ?? "?");
        continue;
      } else if (t[0].text === "class" && t[1]?.type === "name") {
        const { bases, keywords } = readClassHeader(t);
        const cls: PyClass = { name: t[1].text, line: lineNo, nameStart: t[1].start, nameEnd: t[1].end, bases, keywords, decorators, members: new Map() };
        bindings.delete(cls.name);
        classes.set(cls.name, cls);
        openClass = { cls, bodyIndent: null };
        // a one-line body (`class A(B): x = 1`) is not modelled further
      } else {
        // `def name(…)` and `name = …` rebind a name to something we do not model
        const def = defAt >= 0 ? t[defAt + 1] : null;
        const names = def?.type === "name" ? [def.text] : t[0].type === "name" ? assignedNames(t) : [];
        for (const name of names) {
          classes.delete(name);
          bindings.set(name, { kind: "other" });
        }
      }
      decorators = [];
      continue;
    }
    if (!openClass) continue;
    openClass.bodyIndent ??= line.indent;
    if (line.indent !== openClass.bodyIndent) continue;
    const members = openClass.cls.members;
    if (t[0].text === "@") {
      decorators.push(dottedAt(t, 1)?.dotted ?? "?");
      continue;
    }
    if (defAt >= 0) {
      const def = readDef(t, defAt);
      if (def) {
        members.set(def.name.text, {
          kind: "function",
          fn: {
            name: def.name.text, isAsync: defAt === 1, decorators, params: def.params, line: lineNo,
            nameStart: def.name.start, nameEnd: def.name.end, asyncStart: defAt === 1 ? t[0].start : null, defStart: t[defAt].start,
          },
        });
      }
    } else if (t[0].text === "class" && t[1]?.type === "name") members.set(t[1].text, { kind: "value", line: lineNo });
    else if (t[0].type === "name") {
      for (const name of assignedNames(t)) members.set(name, { kind: "value", line: lineNo });
    }
    decorators = [];
  }
  if (!syntaxError && opener?.name) {
    syntaxError = { type: "IndentationError", message: `expected an indented block after ${opener.name} on line ${opener.line}`, line: opener.line, offset: text.length };
  }
  if (!syntaxError && brackets.length) {
    const open = brackets[0];
    syntaxError = { type: "SyntaxError", message: `'${open.text}' was never closed`, line: lineOf(open.start), offset: open.start };
  }
  return { classes, bindings, syntaxError };
}

/** The names an assignment statement binds: `a = b = value` and `a: T = value`; a bare annotation `a: T` binds none. */
function assignedNames(t: PyToken[]): string[] {
  const eq = t.findIndex((x, i) => x.text === "=" && t[i + 1]?.text !== "=" && t[i - 1]?.text !== "=" && !"<>!:".includes(t[i - 1]?.text ?? "") && depthBefore(t, i) === 0);
  return eq > 0 ? splitAssignTargets(t, eq) : [];
}

/** The simple names assigned by `a = b = value` / `a: T = value` (up to the last `=`). */
function splitAssignTargets(t: PyToken[], firstEq: number): string[] {
  const names: string[] = [];
  let start = 0;
  for (let k = firstEq; k < t.length; k++) {
    if (t[k].text !== "=" || depthBefore(t, k) !== 0 || t[k + 1]?.text === "=" || t[k - 1]?.text === "=") continue;
    const target = t.slice(start, k);
    if (target[0]?.type === "name" && (target.length === 1 || target[1]?.text === ":")) names.push(target[0].text);
    start = k + 1;
  }
  return names;
}
