/**
 * The CLI and the editor give the same diagnostics for the same file (issue 5, "Done when"):
 * every file of the broken sample workspace is opened in the extension the way a user opens it
 * (workspace folder = the fixture workspace, language id from the file name as VS Code assigns
 * it), and `lmcache-connector lint <workspace> --format json` runs in-process on the same folder.
 * Both sides are brought to the CLI's JSON shape and compared file by file.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as vscode from "vscode";
import { main } from "../../runtime/src/cli/main";
import type { LintJsonRecord } from "../../runtime/src/cli/commands/lint";
import { ALL_LINT_CODES, clearModuleAnalysisCache, forgetDocument } from "../../runtime/src/lint";
import { isLintable } from "../src/documents";
import { fake, type FakeTextDocument } from "./fake-vscode";
import { activateExtension, deactivateExtension } from "./workspace";

const WORKSPACE = path.resolve(__dirname, "../../test/fixtures/lint-workspace");

/** The language id stock VS Code gives a file when it is opened (by name, then by extension). */
function vscodeLanguageId(file: string): string {
  const base = path.basename(file);
  if (base === ".env" || base.startsWith(".env.") || base.endsWith(".env")) return "dotenv";
  const byExt: Record<string, string> = {
    ".yaml": "yaml", ".yml": "yaml", ".json": "json", ".sh": "shellscript", ".bash": "shellscript",
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "typescriptreact",
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascriptreact",
    ".py": "python", ".md": "markdown",
  };
  return byExt[path.extname(base).toLowerCase()] ?? "plaintext";
}

/** Every file a user could open in the workspace (the CLI's skipped folders left out, nothing else). */
function allFiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!["node_modules", ".git", "dist"].includes(e.name)) allFiles(full, out);
    } else if (e.isFile()) out.push(full);
  }
  return out.sort();
}

/** The comparable part of a finding: everything in the CLI's JSON record except the file. */
type Finding = Omit<LintJsonRecord, "file">;

const SEVERITY_NAMES: Record<number, LintJsonRecord["severity"] | "hint"> = {
  [vscode.DiagnosticSeverity.Error]: "error",
  [vscode.DiagnosticSeverity.Warning]: "warning",
  [vscode.DiagnosticSeverity.Information]: "information",
  [vscode.DiagnosticSeverity.Hint]: "hint",
};

/** A published diagnostic in the CLI's shape (1-based lines and columns, severity name, code string). */
function fromEditor(d: vscode.Diagnostic): Finding {
  const code = typeof d.code === "object" ? String(d.code.value) : String(d.code);
  return {
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    endLine: d.range.end.line + 1,
    endColumn: d.range.end.character + 1,
    severity: SEVERITY_NAMES[d.severity] as LintJsonRecord["severity"],
    code,
    message: d.message,
  };
}

const byPosition = (a: Finding, b: Finding) =>
  a.line - b.line || a.column - b.column || a.endLine - b.endLine || a.endColumn - b.endColumn || a.code.localeCompare(b.code) || a.message.localeCompare(b.message);

/** What the CLI says about `root` (run from `root`), keyed by absolute file path. */
async function cliFindings(root: string): Promise<{ exit: number; byFile: Map<string, Finding[]> }> {
  let out = "";
  let err = "";
  const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t), isTTY: false, cwd: root, env: process.env };
  const exit = await main(["lint", root, "--format", "json"], io);
  expect(err).toBe("");
  const byFile = new Map<string, Finding[]>();
  for (const { file, ...finding } of JSON.parse(out) as LintJsonRecord[]) {
    const full = path.resolve(root, file);
    byFile.set(full, [...(byFile.get(full) ?? []), finding]);
  }
  for (const list of byFile.values()) list.sort(byPosition);
  return { exit, byFile };
}

let context: ReturnType<typeof activateExtension>["context"] | undefined;

beforeEach(() => fake.reset());
afterEach(() => {
  if (context) deactivateExtension(context);
  context = undefined;
});

/** Forgets the core's per-document and per-module caches, so each side computes from scratch. */
function forgetCore(files: string[]): void {
  for (const f of files) forgetDocument(f);
  clearModuleAnalysisCache();
}

/**
 * Opens every file under `root` in the extension (workspace folder = `root`) and runs the CLI on
 * `root`; returns both sides' findings per absolute file path (files without findings left out).
 */
