/**
 * "LMCache: New Connector Project…" and "LMCache: Add Connector Class…": ask the generator's
 * questions (`PROMPTS`, shared with `yo lmcache-connector`) with InputBox/QuickPick, render through
 * the same pure renderer, write the files — asking before replacing any existing file with
 * different content — and open the new connector class.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";

/** One question, as the shared renderer describes it (generator/src/render/prompts.ts). */
export interface PromptSpec {
  name: string;
  kind: "input" | "list" | "checkbox" | "confirm";
  message: string;
  choices?: { value: string; label: string; description: string }[];
  default: (earlier: Record<string, unknown>) => string | boolean | string[];
  validate?: (value: unknown) => true | string;
}

/** A rendered file tree: project-relative POSIX path → contents. */
export type FileTree = Map<string, string | Uint8Array>;

/** The parts of the shared renderer the commands use. */
export interface Renderer {
  PROMPTS: readonly PromptSpec[];
  renderProject(answers: Record<string, unknown>): FileTree;
  renderConnectorClass(answers: Record<string, unknown>, project: ExistingProject): FileTree;
  projectFolder(name: string): string;
  /** The files an added class rewrites without asking (they are the author's, with an entry added). */
  CONNECTOR_MERGED_FILES: ReadonlySet<string>;
  /** Where `yo` also writes the packed runtime (`vendor/…tgz`). */
  RUNTIME_TARBALL_PATH?: string;
  vendoredRuntimeTarball?(fromDir?: string): Uint8Array;
}

/** A project on disk, as `renderConnectorClass` reads it. */
export interface ExistingProject {
  read(relativePath: string): string | null;
}

/** Loads the shared renderer lazily (it is only needed when a scaffolding command runs). */
export async function loadRenderer(): Promise<Renderer> {
  return (await import("../../generator/src/render/index.js")) as unknown as Renderer;
}

/**
 * Every file `yo lmcache-connector` writes for `answers`: the rendered tree plus the packed runtime
 * (`vendor/…tgz`), looked up next to the bundle and then in the repository's `generator/vendor`.
 * Without a packed runtime (a checkout that was not built) the tree is written without it and
 * `missing` says so.
 */
export function projectTree(renderer: Renderer, answers: Record<string, unknown>, extensionPath?: string): FileTree & { missing?: string } {
  const tree: FileTree & { missing?: string } = new Map(renderer.renderProject(answers));
  if (renderer.RUNTIME_TARBALL_PATH && renderer.vendoredRuntimeTarball && !tree.has(renderer.RUNTIME_TARBALL_PATH)) {
    const dirs = [undefined, ...(extensionPath ? [path.join(extensionPath, "dist"), path.join(extensionPath, "generator", "dist")] : [])];
    for (const dir of dirs) {
      try {
        tree.set(renderer.RUNTIME_TARBALL_PATH, renderer.vendoredRuntimeTarball(dir));
        delete tree.missing;
        break;
      } catch (err) {
        tree.missing = (err as Error).message;
      }
    }
  }
  return tree;
}

const BOOL_ITEMS = [{ label: "Yes", value: true }, { label: "No", value: false }];

/** Asks `prompts` in order; undefined when the user cancels one. */
export async function askPrompts(prompts: readonly PromptSpec[], skip: ReadonlySet<string>, title: string): Promise<Record<string, unknown> | undefined> {
  const answers: Record<string, unknown> = {};
  const shown = prompts.filter((p) => !skip.has(p.name));
  for (const [i, p] of shown.entries()) {
    const step = `${title} (${i + 1}/${shown.length})`;
    const def = p.default(answers);
    let value: unknown;
    if (p.kind === "input") {
      value = await vscode.window.showInputBox({
        title: step,
        prompt: p.message,
        value: String(def),
        ignoreFocusOut: true,
        validateInput: (v: string) => {
          const r = p.validate?.(v);
          return r === undefined || r === true ? undefined : r;
        },
      });
    } else if (p.kind === "list") {
      const items = (p.choices ?? []).map((c) => ({ label: c.label, description: c.description, value: c.value, picked: c.value === def }));
      items.sort((a, b) => Number(b.picked) - Number(a.picked));
      value = ((await vscode.window.showQuickPick(items, { title: step, placeHolder: p.message, ignoreFocusOut: true })) as { value: string } | undefined)?.value;
    } else if (p.kind === "checkbox") {
      const wanted = Array.isArray(def) ? def : [];
      const items = (p.choices ?? []).map((c) => ({ label: c.label, description: c.description, value: c.value, picked: wanted.includes(c.value) }));
      const picked = (await vscode.window.showQuickPick(items, { title: step, placeHolder: p.message, canPickMany: true, ignoreFocusOut: true })) as { value: string }[] | undefined;
      value = picked?.map((c) => c.value);
    } else {
      const items = def ? BOOL_ITEMS : [...BOOL_ITEMS].reverse();
      value = ((await vscode.window.showQuickPick(items, { title: step, placeHolder: p.message, ignoreFocusOut: true })) as { value: boolean } | undefined)?.value;
    }
    if (value === undefined) return undefined;
    answers[p.name] = value;
  }
  return answers;
}

