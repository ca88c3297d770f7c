/**
 * The plugin names the workspace's LMCache configs declare, for the `plugin://` URLs in source
 * files (LMC015) — the names `lmcache-connector lint <workspace folder>` gives sources. The file
 * set (the CLI's folder walk), what counts as a config and how names are read and merged all come
 * from the lint core; this module only keeps the result current per workspace folder, with a
 * FileSystemWatcher, and says when a folder's names changed. Configs are read from disk, as the
 * CLI reads them: unsaved edits to a config count once saved.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { readRegularTextFile } from "../../runtime/src/files/read-text-file";
import { loadLintCore } from "./core";
import { KeyedDebouncer } from "./debounce";

/** Config files whose declarations can change (narrowed further by the core's walk rules). */
export const CONFIG_FILE_GLOB = "**/{*.yaml,*.yml,*.json,*.sh,.env*}";

/** Bursts of file events (a save, a branch switch) settle for this long before re-reading. */
const FILE_DEBOUNCE_MS = 150;

/** One workspace folder's index: declared names per config file, and their merge for sources. */
interface FolderIndex {
  perFile: Map<string, string[]>;
  names: string[] | undefined;
}

/** Indexes declared plugin names per workspace folder and keeps them current. */
export class WorkspacePlugins implements vscode.Disposable {
  private readonly folders = new Map<string, Promise<FolderIndex>>();
  private readonly settled = new Map<string, FolderIndex>();
  private readonly changed = new vscode.EventEmitter<string>();
  private readonly debouncer = new KeyedDebouncer<string>(FILE_DEBOUNCE_MS);
  private readonly subscriptions: vscode.Disposable[];

  /** Fires with a workspace folder's path when the names its configs declare changed. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: vscode.LogOutputChannel) {
    const watcher = vscode.workspace.createFileSystemWatcher(CONFIG_FILE_GLOB);
    const onFile = (uri: vscode.Uri) => this.onFile(uri);
    this.subscriptions = [watcher, watcher.onDidChange(onFile), watcher.onDidCreate(onFile), watcher.onDidDelete(onFile)];
  }

  /** The workspace folder `uri` is in (on disk), else undefined. */
  static folderOf(uri: vscode.Uri): string | undefined {
    const folder = uri.scheme === "file" ? vscode.workspace.getWorkspaceFolder(uri) : undefined;
    return folder?.uri.scheme === "file" ? folder.uri.fsPath : undefined;
  }

  /** Indexes `root` on first call; resolves once its names are known. */
  async ready(root: string): Promise<void> {
    await this.indexOf(root);
  }

  /** The names sources under workspace folder `root` are checked against (as last indexed). */
  readonly namesFor = (root: string): string[] | undefined => this.settled.get(root)?.names;

  private indexOf(root: string): Promise<FolderIndex> {
    let index = this.folders.get(root);
    if (!index) {
      index = this.build(root);
      this.folders.set(root, index);
    }
    return index;
  }

  private async build(root: string): Promise<FolderIndex> {
    const core = await loadLintCore();
    const started = performance.now();
    const perFile = new Map<string, string[]>();
    let files: string[] = [];
    try {
      files = core.walkLintableFiles(root).filter((f) => core.isConfigFile(f));
    } catch (error) {
      this.log.warn(`indexing plugin names under ${root} failed: ${(error as Error).message}`);
    }
    for (const file of files) perFile.set(file, await this.readNames(file));
    const index: FolderIndex = { perFile, names: core.pluginNamesForSources(perFile.values()) };
    this.settled.set(root, index);
    this.log.debug(`indexed ${files.length} config file(s) under ${root} in ${(performance.now() - started).toFixed(1)} ms: plugins ${index.names?.join(", ") ?? "none"}`);
    return index;
  }

  /**
   * A config's declared names now; none when it is gone or unreadable. Read as the CLI reads lint
   * files (`readRegularTextFile`): a FIFO, a device or a file over 8 MiB (a symlink to /dev/zero)
   * declares nothing instead of hanging the extension host or filling its memory.
   */
  private async readNames(file: string): Promise<string[]> {
    const core = await loadLintCore();
    let text: string;
    try {
      text = readRegularTextFile(file);
    } catch (error) {
      if ((error as Error).name === "OSError") this.log.warn(`${file}: ${(error as Error).message}`);
      return [];
    }
    return core.declaredPluginNames({ path: file, text });
  }

  private onFile(uri: vscode.Uri): void {
    const root = WorkspacePlugins.folderOf(uri);
    // Folders nobody asked about are indexed from scratch when first needed.
    if (root === undefined || !this.folders.has(root)) return;
    this.debouncer.schedule(uri.fsPath, () => void this.update(root, uri.fsPath));
  }

  private async update(root: string, file: string): Promise<void> {
    const core = await loadLintCore();
    if (!core.isWalkedPath(path.relative(root, file)) || !core.isConfigFile(file)) return;
    const index = await this.indexOf(root);
    const names = await this.readNames(file);
    if (fs.existsSync(file)) index.perFile.set(file, names);
    else index.perFile.delete(file);
    const merged = core.pluginNamesForSources(index.perFile.values());
    if (JSON.stringify(merged) === JSON.stringify(index.names)) return;
    index.names = merged;
    this.log.debug(`${vscode.workspace.asRelativePath(file)} changed the declared plugins: ${merged?.join(", ") ?? "none"}`);
    this.changed.fire(root);
  }

  dispose(): void {
    this.debouncer.dispose();
    this.changed.dispose();
    for (const s of this.subscriptions) s.dispose();
    this.folders.clear();
    this.settled.clear();
  }
}
