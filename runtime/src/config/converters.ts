/**
 * LMCache's per-key converters (`env_converter` in `_CONFIG_DEFINITIONS`) with Python's semantics
 * and error classes: `ValueError` is what LMCache catches and downgrades to a warning;
 * `TypeError`/`AttributeError` are what would escape LMCache's loader uncaught.
 */
import { AttributeError, TypeError, ValueError } from "../errors";
import { pythonStrRepr } from "../connector/url";
import type { ConfigKind } from "./definitions";
import { pyFloat, pyInt, pyRepr, pyStr, pyStrip, pyTruthy, pyTypeName } from "./python-values";

/** LMCache `_to_bool`: a bool stays; anything else is `str(v).strip().lower() in ("true", "1")`. */
export function toBool(value: unknown): boolean {
  if (typeof value === "boolean") return value;
  return ["true", "1"].includes(pyStrip(pyStr(value)).toLowerCase());
}

function splitCommaList(value: unknown): string[] {
  return pyStr(value).split(",").map(pyStrip).filter((p) => p);
}

/** LMCache `_to_str_list`: lists pass through unchanged; strings are comma-split and trimmed. */
export function toStrList(value: unknown): string[] {
  if (Array.isArray(value)) return value as string[];
  if (typeof value !== "string") throw new AttributeError(`'${pyTypeName(value)}' object has no attribute 'split'`);
  return splitCommaList(value);
}

/** LMCache `_to_int_list`. */
export function toIntList(value: unknown): number[] {
  if (Array.isArray(value)) return value.map(pyInt);
  if (typeof value === "number" && Number.isInteger(value)) return [value];
  if (typeof value === "boolean") return [value ? 1 : 0];
  return splitCommaList(value).map(pyInt);
}

/** LMCache `_to_float_list`. */
export function toFloatList(value: unknown): number[] {
  if (Array.isArray(value)) return value.map(pyFloat);
  if (typeof value === "number" && !Number.isInteger(value)) return [value];
  return splitCommaList(value).map(pyFloat);
}

/**
 * `extra_config`'s converter: a mapping passes; a non-empty string is `json.loads`-ed; empty → None.
 * Ours: JSON syntax errors carry JavaScript's parser message (Python's `json` words them differently),
 * and a JSON value that is not an object is rejected (LMCache would keep it and fail on `.get`).
 */
export function toExtraConfig(value: unknown): Record<string, unknown> | null {
  if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  if (!pyTruthy(value)) return null;
  if (typeof value !== "string") {
    throw new TypeError(`the JSON object must be str, bytes or bytearray, not ${pyTypeName(value)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (e) {
    throw new ValueError((e as Error).message);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ValueError(`extra_config must be a JSON object, got ${pythonStrRepr(value)} (the kit's check)`);
  }
  return parsed as Record<string, unknown>;
}

/** LMCache `_parse_local_disk`: a `file://…/` prefix loses its `file://`. */
export function parseLocalDisk(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== "string") throw new TypeError(`expected string or bytes-like object, got '${pyTypeName(value)}'`);
  return /^file:\/\/[^\n]*\//.test(value) ? value.slice(7) : value;
}

function toHiddenStatesMode(value: unknown): string {
  if (value === null || value === undefined) return "prefix_strict";
  const s = pyStrip(pyStr(value)).toLowerCase().replace(/-/g, "_");
  if (s === "prefix_strict" || s === "prefixstrict") return "prefix_strict";
  if (["skip_missing_chunks", "skipmissingchunks", "legacy"].includes(s)) return "skip_missing_chunks";
  throw new ValueError(`hidden_states_retrieve_mode must be 'prefix_strict' or 'skip_missing_chunks', got ${pyRepr(value)}`);
}

/** Apply the converter for `kind` (never called with None: LMCache skips converters for None). */
export function convertConfigValue(kind: ConfigKind, value: unknown): unknown {
  switch (kind) {
    case "int": return pyInt(value);
    case "float": return pyFloat(value);
    case "bool": return toBool(value);
    case "str": return pyStr(value);
    case "strList": return toStrList(value);
    case "intList": return toIntList(value);
    case "floatList": return toFloatList(value);
    case "json": return toExtraConfig(value);
    case "localDisk": return parseLocalDisk(value);
    case "none": return value;
    case "pluginLocations": return Array.isArray(value) ? value : pyTruthy(value) ? [value] : [];
    case "hiddenStatesMode": return toHiddenStatesMode(value);
  }
}
