/**
 * Which module names may be looked up at all — decided from the name alone, before any file is
 * read, so that no name can reach a file outside the search roots (`a/../../x`, `@x/y/../../evil`).
 * The one place the TS/JS loader, the Python-module resolution and the linter validate names.
 */
import { TypeError, ValueError } from "../errors";
import { pyStrRepr } from "../keys/python-text";

/** A Python identifier (PEP 3131: `ID_Start`/`_` then `ID_Continue`). */
const IDENTIFIER = /^[\p{ID_Start}_][\p{ID_Continue}]*$/u;
/** An npm package name segment (`validate-npm-package-name`: URL-safe, no leading `.` or `_`). */
const NPM_SEGMENT = /^[a-z0-9~-][a-z0-9._~-]*$/i;
/** A sub-path segment inside a package (`pkg/lib/conn`): no `.`/`..`, no separators, no NUL. */
const SUBPATH_SEGMENT = /^(?!\.{1,2}$)[\w.~-]+$/;

/** How {@link classifyModuleName} reads a module name. */
export type ModuleNameKind =
  /** Identifiers joined by dots, what Python's importer can import; searched under the roots. */
  | { kind: "dotted"; segments: string[] }
  /** An npm package request (ours): `pkg`, `@scope/pkg`, optionally `/sub/path`; resolved with Node's resolver. */
  | { kind: "package" }
  /** Neither: `error` is what Python's `importlib.import_module` raises for it (or `null` = "No module named"). */
  | { kind: "invalid"; error: ValueError | TypeError | null };

/** Whether `segment` is a Python identifier. */
export function isIdentifier(segment: string): boolean {
  return IDENTIFIER.test(segment);
}

/** Whether `name` is a npm package request the kit accepts (ours; Python has no such thing). */
function isPackageRequest(name: string): boolean {
  const parts = name.split("/");
  const scoped = parts[0].startsWith("@");
  if (scoped && !NPM_SEGMENT.test(parts[0].slice(1))) return false;
  const pkgIndex = scoped ? 1 : 0;
  if (parts.length <= pkgIndex || !NPM_SEGMENT.test(parts[pkgIndex])) return false;
  // a dot in a bare, unscoped name would read as a dotted module path (`a.b`): not a package
  if (!scoped && parts.length === 1 && name.includes(".")) return false;
  return parts.slice(pkgIndex + 1).every((s) => SUBPATH_SEGMENT.test(s));
}

/**
 * Reads a module name as the loaders must, from the name alone:
 * - `dotted`: every `.`-separated segment is an identifier (no `..`, no empty segment, no `/` or
 *   `\`) — joined under a root it cannot leave it;
 * - `package` (ours): an npm package name, scoped or not, with an optional sub-path of plain
 *   segments (never `.`, `..` or empty), handed to Node's resolver from `cwd` — the package is
 *   code the user installed, found where Node finds it (`node_modules` of cwd and its parents,
 *   as in a workspace), and the name cannot climb out of the package folder;
 * - `invalid`: anything else. For `""` Python raises `ValueError("Empty module name")`, for a
 *   leading `.` the relative-import `TypeError`; otherwise "No module named …" (see `moduleNotFound`).
 * A bare identifier (`my_conn`) is `dotted` and is also tried as a package by the TS/JS loader.
 */
export function classifyModuleName(name: string): ModuleNameKind {
  if (name === "") return { kind: "invalid", error: new ValueError("Empty module name") };
  if (name.startsWith(".")) {
    return { kind: "invalid", error: new TypeError(`the 'package' argument is required to perform a relative import for ${pyStrRepr(name)}`) };
  }
  const segments = name.split(".");
  if (segments.every(isIdentifier)) return { kind: "dotted", segments };
  if (isPackageRequest(name)) return { kind: "package" };
  return { kind: "invalid", error: null };
}

