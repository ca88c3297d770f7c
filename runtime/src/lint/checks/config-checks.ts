/**
 * Config values of an LMCache YAML file, judged by the runtime's own reader (`safeLoadPyYaml` +
 * `readConfigMapping`, the same code `check`/`run` load configs with): values LMCache would crash
 * on or silently turn into `None` (LMC025), and keys it ignores (LMC026). A YAML document counts as
 * an LMCache config when a top-level key is one LMCache knows, so other YAML files stay quiet.
 *
 * Incremental (ours): {@link ConfigValueChecks} parses each scanner chunk's pieces (the text
 * between `---` lines) once, cached by chunk text, and joins a document's pieces: the top-level
 * block mapping of a document cut at column-0 key lines is the ordered merge of its pieces'
 * mappings. Where that might not hold (a piece that fails alone, a possible alias into an earlier
 * piece, `...`/`%` lines, a first piece that is not a column-0 block mapping) the document is
 * read whole, as {@link checkConfigValues} (the from-scratch reference) reads it. Results equal it
 * (tested: runtime/test/lint/config-incremental.test.ts).
 */
import { safeLoadPyYaml } from "../../config/pyyaml";
import { readConfigMapping, type ConfigIssue } from "../../config/read-config";
import { CONFIG_ALIASES, DEFINITION_BY_KEY, DEPRECATED_CONFIGS } from "../../config/definitions";
import type { LMCacheEngineConfig } from "../../config/engine-config";
import { upstreamSchemeFor } from "../../connector/upstream-schemes";
import type { PlacedChunk } from "../scan/chunks";
import { shiftDiagnostic } from "../check-cache";
import { LineIndex } from "../positions";
import type { LintDiagnostic } from "../types";
import { diag, type CheckEnv } from "./env";

/** `---`-separated documents with their start offsets (a line that is exactly `---` or starts `--- `). */
function documents(text: string): { start: number; text: string }[] {
  const out: { start: number; text: string }[] = [];
  const re = /^---(?:[ \t].*)?$/gm;
  let start = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    out.push({ start, text: text.slice(start, m.index) });
    start = m.index + m[0].length;
  }
  out.push({ start, text: text.slice(start) });
  return out;
}

/** Offset of a top-level `key:` in a document (plain or quoted key at column 0), or -1. */
function keyOffset(doc: string, key: string): number {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const m = new RegExp(`^(["']?)${escaped}\\1[ \\t]*:`, "m").exec(doc);
  return m ? m.index + m[1]!.length : -1;
}

function isLMCacheConfig(mapping: Record<string, unknown>): boolean {
  return Object.keys(mapping).some((k) => DEFINITION_BY_KEY.has(k) || k in CONFIG_ALIASES);
}

/** An issue and where its key is written in the document (-1: not found, reported at the document's start). */
interface PlacedIssue {
  issue: ConfigIssue;
  at: number;
}

/** The issues of one document's mapping (none when it is not an LMCache config), keys placed by `offsetOf`. */
function mappingIssues(mapping: Record<string, unknown>, offsetOf: (key: string) => number): PlacedIssue[] {
  if (!isLMCacheConfig(mapping)) return [];
  const { config, issues } = readConfigMapping(mapping, "lint");
  const urlIssue = remoteUrlIssue(config);
  if (urlIssue) issues.push(urlIssue);
  return issues.map((issue) => ({ issue, at: offsetOf(issue.key) }));
}

/** `yaml.safe_load` of one document's text, judged whole (syntax errors are not ours to report here). */
function wholeDocumentIssues(doc: string): PlacedIssue[] {
  let value: unknown;
  try {
    value = safeLoadPyYaml(doc);
  } catch {
    return [];
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) return [];
  return mappingIssues(value as Record<string, unknown>, (key) => keyOffset(doc, key));
}

function placedDiagnostics(env: CheckEnv, docStart: number, placed: readonly PlacedIssue[], out: LintDiagnostic[]): void {
  for (const { issue, at } of placed) {
    const start = docStart + Math.max(0, at);
    const range = env.lines.range(start, at < 0 ? start : start + issue.key.length);
    out.push(diag(issue.severity === "error" ? "configValue" : "unknownConfigKey", issue.message, range));
  }
}

/** LMC025/LMC026 for every document of a YAML file, read from scratch (the reference {@link ConfigValueChecks} equals). */
export function checkConfigValues(env: CheckEnv, text: string): LintDiagnostic[] {
  const out: LintDiagnostic[] = [];
  for (const doc of documents(text)) placedDiagnostics(env, doc.start, wholeDocumentIssues(doc.text), out);
  return out;
}