async function bothSides(root: string): Promise<{ files: string[]; editor: Map<string, Finding[]>; cli: Map<string, Finding[]>; exit: number }> {
  const files = allFiles(root);
  forgetCore(files);

  fake.setWorkspaceFolder(root);
  ({ context } = activateExtension());
  const collection = fake.host.collections[0];
  const docs: FakeTextDocument[] = files.map((f) => fake.open(f, fs.readFileSync(f, "utf8"), vscodeLanguageId(f)));
  const linted = docs.filter((d) => isLintable(d as unknown as vscode.TextDocument));
  // Every lintable document gets a (possibly empty) publication.
  await vi.waitFor(() => { for (const d of linted) expect(collection.get(d.uri), d.uri.fsPath).toBeDefined(); }, { timeout: 20_000, interval: 10 });
  const editor = new Map<string, Finding[]>();
  for (const d of docs) {
    const published = (collection.get(d.uri) ?? []).filter((x) => x.source === "lmcache").map((x) => fromEditor(x as unknown as vscode.Diagnostic)).sort(byPosition);
    if (published.length) editor.set(d.uri.fsPath, published);
  }

  forgetCore(files);
  const { exit, byFile } = await cliFindings(root);
  return { files, editor, cli: byFile, exit };
}

/** Asserts both sides agree on every file, and that the CLI names no file the editor was not given. */
function expectParity({ files, editor, cli }: { files: string[]; editor: Map<string, Finding[]>; cli: Map<string, Finding[]> }, root: string): void {
  for (const file of files) {
    expect(editor.get(file) ?? [], path.relative(root, file)).toEqual(cli.get(file) ?? []);
  }
  expect([...cli.keys()].filter((f) => !files.includes(f))).toEqual([]);
}

const codesIn = (m: Map<string, Finding[]>) => new Set([...m.values()].flat().map((f) => f.code));

describe("CLI / editor parity", () => {
  it("publishes, for every file of the sample workspace, exactly the findings `lint --format json` prints", async () => {
    const sides = await bothSides(WORKSPACE);
    expect(sides.exit).toBe(1);
    // Guard against a vacuous comparison: findings in several files.
    expect(sides.cli.size).toBeGreaterThan(3);
    expectParity(sides, WORKSPACE);

    // Together they show every documented code, and nothing undocumented; clean* files show none.
    const documented = new Set(ALL_LINT_CODES.map((c) => c.code));
    expect(codesIn(sides.editor)).toEqual(documented);
    expect(codesIn(sides.cli)).toEqual(documented);
    expect(sides.files.filter((f) => path.basename(f).startsWith("clean") && (sides.editor.has(f) || sides.cli.has(f)))).toEqual([]);
  });

  it("checks a source's plugin:// URLs against the plugins the workspace's configs declare, on both sides", async () => {
    // src/plugin_urls.ts names plugin://srcstore (declared by config/.env.plugins) and plugin://srcstroe (declared nowhere).
    const sides = await bothSides(WORKSPACE);
    expectParity(sides, WORKSPACE);
    const source = path.join(WORKSPACE, "src", "plugin_urls.ts");
    const lines = fs.readFileSync(source, "utf8").split("\n");
    for (const side of [sides.editor, sides.cli]) {
      const found = (side.get(source) ?? []).filter((f) => f.code === "LMC015");
      expect(found.map((f) => lines[f.line - 1].slice(f.column - 1, f.endColumn - 1))).toEqual(["srcstroe"]);
      expect(found[0].message).toContain("'srcstore'");
    }
  });

  it("checks a config's plugin:// URL against that config's own remote_storage_plugins, on both sides", async () => {
    // LMCache loads one config: a plugin declared only by a sibling config is unknown to this one.
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "lmcache-parity-"));
    try {
      fs.writeFileSync(path.join(root, "a.yaml"), 'remote_url: "plugin://bstore"\nremote_storage_plugins: ["astore"]\n');
      fs.writeFileSync(path.join(root, "b.yaml"), 'remote_storage_plugins: ["bstore"]\n');
      const sides = await bothSides(root);
      expectParity(sides, root);
      const a = sides.cli.get(path.join(root, "a.yaml")) ?? [];
      expect(a.map((f) => f.code)).toContain("LMC015");
      expect(a.find((f) => f.code === "LMC015")!.message).toContain("declared: 'astore')");
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
