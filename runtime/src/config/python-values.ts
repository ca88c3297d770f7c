/**
 * The Python built-in conversions LMCache's config loader applies to YAML and environment values
 * (`int()`, `float()`, `str()`, truthiness, `_parse_quoted_string`), reproduced so that a value
 * accepted or rejected by LMCache is accepted or rejected here, with Python's error texts.
 */
import { PyDate } from "./pyyaml";
import { pythonStrRepr } from "../connector/url";
import { TypeError, ValueError } from "../errors";

// Python's str.strip() with no argument strips Unicode whitespace, including \x1c-\x1f.
const PY_WS = "[\\s\\x1c-\\x1f\\x85]";
const PY_STRIP = new RegExp(`^${PY_WS}+|${PY_WS}+$`, "gu");

/** Python `str.strip()`. */
export function pyStrip(s: string): string {
  return s.replace(PY_STRIP, "");
}

/** Map Unicode decimal digits (category Nd) to ASCII, as Python's `int()`/`float()` accept them. */
function asciiDigits(s: string): string {
  let out = "";
  for (const ch of s) {
    if (/\p{Nd}/u.test(ch) && !/[0-9]/.test(ch)) {
      // Nd characters come in contiguous runs that start at a zero.
      let start = ch.codePointAt(0)!;
      while (/\p{Nd}/u.test(String.fromCodePoint(start - 1))) start--;
      out += String((ch.codePointAt(0)! - start) % 10);
    } else out += ch;
  }
  return out;
}

/** `repr(datetime.date(2024, 1, 1))` / `repr(datetime.datetime(...))` (numbers without leading zeros). */
function pyDateRepr(d: PyDate): string {
  const nums = d.text.split(/[-: .+]/).slice(0, d.pyType === "datetime.date" ? 3 : 6).map((n) => String(Number(n)));
  return `${d.pyType}(${nums.join(", ")})`;
}

/** Python's `str()` of a YAML-loaded value (`True`, `None`, `['a', 'b']`, `{'k': 1}`). */
export function pyStr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value instanceof PyDate) return value.text;
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "string") return value;
  return pyRepr(value);
}

/** Python's `repr()` of a YAML/JSON-shaped value. */
export function pyRepr(value: unknown): string {
  if (typeof value === "string") return pythonStrRepr(value);
  if (value instanceof PyDate) return pyDateRepr(value);
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "nan";
    if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
    return String(value);
  }
  if (Array.isArray(value)) return "[" + value.map(pyRepr).join(", ") + "]";
  if (value instanceof Date) return pythonStrRepr(value.toISOString());
  if (value && typeof value === "object") {
    return "{" + Object.entries(value).map(([k, v]) => `${pythonStrRepr(k)}: ${pyRepr(v)}`).join(", ") + "}";
  }
  return pyStr(value);
}

/** Python's name of a value's type, for TypeError texts. */
export function pyTypeName(value: unknown): string {
  if (value instanceof PyDate) return value.pyType === "datetime.date" ? "date" : "datetime";
  if (value === null || value === undefined) return "NoneType";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (typeof value === "string") return "str";
  if (Array.isArray(value)) return "list";
  return "dict";
}

/**
 * Python `int(value)`: strings may carry surrounding whitespace, a sign, single `_` between digits
 * and non-ASCII decimal digits; floats truncate; bools become 0/1.
 */
export function pyInt(value: unknown): number {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw Number.isNaN(value)
        ? new ValueError("cannot convert float NaN to integer")
        : new ValueError("cannot convert float infinity to integer");
    }
    return Math.trunc(value);
  }
  if (typeof value !== "string") {
    throw new TypeError(`int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(value)}'`);
  }
  const s = asciiDigits(pyStrip(value));
  if (!/^[+-]?[0-9](_?[0-9])*$/.test(s)) {
    throw new ValueError(`invalid literal for int() with base 10: ${pythonStrRepr(value)}`);
  }
  return Number(s.replace(/_/g, ""));
}

