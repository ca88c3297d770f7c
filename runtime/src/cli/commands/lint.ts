/**
 * `lmcache-connector lint <files or folders…> [--format text|json] [--cwd DIR]` (ours): lints
 * connector URLs and plugin settings in LMCache configs, env files, shell scripts and TS/JS/Python
 * sources. Exit code 1 when an error was found, 0 otherwise, 2 on bad usage.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { formatFlag, readCommandLine, stringFlag, UsageError } from "../argv";
import { lintDocument } from "../../lint/linter";
import { detectLanguage } from "../../lint/language";
import { isConfigFile, walkLintableFiles } from "../../lint/lint-files";
import { declaredPluginNames, pluginNamesForSources } from "../../lint/declared-plugins";
import type { LintContext, LintDiagnostic } from "../../lint/types";
import type { CliCommand } from "../command";
import { readRegularTextFile } from "../../files/read-text-file";
import { escapeControls } from "../../files/terminal-text";

const USAGE = `Usage: lmcache-connector lint <files or folders…> [--format text|json] [--cwd DIR] [--python PATH]

Checks connector URLs (remote_url, LMCACHE_REMOTE_URL, string literals), remote_storage_plugins
and their extra_config keys the way LMCache would load them. Folders are walked (node_modules,
.git and dist skipped) for *.yaml *.yml *.json .env* *.sh *.ts *.js *.mjs *.py. Module paths
resolve against --cwd (default: the current directory), then, for Python, PYTHONPATH and the
interpreter's sys.path (--python, else LMCACHE_PYTHON, else python3/usr/bin/python3 with torch;
asked once, no connector code runs). Diagnostic codes: docs/diagnostics.md.
Only regular files up to 8 MiB are read: a FIFO, device or larger file is refused with a message
(exit code 2). Text output shows control bytes from files escaped (ESC as \\x1b).
Exit code 1 when an error was found, 2 for bad usage or a file that could not be read.
`;

/** One finding in the JSON output (1-based lines and columns). */
export interface LintJsonRecord {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: LintDiagnostic["severity"];
  code: string;
  message: string;
}

/** The lintable files a command-line argument names: the file itself, or those walked in a folder. */
function filesOf(full: string, given: string): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(full);
  } catch {
    throw new UsageError(`no such file or folder: ${given}`);
  }
  if (!stat.isDirectory()) return [full];
  return walkLintableFiles(full);
}

const command: CliCommand = {
  summary: "lint connector URLs and plugin settings in configs and sources",
  async run(args, io) {
    const line = readCommandLine(args, io, { name: "lint", usage: USAGE }, { values: ["format", "cwd", "python"] }, (parsed) => {
      if (!parsed.positionals.length) throw new UsageError("expected at least one file or folder");
      return {
        format: formatFlag(parsed, ["text", "json"] as const),
        cwd: path.resolve(io.cwd, stringFlag(parsed, "cwd", ".")),
        python: stringFlag(parsed, "python", "") || undefined,
        files: parsed.positionals.flatMap((p) => filesOf(path.resolve(io.cwd, p), p)),
      };
    });
    if (typeof line === "number") return line;
    const { format, cwd, files, python } = line;

    const docs: { path: string; text: string }[] = [];
    let unreadable = 0;
    for (const file of files) {
      if (detectLanguage(file) === null) continue;
      try {
        docs.push({ path: file, text: readRegularTextFile(file) });
      } catch (e) {
        unreadable++;
        const text = (e as NodeJS.ErrnoException).code ? `cannot read '${file}': ${(e as Error).message}` : (e as Error).message;
        io.stderr(`lmcache-connector lint: ${escapeControls(text, "")}\n`);
      }
    }
    // Plugin names declared by any config linted in this run apply to plugin:// URLs in sources.
    // A config itself is checked against its own declarations only, as the editor checks it and as
    // LMCache loads it: another config's remote_storage_plugins never reach this one's engine.
    // The user runs the CLI on their own files: asking the interpreter for its sys.path is allowed.
    const configCtx: LintContext = { cwd, env: io.env, runInterpreter: true, ...(python ? { python } : {}) };
    const sourceCtx: LintContext = { ...configCtx, remoteStoragePlugins: pluginNamesForSources(docs.map(declaredPluginNames)) };
    const records: LintJsonRecord[] = [];
    for (const doc of docs) {
      for (const d of lintDocument(doc, isConfigFile(doc.path) ? configCtx : sourceCtx)) {
        records.push({
          file: path.relative(io.cwd, doc.path) || doc.path,
          line: d.range.start.line + 1,
          column: d.range.start.character + 1,
          endLine: d.range.end.line + 1,
          endColumn: d.range.end.character + 1,
          severity: d.severity,
          code: d.code,
          message: d.message,
        });
      }
    }
    if (format === "json") io.stdout(JSON.stringify(records, null, 2) + "\n");
    else {
      // file names and messages quote the files' text: no control byte reaches the terminal
      for (const r of records) io.stdout(escapeControls(`${r.file}:${r.line}:${r.column}: ${r.severity} ${r.code} ${r.message}`, "") + "\n");
      const errors = records.filter((r) => r.severity === "error").length;
      io.stdout(`${docs.length} file(s) checked, ${errors} error(s), ${records.length - errors} other finding(s)\n`);
    }
    if (unreadable > 0) return 2;
    return records.some((r) => r.severity === "error") ? 1 : 0;
  },
};

export default command;