/** A column-0 plain key line (the YAML chunk rules start chunks at such lines). */
const KEY_LINE = /^[A-Za-z_][\w.-]*\s*:/;
/** A blank or comment-only line. */
const BLANK_LINE = /^[ \t]*(?:#.*)?$/;
/** A document end marker or a directive: the piece cannot be joined with its neighbours. */
const END_OR_DIRECTIVE = /^(?:\.\.\.|%)/m;
/** Anything that may be an alias (`*name` at a node's start): it could name an anchor of an earlier piece. */
const MAY_ALIAS = /(?:^|[\s[{,:])\*/;
/** Keys whose first match `keyOffset` may find outside the column-0 lines the piece index holds. */
const UNINDEXED_KEY = /^$|^[ \t]|[\n\r\u2028\u2029]/;

/** One piece of a chunk: text between `---` lines (or a chunk edge), parsed on its own. */
interface Piece {
  text: string;
  /** Offset in its chunk, and how many newlines precede it there. */
  start: number;
  lineInChunk: number;
  /** `safe_load` of the piece: a mapping, or null (empty or failed); see `failed`. */
  mapping: Record<string, unknown> | null;
  /** The piece failed to parse, or is neither a mapping nor an empty (comments only) document. */
  failed: boolean;
  /** It may be joined after another piece: first line a key line, no possible alias, no `...`/`%` line. */
  joinsAfter: boolean;
  /** It may be joined before another piece: empty, or its first content line is a column-0 key line; no `...`/`%` line. */
  joinsBefore: boolean;
  /** A key of the mapping is one LMCache knows (so the document is an LMCache config). */
  hasConfigKey: boolean;
  /** The mapping's entries LMCache knows (or remaps), in order, and its other keys, in order. */
  known: [string, unknown][];
  unknown: string[];
  /** `keyOffset` per key over the piece's column-0 lines. */
  keys: Map<string, number>;
  /** The keys this piece could place a diagnostic on: its own and those its lines match. */
  claims: string[];
  /**
   * The unknown keys' diagnostics in piece-local positions, when each is found on the piece's own
   * lines (null otherwise, or when the piece does not start at a line start); with the copy last
   * shifted to the piece's line in the document.
   */
  local: LintDiagnostic[] | null;
  shifted?: { line: number; diagnostics: LintDiagnostic[] };
}

function isKnownKey(key: string): boolean {
  return key in DEPRECATED_CONFIGS || DEFINITION_BY_KEY.has(key);
}

function parsePiece(text: string, start: number, lineInChunk: number): Piece {
  let value: unknown = null;
  let failed = false;
  try {
    value = safeLoadPyYaml(text);
  } catch {
    failed = true;
  }
  const mapping = value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  const lines = text.split("\n");
  const firstContent = lines.findIndex((l, i) => !BLANK_LINE.test(i === 0 ? l.replace(/^\uFEFF/, "") : l));
  const clean = !END_OR_DIRECTIVE.test(text);
  if (!mapping && (value !== null || firstContent >= 0)) failed = true;
  const own = mapping ? Object.keys(mapping) : [];
  const known: [string, unknown][] = [];
  const unknown: string[] = [];
  for (const k of own) {
    if (isKnownKey(k)) known.push([k, mapping![k]]);
    else unknown.push(k);
  }
  const keys = indexKeys(text);
  let local: LintDiagnostic[] | null = unknown.length === 0 ? [] : null;
  if (start === 0 && unknown.length > 0 && unknown.every((k) => !UNINDEXED_KEY.test(k) && keys.has(k))) {
    const lines = new LineIndex(text);
    const issues = unknownKeyIssues(unknown);
    local = issues.map((issue) => {
      const at = keys.get(issue.key)!;
      return diag(issue.severity === "error" ? "configValue" : "unknownConfigKey", issue.message, lines.range(at, at + issue.key.length));
    });
  }
  return {
    text,
    start,
    lineInChunk,
    mapping,
    failed,
    joinsAfter: clean && KEY_LINE.test(lines[0]!) && !MAY_ALIAS.test(text),
    joinsBefore: clean && (firstContent < 0 || KEY_LINE.test(lines[firstContent]!.replace(/^\uFEFF/, ""))),
    hasConfigKey: own.some((k) => DEFINITION_BY_KEY.has(k) || k in CONFIG_ALIASES),
    known,
    unknown,
    keys,
    claims: [...new Set([...own, ...keys.keys()])],
    local,
  };
}

/**
 * What `keyOffset(text, key)` finds, for every key it can find on a line that does not start with
 * a space or tab: `^(["']?)key\1[ \t]*:` at a line start (JS `^`: after \n, \r, U+2028, U+2029),
 * the quote form first, the first such line winning.
 */
function indexKeys(text: string): Map<string, number> {
  const keys = new Map<string, number>();
  const re = /[^\n\r\u2028\u2029]*/g;
  for (let pos = 0; pos <= text.length; ) {
    re.lastIndex = pos;
    const line = re.exec(text)![0];
    if (line.length > 0 && line[0] !== " " && line[0] !== "\t" && line.includes(":")) {
      const quoted: string[] = [];
      const plain: string[] = [];
      for (let c = line.indexOf(":"); c >= 0; c = line.indexOf(":", c + 1)) {
        const s = line.slice(0, c);
        let t = s.length;
        while (t > 0 && (s[t - 1] === " " || s[t - 1] === "\t")) t--;
        for (let j = s.length; j >= t; j--) plain.push(s.slice(0, j));
        const p = s.slice(0, t);
        if (p.length >= 2 && (p[0] === '"' || p[0] === "'") && p[p.length - 1] === p[0]) quoted.push(p.slice(1, -1));
      }
      for (const k of quoted) if (!keys.has(k)) keys.set(k, pos + 1);
      for (const k of plain) if (!keys.has(k)) keys.set(k, pos);
    }
    pos += line.length + 1;
  }
  return keys;
}

/** A chunk's pieces: the first continues the open document, each later one starts a new document. */
function splitChunk(text: string): Piece[] {
  let line = 0;
  let counted = 0;
  return documents(text).map((d) => {
    for (let k = text.indexOf("\n", counted); k >= 0 && k < d.start; k = text.indexOf("\n", k + 1)) line++;
    counted = d.start;
    return parsePiece(d.text, d.start, line);
  });
}

/** A piece placed in the text: its offset and first line. */
interface PlacedPiece {
  piece: Piece;
  at: number;
  line: number;
}

/** A YAML document's LMC025/LMC026 checks, cached per chunk (see the module comment). */
export class ConfigValueChecks {
  private readonly chunks = new Map<string, Piece[]>();
  /** Recent documents read whole (not joinable from their pieces), by text. */
  private readonly wholeDocs = new Map<string, PlacedIssue[]>();
  /** How many of the current pieces claim each key (kept up to date across lints). */
  private readonly claimCounts = new Map<string, number>();
  private pieceCounts = new Map<Piece, number>();

  /** LMC025/LMC026 for every document of the YAML text made of `chunks`: equal to {@link checkConfigValues}. */
  check(env: CheckEnv, chunks: readonly PlacedChunk[]): LintDiagnostic[] {
    const docs: PlacedPiece[][] = [[]];
    for (const { start, startLine, chunk } of chunks) {
      let pieces = this.chunks.get(chunk.text);
      if (!pieces) {
        pieces = splitChunk(chunk.text);
        this.chunks.set(chunk.text, pieces);
      }
      for (let i = 0; i < pieces.length; i++) {
        if (i > 0) docs.push([]);
        // an empty piece (a chunk starting with `---`) adds nothing to its document's text
        const piece = pieces[i]!;
        if (piece.text !== "") docs[docs.length - 1]!.push({ piece, at: start + piece.start, line: startLine + piece.lineInChunk });
      }
    }
    this.countClaims(docs);
    const out: LintDiagnostic[] = [];
    for (const doc of docs) this.checkDocument(env, doc, out);
    this.prune(chunks);
    return out;
  }

  /** Brings the claim counts from the last lint's pieces to these. */
  private countClaims(docs: readonly PlacedPiece[][]): void {
    const now = new Map<Piece, number>();
    for (const doc of docs) for (const { piece } of doc) now.set(piece, (now.get(piece) ?? 0) + 1);
    const apply = (piece: Piece, delta: number) => {
      for (const k of piece.claims) {
        const n = (this.claimCounts.get(k) ?? 0) + delta;
        if (n === 0) this.claimCounts.delete(k);
        else this.claimCounts.set(k, n);
      }
    };
    for (const [piece, n] of this.pieceCounts) if (n !== (now.get(piece) ?? 0)) apply(piece, (now.get(piece) ?? 0) - n);
    for (const [piece, n] of now) if (!this.pieceCounts.has(piece)) apply(piece, n);
    this.pieceCounts = now;
  }

  private checkDocument(env: CheckEnv, doc: readonly PlacedPiece[], out: LintDiagnostic[]): void {
    if (doc.length === 0) return;
    const docStart = doc[0]!.at;
    const joinable = doc.length === 1 || doc.every(({ piece }, i) => !piece.failed && (i === 0 ? piece.joinsBefore : piece.joinsAfter));
    if (!joinable) return placedDiagnostics(env, docStart, this.wholeDocument(doc.map((p) => p.piece.text).join("")), out);
    if (doc.length === 1 && doc[0]!.piece.failed) return;
    // the top-level mapping is the ordered merge of the pieces' mappings (duplicate keys: the last wins)
    if (!doc.some((p) => p.piece.hasConfigKey)) return;
    const offsetOf = (key: string): number => {
      if (UNINDEXED_KEY.test(key)) return keyOffset(doc.map((p) => p.piece.text).join(""), key);
      for (const { piece, at } of doc) {
        const o = piece.keys.get(key);
        if (o !== undefined) return at - docStart + o;
      }
      return -1;
    };
    // Unknown keys (each judged on its own): from the pieces' cached diagnostics when every such
    // key is claimed by its piece alone (written once, found on its own lines), else in the
    // merged mapping's order.
    if (doc.every(({ piece }) => piece.local && piece.unknown.every((k) => this.claimCounts.get(k) === 1))) {
      for (const p of doc) for (const d of shiftedLocal(p)) out.push(d);
    } else {
      const seen: Record<string, true> = {};
      for (const { piece } of doc) for (const k of piece.unknown) seen[k] = true;
      const issues = unknownKeyIssues(Object.keys(seen));
      placedDiagnostics(env, docStart, issues.map((issue) => ({ issue, at: offsetOf(issue.key) })), out);
    }
    const known: Record<string, unknown> = {};
    for (const { piece } of doc) for (const [k, v] of piece.known) known[k] = v;
    const { config, issues } = readConfigMapping(known, "lint");
    const urlIssue = remoteUrlIssue(config);
    if (urlIssue) issues.push(urlIssue);
    placedDiagnostics(env, docStart, issues.map((issue) => ({ issue, at: offsetOf(issue.key) })), out);
  }

  private wholeDocument(text: string): PlacedIssue[] {
    let hit = this.wholeDocs.get(text);
    if (!hit) {
      hit = wholeDocumentIssues(text);
      if (this.wholeDocs.size >= 8) this.wholeDocs.clear();
      this.wholeDocs.set(text, hit);
    }
    return hit;
  }

  /** Keeps the piece cache near the document's size. */
  private prune(chunks: readonly PlacedChunk[]): void {
    if (this.chunks.size <= 2 * chunks.length + 64) return;
    const present = new Set(chunks.map((c) => c.chunk.text));
    for (const text of this.chunks.keys()) if (!present.has(text)) this.chunks.delete(text);
  }
}

/** A piece's cached unknown-key diagnostics at its line in the document (the last copy reused). */
function shiftedLocal({ piece, line }: PlacedPiece): LintDiagnostic[] {
  if (line === 0) return piece.local!;
  if (piece.shifted?.line !== line) piece.shifted = { line, diagnostics: piece.local!.map((d) => shiftDiagnostic(d, line)) };
  return piece.shifted.diagnostics;
}

const unknownKeyMemo = new Map<string, ConfigIssue[]>();

/**
 * What `readConfigMapping` says about unknown keys (its "Unknown configuration key" warnings), in
 * the keys' order. Each unknown key's issues depend on that key alone, so they are memoized per key;
 * the keys not yet seen are read together, in one call.
 */
function unknownKeyIssues(keys: readonly string[]): ConfigIssue[] {
  let missing = keys.filter((k) => !unknownKeyMemo.has(k));
  if (missing.length > 0) {
    if (unknownKeyMemo.size + missing.length > 50_000) {
      unknownKeyMemo.clear();
      missing = [...keys];
    }
    const only: Record<string, unknown> = {};
    for (const k of missing) only[k] = null;
    for (const k of missing) unknownKeyMemo.set(k, []);
    for (const issue of readConfigMapping(only, "lint").issues) unknownKeyMemo.get(issue.key)?.push(issue);
  }
  const out: ConfigIssue[] = [];
  for (const k of keys) for (const issue of unknownKeyMemo.get(k) ?? []) out.push(issue);
  return out;
}

/**
 * The remote_url rules that depend on the rest of the config (resp://: `save_chunk_meta` and
 * `save_unfull_chunk` must be False), reported on `remote_url` when the URL alone passes (the
 * URL-only errors are url-checks' to report).
 */
function remoteUrlIssue(config: LMCacheEngineConfig): { key: string; severity: "error"; message: string } | null {
  const url = config.remoteUrl;
  if (typeof url !== "string") return null;
  const validate = upstreamSchemeFor(url)?.validate;
  if (!validate) return null;
  try {
    validate(url, { extraConfig: undefined });
  } catch {
    return null;
  }
  try {
    validate(url, { extraConfig: config.extraConfig ?? null, saveUnfullChunk: Boolean(config.saveUnfullChunk) });
    return null;
  } catch (error) {
    const e = error as Error;
    return { key: "remote_url", severity: "error", message: `${e.name}: ${e.message} (LMCache's adapter for ${url.slice(0, url.indexOf("://") + 3)} raises it when the connector is created)` };
  }
}
