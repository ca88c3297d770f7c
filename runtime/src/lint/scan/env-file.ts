/**
 * Extracts LMCache settings from `.env` files and shell scripts: `LMCACHE_REMOTE_URL=…`,
 * `export LMCACHE_REMOTE_URL="…"`, `LMCACHE_REMOTE_STORAGE_PLUGINS=a,b` (comma list, trimmed, as
 * LMCache's env loader splits it) and `LMCACHE_EXTRA_CONFIG='{"…": "…"}'` (JSON). Comment lines
 * and trailing ` # comments` are skipped.
 */
import type { Occurrence, ScanResult } from "../occurrences";
import { extraConfigOccurrences } from "./json-config";
import { readJson } from "./json-values";

const ASSIGNMENT = /^[ \t]*(?:export[ \t]+)?(LMCACHE_REMOTE_URL|LMCACHE_REMOTE_STORAGE_PLUGINS|LMCACHE_EXTRA_CONFIG)=/;

/** A shell word's value and source offsets (inside the quotes). */
interface Word {
  value: string;
  start: number;
  end: number;
  exact: boolean;
}

function readWord(text: string, at: number, lineEnd: number): Word {
  const q = text[at];
  if (q === "'" ) {
    const close = text.indexOf("'", at + 1);
    const end = close < 0 || close > lineEnd ? lineEnd : close;
    return { value: text.slice(at + 1, end), start: at + 1, end, exact: true };
  }
  if (q === '"') {
    let i = at + 1;
    let value = "";
    let exact = true;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === "\\" && '"\\$`\n'.includes(text[i + 1])) {
        exact = false;
        if (text[i + 1] !== "\n") value += text[i + 1];
        i += 2;
      } else value += text[i++];
    }
    return { value, start: at + 1, end: i, exact };
  }
  if (q === "{" || q === "[") {
    // An unquoted JSON value (`LMCACHE_EXTRA_CONFIG={"a": 1}`) is whole in a .env file: python-dotenv
    // takes the rest of the line, less a ` #` comment. (A shell would split it; .env is its home.)
    const comment = text.slice(at, lineEnd).search(/[ \t]#/);
    const end = trimEndOffset(text, at, comment < 0 ? lineEnd : at + comment);
    return { value: text.slice(at, end), start: at, end, exact: true };
  }
  let i = at;
  while (i < lineEnd && !" \t;".includes(text[i])) i++;
  return { value: text.slice(at, i), start: at, end: i, exact: true };
}

function trimEndOffset(text: string, start: number, end: number): number {
  while (end > start && (text[end - 1] === " " || text[end - 1] === "\t" || text[end - 1] === "\r")) end--;
  return end;
}

/** Scans a `.env` file or shell script. */
export function scanEnvFile(text: string): ScanResult {
  const occurrences: Occurrence[] = [];
  let lineStart = 0;
  while (lineStart <= text.length) {
    const nl = text.indexOf("\n", lineStart);
    const lineEnd = nl < 0 ? text.length : nl;
    const m = ASSIGNMENT.exec(text.slice(lineStart, lineEnd));
    if (m) {
      const word = readWord(text, lineStart + m[0].length, lineEnd);
      const base = { fromConfig: true } as const;
      if (m[1] === "LMCACHE_REMOTE_URL") {
        if (word.value) occurrences.push({ ...base, kind: "url", ...word });
      } else if (m[1] === "LMCACHE_REMOTE_STORAGE_PLUGINS") {
        let pos = 0;
        for (const piece of word.value.split(",")) {
          const name = piece.trim();
          const lead = piece.length - piece.trimStart().length;
          if (name) {
            occurrences.push(word.exact
              ? { ...base, kind: "pluginName", value: name, start: word.start + pos + lead, end: word.start + pos + lead + name.length, exact: true }
              : { ...base, kind: "pluginName", value: name, start: word.start, end: word.end, exact: false });
          }
          pos += piece.length + 1;
        }
      } else {
        const node = word.exact ? readJson(text, word.start, word.end) : readJson(word.value);
        if (node) {
          for (const occ of extraConfigOccurrences(node)) {
            occurrences.push(word.exact ? occ : { ...occ, start: word.start, end: word.end, exact: false });
          }
        }
      }
      // A double-quoted value may span lines; continue after it.
      const after = text.indexOf("\n", word.end);
      if (after < 0) break;
      lineStart = after + 1;
      continue;
    }
    if (nl < 0) break;
    lineStart = nl + 1;
  }
  return { occurrences };
}
