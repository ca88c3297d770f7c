/**
 * Extracts URL-looking string literals from TypeScript/JavaScript with the TypeScript scanner
 * (`ts.createScanner`): comments are trivia and never linted; template literals with
 * substitutions are skipped (their value is not static).
 */
import type ts from "typescript";
import { typescript } from "../typescript";
import { looksLikeConnectorUrl, type Occurrence } from "../occurrences";
import { LINTED_SCHEMES } from "../checks/schemes";
import type { ChunkRules, ChunkScan } from "./chunks";

/** Tokens after which a `/` starts a regular expression, not a division. */
function regexAllowedAfter(kind: ts.SyntaxKind | undefined): boolean {
  if (kind === undefined) return true;
  const K = typescript().SyntaxKind;
  if (kind === K.Identifier || kind === K.NumericLiteral || kind === K.StringLiteral || kind === K.CloseParenToken ||
    kind === K.CloseBracketToken || kind === K.CloseBraceToken || kind === K.NoSubstitutionTemplateLiteral ||
    kind === K.TemplateTail || kind === K.ThisKeyword || kind === K.SuperKeyword || kind === K.PlusPlusToken ||
    kind === K.MinusMinusToken || kind === K.RegularExpressionLiteral) return false;
  return true;
}

let unterminated = false;
let sharedScanner: ts.Scanner | undefined;
/** One scanner for every scan, made on first use (that is when `typescript` is loaded). */
function scannerOnce(): ts.Scanner {
  const t = typescript();
  // Unterminated block comment (1010), string (1002) or template (1160): the chunk ends mid-construct.
  return (sharedScanner ??= t.createScanner(t.ScriptTarget.Latest, true, t.LanguageVariant.Standard, undefined, (message) => {
    if (message.code === 1010 || message.code === 1002 || message.code === 1160) unterminated = true;
  }));
}

/** Scans one TS/JS text; `neutral` is false when it ends inside a template, string or comment. */
export function scanTsStrings(text: string, jsx = false): ChunkScan {
  const t = typescript();
  const K = t.SyntaxKind;
  const scanner = scannerOnce();
  scanner.setLanguageVariant(jsx ? t.LanguageVariant.JSX : t.LanguageVariant.Standard);
  scanner.setText(text);
  const occurrences: Occurrence[] = [];
  const braces: boolean[] = []; // true = a template substitution `${`
  let previous: ts.SyntaxKind | undefined;
  let neutral = true;
  unterminated = false;
  for (;;) {
    let kind = scanner.scan();
    if (kind === K.EndOfFileToken) break;
    if ((kind === K.SlashToken || kind === K.SlashEqualsToken) && regexAllowedAfter(previous)) kind = scanner.reScanSlashToken();
    if (kind === K.OpenBraceToken) braces.push(false);
    else if (kind === K.TemplateHead) braces.push(true);
    else if (kind === K.CloseBraceToken && braces.length) {
      if (braces[braces.length - 1]) {
        kind = scanner.reScanTemplateToken(false);
        if (kind === K.TemplateTail) braces.pop();
      } else braces.pop();
    }
    if (kind === K.StringLiteral || kind === K.NoSubstitutionTemplateLiteral) {
      const value = scanner.getTokenValue();
      const start = scanner.getTokenStart() + 1;
      const end = scanner.getTokenEnd() - (scanner.isUnterminated() ? 0 : 1);
      if (looksLikeConnectorUrl(value, LINTED_SCHEMES)) {
        occurrences.push({ kind: "url", value, start, end, exact: text.slice(start, end) === value, fromConfig: false });
      }
    }
    if (scanner.isUnterminated()) neutral = false;
    previous = kind;
  }
  if (braces.includes(true) || unterminated) neutral = false;
  return { occurrences, neutral };
}

/** TS/JS chunking: a chunk starts at a column-0 line that is not a comment continuation or closer. */
export const tsChunkRules: ChunkRules = {
  canStartChunk: (line) => line.length > 0 && !" \t*/})]`'\".\r".includes(line[0]),
  scan: (text) => scanTsStrings(text),
};
