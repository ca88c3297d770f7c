/**
 * Result shapes of the connector-URL linter (ours, the kit's; LMCache has no linter). Positions
 * are 0-based lines and UTF-16 characters, like LSP, so the VS Code extension maps them 1:1.
 */

/** A 0-based position (LSP style). */
export interface LintPosition {
  line: number;
  character: number;
}

/** A half-open range between two positions (LSP style). */
export interface LintRange {
  start: LintPosition;
  end: LintPosition;
}

/** Diagnostic severity, named as in LSP. */
export type LintSeverity = "error" | "warning" | "information";

/** One text replacement; `range` may be empty (an insertion). */
export interface LintTextEdit {
  range: LintRange;
  newText: string;
}

/** A quick fix: a titled set of edits applied together. */
export interface LintFix {
  title: string;
  edits: LintTextEdit[];
}

/** One finding. `code` is stable (`LMC001`…) and documented at docs/diagnostics.md#<code lower-cased>. */
export interface LintDiagnostic {
  code: string;
  severity: LintSeverity;
  message: string;
  range: LintRange;
  fixes: LintFix[];
  /**
   * When the finding is an error LMCache itself would raise for this URL: the Python exception
   * name and LMCache's message, exactly as the runtime parser throws them.
   */
  raises?: { name: string; message: string };
}

/** A document to lint: its path (used to pick the language and to resolve modules) and text. */
export interface LintDocument {
  path: string;
  text: string;
  /** Overrides detection from the file name: "yaml" | "json" | "env" | "shell" | "typescript" | "javascript" | "python". */
  languageId?: string;
}

/** Where modules are looked up and what the surrounding configuration declares. */
export interface LintContext {
  /** Workspace root: module paths resolve against it first (the runtime's `cwd`). */
  cwd: string;
  /** Extra roots tried after `cwd`, like the runtime's `searchPaths` / Python's `sys.path`. */
  searchPaths?: string[];
  /**
   * Plugin names declared elsewhere (e.g. in the workspace's LMCache YAML) for `plugin://` URLs
   * found in source files. When undefined and the document declares none, source-file `plugin://`
   * URLs are not checked (we cannot know the configuration they will run under).
   */
  remoteStoragePlugins?: string[];
  /** Environment for `LMCACHE_CONNECTOR_PATH`, `PYTHONPATH` and `LMCACHE_PYTHON`; default `process.env`. */
  env?: Record<string, string | undefined>;
  /**
   * Whether the linter may start the Python interpreter to ask for its `sys.path` (site-packages),
   * so installed connectors resolve. It runs no workspace code, but Python's `site` runs the
   * `.pth` files of site-packages: the CLI sets it, the editor only in a trusted workspace.
   * Default false (nothing is run).
   */
  runInterpreter?: boolean;
  /** The interpreter asked for `sys.path` (default: `LMCACHE_PYTHON`, else discovered; see python-sys-path.ts). */
  python?: string;
}
