/**
 * Small Python text behaviours that LMCache key handling relies on: `int(s, base)` parsing with
 * its error message, `repr()` of strings and bytes, and `str()` of simple values.
 */
import { ValueError } from "../errors";

/** Python `repr(s)` for a str (quotes and escapes like CPython for the common cases). */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += "\\x" + code.toString(16).padStart(2, "0");
    else out += ch;
  }
  return out + quote;
}

/** Python `repr(b)` for bytes, e.g. `b'\x01ab'`. */
export function pyBytesRepr(bytes: Uint8Array): string {
  const hasSingle = bytes.includes(0x27);
  const hasDouble = bytes.includes(0x22);
  const quote = hasSingle && !hasDouble ? '"' : "'";
  let out = "b" + quote;
  for (const b of bytes) {
    if (b === 0x5c) out += "\\\\";
    else if (String.fromCharCode(b) === quote) out += "\\" + quote;
    else if (b === 0x0a) out += "\\n";
    else if (b === 0x0d) out += "\\r";
    else if (b === 0x09) out += "\\t";
    else if (b < 0x20 || b >= 0x7f) out += "\\x" + b.toString(16).padStart(2, "0");
    else out += String.fromCharCode(b);
  }
  return out + quote;
}

/** Python `str(v)` for the values a request config may hold. */
export function pyStr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "string") return v;
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "nan";
    if (v === Infinity) return "inf";
    if (v === -Infinity) return "-inf";
    return String(v);
  }
  if (v instanceof Uint8Array) return pyBytesRepr(v);
  return String(v);
}

const DEC = /^[+-]?[0-9](?:_?[0-9])*$/;
const HEX = /^[+-]?(?:0[xX](?:_?[0-9a-fA-F])+|[0-9a-fA-F](?:_?[0-9a-fA-F])*)$/;

/**
 * Python `int(s, base)` for base 10 or 16: surrounding whitespace, a sign, `_` between digits
 * and (base 16) a `0x` prefix are accepted; anything else raises
 * `ValueError("invalid literal for int() with base N: '<s>'")`. ASCII digits only.
 */
export function pyInt(s: string, base: 10 | 16 = 10): bigint {
  const t = s.trim();
  if (!(base === 10 ? DEC : HEX).test(t)) {
    throw new ValueError(`invalid literal for int() with base ${base}: ${pyStrRepr(s)}`);
  }
  let body = t.replace(/_/g, "");
  let negative = false;
  if (body[0] === "+" || body[0] === "-") {
    negative = body[0] === "-";
    body = body.slice(1);
  }
  if (base === 16 && /^0[xX]/.test(body)) body = body.slice(2);
  const value = BigInt((base === 16 ? "0x" : "") + body);
  return negative ? -value : value;
}

/** Python `int(s)` narrowed to a JS number (world sizes, worker and layer ids). */
export function pyIntNumber(s: string): number {
  return Number(pyInt(s, 10));
}

/** Python `str.isdigit()` for ASCII digits (non-empty, all `0-9`). */
export function isDigits(s: string | undefined): boolean {
  return s !== undefined && /^[0-9]+$/.test(s);
}
