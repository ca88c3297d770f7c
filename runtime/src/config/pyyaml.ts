/**
 * PyYAML's `yaml.safe_load` (the reader LMCache's `from_file` uses) on top of the `yaml` package:
 * the document is parsed with the failsafe schema (every scalar a string, quoting kept), then each
 * PLAIN scalar goes through PyYAML's YAML 1.1 implicit resolvers — its exact regular expressions,
 * which differ from the YAML 1.1 spec and from the `yaml` package's 1.1 schema:
 * - booleans are only `yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF`
 *   (`y`, `n`, `tRuE` stay strings);
 * - a float needs a `.` and a signed exponent (`1e3`, `1.0e3` stay strings; `1.0e+3` is 1000.0);
 * - ints take `_`, `0b…`, `0x…`, a leading `0` for octal (`010` is 8) and base 60 (`1:30` is 90);
 * - `2024-01-01` is a `datetime.date`, `2024-01-01 10:00:00` a `datetime.datetime` ({@link PyDate}).
 * Quoted scalars and explicit `!!str` stay strings; `!!int`/`!!float`/`!!bool`/`!!null` convert.
 */
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from "yaml";
import { ValueError } from "../errors";

/** A `datetime.date` / `datetime.datetime` PyYAML produced; `str()` of it is {@link PyDate.text}. */
export class PyDate {
  constructor(
    /** What Python's `str()` prints: `2024-01-01` or `2024-01-01 10:00:00`. */
    readonly text: string,
    /** `"datetime.date"` or `"datetime.datetime"` (for TypeError texts). */
    readonly pyType: "datetime.date" | "datetime.datetime",
  ) {}

  toString(): string {
    return this.text;
  }
}

const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const NULL = /^(?:~|null|Null|NULL|)$/;
const FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const DATE = /^([0-9][0-9][0-9][0-9])-([0-9][0-9])-([0-9][0-9])$/; // date-only needs two-digit month and day
const DATETIME =
  /^([0-9][0-9][0-9][0-9])-([0-9][0-9]?)-([0-9][0-9]?)(?:[Tt]|[ \t]+)([0-9][0-9]?):([0-9][0-9]):([0-9][0-9])(?:\.([0-9]*))?(?:[ \t]*(Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?$/;

/** `SafeConstructor.construct_yaml_int`. */
function constructInt(text: string): number {
  let v = text.replace(/_/g, "");
  let sign = 1;
  if (v[0] === "-") sign = -1;
  if (v[0] === "-" || v[0] === "+") v = v.slice(1);
  if (v === "0") return 0;
  if (v.startsWith("0b")) return sign * parseInt(v.slice(2), 2);
  if (v.startsWith("0x")) return sign * parseInt(v.slice(2), 16);
  if (v[0] === "0") return sign * parseInt(v, 8);
  if (v.includes(":")) return sign * v.split(":").reduce((acc, d) => acc * 60 + parseInt(d, 10), 0);
  return sign * parseInt(v, 10);
}

/** `SafeConstructor.construct_yaml_float`. */
function constructFloat(text: string): number {
  let v = text.replace(/_/g, "").toLowerCase();
  let sign = 1;
  if (v[0] === "-") sign = -1;
  if (v[0] === "-" || v[0] === "+") v = v.slice(1);
  if (v === ".inf") return sign * Infinity;
  if (v === ".nan") return NaN;
  if (v.includes(":")) return sign * v.split(":").reduce((acc, d) => acc * 60 + parseFloat(d), 0);
  return sign * Number(v);
}

function pad2(s: string): string {
  return s.padStart(2, "0");
}

/** `construct_yaml_timestamp` → what `str()` of the resulting date/datetime prints. */
function constructTimestamp(text: string): PyDate {
  const d = DATE.exec(text);
  if (d) return new PyDate(`${d[1]}-${pad2(d[2]!)}-${pad2(d[3]!)}`, "datetime.date");
  const t = DATETIME.exec(text)!;
  let s = `${t[1]}-${pad2(t[2]!)}-${pad2(t[3]!)} ${pad2(t[4]!)}:${t[5]}:${t[6]}`;
  if (t[7] && /[1-9]/.test(t[7].slice(0, 6))) s += "." + t[7].slice(0, 6).padEnd(6, "0");
  if (t[8]) s += t[8] === "Z" ? "+00:00" : t[8].length <= 3 ? `${t[8]}:00` : t[8];
  return new PyDate(s, "datetime.datetime");
}

/** PyYAML's implicit resolution of one plain scalar. */
export function resolvePlainScalar(text: string): unknown {
  if (NULL.test(text)) return null;
  if (BOOL.test(text)) return TRUE.test(text);
  if (INT.test(text)) return constructInt(text);
  if (FLOAT.test(text)) return constructFloat(text);
  if (DATE.test(text) || DATETIME.test(text)) return constructTimestamp(text);
  return text;
}

const TAG = "tag:yaml.org,2002:";

function scalarValue(text: string, type: string | undefined, tag: string | undefined): unknown {
  if (tag === TAG + "str") return text;
  if (tag === TAG + "int") return constructInt(text);
  if (tag === TAG + "float") return constructFloat(text);
  if (tag === TAG + "bool") return TRUE.test(text);
  if (tag === TAG + "null") return null;
  return type === "PLAIN" ? resolvePlainScalar(text) : text;
}

/** Python's `str()` of a resolved key (dict keys may be `True`, `1`, `None`…). */
function keyText(key: unknown): string {
  if (key === null) return "None";
  if (key === true) return "True";
  if (key === false) return "False";
  return String(key);
}

function toPython(node: Node | null | undefined, doc: Document): unknown {
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return toPython(node.resolve(doc) as Node | undefined, doc);
  if (isScalar(node)) return scalarValue(String(node.value ?? ""), node.type, node.tag);
  if (isSeq(node)) return node.items.map((item) => toPython(item as Node, doc));
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    for (const pair of node.items) {
      const key = keyText(toPython(pair.key as Node, doc));
      out[key] = toPython(pair.value as Node, doc); // duplicate keys: the last wins, as in PyYAML
    }
    return out;
  }
  return null;
}

/**
 * `yaml.safe_load(text)`: the document's value with PyYAML's types (`null` for an empty
 * document). Syntax errors throw `ValueError` with the parser's message.
 */
export function safeLoadPyYaml(text: string): unknown {
  const doc = parseDocument(text, { schema: "failsafe", version: "1.1", uniqueKeys: false });
  if (doc.errors.length > 0) throw new ValueError(doc.errors[0]!.message);
  return toPython(doc.contents as Node | null, doc);
}