/** Python `float(value)`: decimal/exponent forms with `_` between digits, `inf`, `nan`, whitespace. */
export function pyFloat(value: unknown): number {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return value;
  if (typeof value !== "string") {
    throw new TypeError(`float() argument must be a string or a real number, not '${pyTypeName(value)}'`);
  }
  const s = asciiDigits(pyStrip(value));
  const digits = "[0-9](?:_?[0-9])*";
  const numeric = new RegExp(`^[+-]?(?:${digits}(?:\\.(?:${digits})?)?|\\.${digits})(?:[eE][+-]?${digits})?$`);
  if (numeric.test(s)) return Number(s.replace(/_/g, ""));
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(s);
  if (special) {
    if (special[2].toLowerCase() === "nan") return NaN;
    return special[1] === "-" ? -Infinity : Infinity;
  }
  throw new ValueError(`could not convert string to float: ${pythonStrRepr(value)}`);
}

/** Python truthiness (`bool(value)`): `None`, `False`, `0`, `""`, `[]`, `{}` are false. */
export function pyTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === "") return false;
  if (typeof value === "number" && Number.isNaN(value)) return true;
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === "object" && !(value instanceof Date)) return Object.keys(value).length > 0;
  return true;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  "\n": "", "\\": "\\", "'": "'", '"': '"', a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v",
};

/** Evaluate one or more adjacent Python string literals (`ast.literal_eval`); null if not valid. */
function evalPythonStringLiterals(src: string): string | null {
  let i = 0;
  let out = "";
  let count = 0;
  while (i < src.length) {
    while (i < src.length && /[ \t\f]/.test(src[i])) i++;
    if (i >= src.length) break;
    const q = src[i];
    if (q !== "'" && q !== '"') return null;
    const triple = src.startsWith(q.repeat(3), i);
    const close = triple ? q.repeat(3) : q;
    i += close.length;
    let closed = false;
    while (i < src.length) {
      if (src.startsWith(close, i)) {
        i += close.length;
        closed = true;
        break;
      }
      const c = src[i];
      if (!triple && c === "\n") return null;
      if (c !== "\\") {
        out += c;
        i++;
        continue;
      }
      const e = src[i + 1];
      if (e === undefined) return null;
      if (e in SIMPLE_ESCAPES) {
        out += SIMPLE_ESCAPES[e];
        i += 2;
      } else if (/[0-7]/.test(e)) {
        const m = /^[0-7]{1,3}/.exec(src.slice(i + 1))![0];
        out += String.fromCodePoint(parseInt(m, 8));
        i += 1 + m.length;
      } else if (e === "x" || e === "u" || e === "U") {
        const n = e === "x" ? 2 : e === "u" ? 4 : 8;
        const h = src.slice(i + 2, i + 2 + n);
        if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h)) return null;
        const cp = parseInt(h, 16);
        if (cp > 0x10ffff) return null;
        out += String.fromCodePoint(cp);
        i += 2 + n;
      } else if (e === "N") {
        return null; // \N{NAME} needs the Unicode name database; fall back like a failed eval
      } else {
        out += "\\" + e; // unknown escapes are kept verbatim
        i += 2;
      }
    }
    if (!closed) return null;
    count++;
  }
  return count ? out : null;
}

/**
 * LMCache's `_parse_quoted_string` for environment values: strip whitespace; if wrapped in
 * matching quotes, evaluate as a Python string literal (`ast.literal_eval`), or on failure just
 * drop the outer quotes. `\N{...}` escapes are not evaluated (the kit falls back to stripping).
 */
export function parseQuotedString(value: string): string {
  if (!value) return value;
  const v = pyStrip(value);
  if (v.length >= 2 && v[0] === v[v.length - 1] && (v[0] === "'" || v[0] === '"')) {
    const evaluated = evalPythonStringLiterals(v);
    return evaluated ?? v.slice(1, -1);
  }
  return v;
}