function sameContent(file: string, contents: string | Uint8Array): boolean {
  try {
    const current = fs.readFileSync(file);
    return Buffer.compare(current, typeof contents === "string" ? Buffer.from(contents, "utf8") : Buffer.from(contents)) === 0;
  } catch {
    return false;
  }
}

/**
 * Writes `tree` under `root`. Existing files with other contents are listed and replaced only when
 * the user picks "Overwrite" (paths in `updates` are edits of files the renderer read, e.g. adding
 * a launch configuration, and need no question). Returns false when nothing was written.
 */
export async function writeTree(root: string, tree: FileTree, updates: ReadonlySet<string> = new Set()): Promise<boolean> {
  const conflicts = [...tree].filter(([rel, contents]) => !updates.has(rel) && fs.existsSync(path.join(root, rel)) && !sameContent(path.join(root, rel), contents)).map(([rel]) => rel);
  if (conflicts.length > 0) {
    const overwrite = "Overwrite";
    const choice = await vscode.window.showWarningMessage(
      `${conflicts.length} file(s) already exist in ${root} with other contents: ${conflicts.slice(0, 5).join(", ")}${conflicts.length > 5 ? ", …" : ""}. Overwrite them?`,
      { modal: true },
      overwrite,
    );
    if (choice !== overwrite) return false;
  }
  for (const [rel, contents] of tree) {
    const file = path.join(root, ...rel.split("/"));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, contents);
  }
  return true;
}

/** The rendered connector source of `className` (the file to open). */
export function classFile(tree: FileTree, className: string): string | undefined {
  // TypeScript `class X extends`, Python `class X(RemoteConnector)`.
  return [...tree.keys()].find((rel) => rel.startsWith("src/") && /\.(ts|py)$/.test(rel) && new RegExp(`\\bclass ${className}[ (]`).test(String(tree.get(rel))));
}

/** The project folder `root`, read on demand. */
export function readProject(root: string): ExistingProject {
  return {
    read(rel: string): string | null {
      try {
        return fs.readFileSync(path.join(root, ...rel.split("/")), "utf8");
      } catch {
        return null;
      }
    },
  };
}

/** The two commands, with the renderer and the log injected. */
export class Scaffolder {
  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly renderer: () => Promise<Renderer> = loadRenderer,
    private readonly extensionPath?: string,
  ) {}

  /** "New Connector Project…": returns the project folder, or undefined when cancelled. */
  async newProject(): Promise<string | undefined> {
    const renderer = await this.renderer();
    let parent = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!parent) {
      const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: "Create the project here", title: "New Connector Project: parent folder" });
      parent = picked?.[0]?.fsPath;
    }
    if (!parent) return undefined;
    const answers = await askPrompts(renderer.PROMPTS, new Set(), "New Connector Project");
    if (!answers) return undefined;
    let tree: FileTree;
    try {
      tree = projectTree(renderer, answers, this.extensionPath);
      const missing = (tree as { missing?: string }).missing;
      if (missing) this.log.warn(`new project: written without the packed runtime: ${missing}`);
    } catch (err) {
      void vscode.window.showErrorMessage(`Nothing was written: ${(err as Error).message}`);
      return undefined;
    }
    const root = path.join(parent, renderer.projectFolder(String(answers.name)));
    if (!(await writeTree(root, tree))) {
      this.log.info(`new project: cancelled, nothing written to ${root}`);
      return undefined;
    }
    this.log.info(`new project: wrote ${tree.size} file(s) to ${root}`);
    await this.open(root, tree, String(answers.className));
    return root;
  }

  /** "Add Connector Class…" to the project of the first workspace folder with a package.json. */
  async addConnectorClass(): Promise<string | undefined> {
    const renderer = await this.renderer();
    const root = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath).find((p) => fs.existsSync(path.join(p, "package.json")));
    if (!root) {
      void vscode.window.showErrorMessage("Add Connector Class needs a connector project (a folder with package.json): run \"LMCache: New Connector Project…\" first.");
      return undefined;
    }
    // Project-level questions are not asked: the class takes its project's language.
    const answers = await askPrompts(renderer.PROMPTS, new Set(["name", "ci", "language"]), "Add Connector Class");
    if (!answers) return undefined;
    let tree: FileTree;
    try {
      tree = renderer.renderConnectorClass(answers, readProject(root));
    } catch (err) {
      void vscode.window.showErrorMessage(`Nothing was written: ${(err as Error).message}`);
      return undefined;
    }
    if (!(await writeTree(root, tree, renderer.CONNECTOR_MERGED_FILES))) return undefined;
    this.log.info(`add connector class: wrote ${[...tree.keys()].join(", ")} in ${root}`);
    await this.open(root, tree, String(answers.className));
    return root;
  }

  private async open(root: string, tree: FileTree, className: string): Promise<void> {
    const rel = classFile(tree, className);
    if (rel) await vscode.window.showTextDocument(vscode.Uri.file(path.join(root, ...rel.split("/"))));
  }
}
