/**
 * A small, honest fake of the `vscode` API surface the extension uses, for unit tests without a
 * VS Code binary (aliased as `vscode` in vitest.config.mts). Values behave like VS Code's (ranges,
 * URIs, edits, diagnostics); host state and recordings live in {@link fake}.
 */
import * as path from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";

type Listener<T> = (e: T) => unknown;

export class Disposable {
  constructor(private readonly fn: () => void = () => {}) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((i) => i.dispose()));
  }
  dispose(): void { this.fn(); }
}

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  readonly event = (listener: Listener<T>): Disposable => {
    this.listeners.push(listener);
    return new Disposable(() => { this.listeners = this.listeners.filter((l) => l !== listener); });
  };
  fire(e: T): void { for (const l of [...this.listeners]) l(e); }
  get listenerCount(): number { return this.listeners.length; }
  dispose(): void { this.listeners = []; }
}

export class Position {
  constructor(readonly line: number, readonly character: number) {}
  isEqual(o: Position): boolean { return o.line === this.line && o.character === this.character; }
  isBefore(o: Position): boolean { return this.line < o.line || (this.line === o.line && this.character < o.character); }
  isBeforeOrEqual(o: Position): boolean { return this.isEqual(o) || this.isBefore(o); }
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: Position | number, b: Position | number, c?: number, d?: number) {
    this.start = typeof a === "number" ? new Position(a, b as number) : a;
    this.end = typeof a === "number" ? new Position(c!, d!) : (b as Position);
  }
  isEqual(o: Range): boolean { return this.start.isEqual(o.start) && this.end.isEqual(o.end); }
  contains(p: Position | Range): boolean {
    if (p instanceof Range) return this.contains(p.start) && this.contains(p.end);
    return this.start.isBeforeOrEqual(p) && p.isBeforeOrEqual(this.end);
  }
  get isEmpty(): boolean { return this.start.isEqual(this.end); }
}

export class Selection extends Range {}

export class Uri {
  private constructor(readonly scheme: string, readonly authority: string, readonly path: string, readonly query: string, readonly fragment: string) {}
  static file(p: string): Uri { return new Uri("file", "", pathToFileURL(p).pathname, "", ""); }
  static parse(s: string): Uri {
    const m = /^([a-zA-Z][\w+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(s);
    if (!m) throw new Error(`bad uri ${s}`);
    return new Uri(m[1], m[2] ?? "", m[3], m[4] ?? "", m[5] ?? "");
  }
  static joinPath(base: Uri, ...parts: string[]): Uri { return base.with({ path: path.posix.join(base.path, ...parts) }); }
  with(change: { scheme?: string; authority?: string; path?: string; query?: string; fragment?: string }): Uri {
    return new Uri(change.scheme ?? this.scheme, change.authority ?? this.authority, change.path ?? this.path, change.query ?? this.query, change.fragment ?? this.fragment);
  }
  get fsPath(): string { return this.scheme === "file" ? fileURLToPath(`file://${this.path}`) : this.path; }
  toString(): string {
    return `${this.scheme}:${this.scheme === "file" || this.authority ? `//${this.authority}` : ""}${this.path}${this.query ? `?${this.query}` : ""}${this.fragment ? `#${this.fragment}` : ""}`;
  }
}

export enum DiagnosticSeverity { Error = 0, Warning = 1, Information = 2, Hint = 3 }

export class Diagnostic {
  source?: string;
  code?: string | number | { value: string | number; target: Uri };
  constructor(public range: Range, public message: string, public severity: DiagnosticSeverity = DiagnosticSeverity.Error) {}
}

export class CodeActionKind {
  static readonly Empty = new CodeActionKind("");
  static readonly QuickFix = new CodeActionKind("quickfix");
  static readonly Refactor = new CodeActionKind("refactor");
  constructor(readonly value: string) {}
  append(part: string): CodeActionKind { return new CodeActionKind(this.value ? `${this.value}.${part}` : part); }
  contains(other: CodeActionKind): boolean { return this.value === "" || other.value === this.value || other.value.startsWith(`${this.value}.`); }
  intersects(other: CodeActionKind): boolean { return this.contains(other) || other.contains(this); }
}

export class TextEdit {
  constructor(readonly range: Range, readonly newText: string) {}
}

export class WorkspaceEdit {
  private readonly edits: [Uri, TextEdit][] = [];
  replace(uri: Uri, range: Range, newText: string): void { this.edits.push([uri, new TextEdit(range, newText)]); }
  insert(uri: Uri, position: Position, newText: string): void { this.replace(uri, new Range(position, position), newText); }
  entries(): [Uri, TextEdit[]][] {
    const byUri = new Map<string, [Uri, TextEdit[]]>();
    for (const [uri, edit] of this.edits) {
      const entry = byUri.get(uri.toString()) ?? [uri, []];
      entry[1].push(edit);
      byUri.set(uri.toString(), entry);
    }
    return [...byUri.values()];
  }
  get size(): number { return this.entries().length; }
}

export class CodeAction {
  edit?: WorkspaceEdit;
  diagnostics?: Diagnostic[];
  isPreferred?: boolean;
  constructor(public title: string, public kind?: CodeActionKind) {}
}

export class MarkdownString {
  isTrusted?: boolean;
  constructor(public value = "") {}
  appendMarkdown(v: string): this { this.value += v; return this; }
}

export class Hover {
  readonly contents: MarkdownString[];
  constructor(contents: MarkdownString | MarkdownString[], public range?: Range) {
    this.contents = Array.isArray(contents) ? contents : [contents];
  }
}

export enum CompletionItemKind { Text = 0, Method = 1, Function = 2, Field = 4, Variable = 5, Class = 6, Module = 8, Property = 9 }

export class CompletionItem {
  range?: Range;
  detail?: string;
  sortText?: string;
  constructor(public label: string, public kind?: CompletionItemKind) {}
}

export class DocumentLink {
  tooltip?: string;
  constructor(public range: Range, public target?: Uri) {}
}

/** A text document held by the fake host; edits go through {@link fake.edit} or `workspace.applyEdit`. */
export class FakeTextDocument {
  version = 1;
  isClosed = false;
  isDirty = false;
  constructor(readonly uri: Uri, public languageId: string, private text: string) {}
  get fileName(): string { return this.uri.fsPath; }
  get lineCount(): number { return this.text.split("\n").length; }
  getText(range?: Range): string {
    return range ? this.text.slice(this.offsetAt(range.start), this.offsetAt(range.end)) : this.text;
  }
  offsetAt(p: Position): number {
    const lines = this.text.split("\n");
    const line = Math.min(Math.max(p.line, 0), lines.length - 1);
    let offset = 0;
    for (let i = 0; i < line; i++) offset += lines[i].length + 1;
    return offset + Math.min(Math.max(p.character, 0), lines[line].length);
  }
  positionAt(offset: number): Position {
    const before = this.text.slice(0, Math.max(0, Math.min(offset, this.text.length)));
    const line = before.split("\n").length - 1;
    return new Position(line, before.length - (before.lastIndexOf("\n") + 1));
  }
  lineAt(line: number | Position): { text: string; lineNumber: number } {
    const n = typeof line === "number" ? line : line.line;
    return { text: this.text.split("\n")[n] ?? "", lineNumber: n };
  }
  /** Applies edits (non-overlapping, any order) and returns VS Code-like content changes. */
  applyEdits(edits: TextEdit[]): { range: Range; text: string }[] {
    const sorted = [...edits].sort((a, b) => this.offsetAt(b.range.start) - this.offsetAt(a.range.start));
    const changes = sorted.map((e) => ({ range: e.range, text: e.newText }));
    for (const e of sorted) this.text = this.text.slice(0, this.offsetAt(e.range.start)) + e.newText + this.text.slice(this.offsetAt(e.range.end));
    this.version++;
    this.isDirty = true;
    return changes;
  }
}

export class FakeDiagnosticCollection {
  readonly entries = new Map<string, Diagnostic[]>();
  setCalls = 0;
  constructor(readonly name: string) {}
  set(uri: Uri, diagnostics: Diagnostic[]): void { this.setCalls++; this.entries.set(uri.toString(), diagnostics); }
  get(uri: Uri): Diagnostic[] | undefined { return this.entries.get(uri.toString()); }
  delete(uri: Uri): void { this.entries.delete(uri.toString()); }
  clear(): void { this.entries.clear(); }
  dispose(): void { this.entries.clear(); }
}

export class FakeFileSystemWatcher {
  readonly change = new EventEmitter<Uri>();
  readonly create = new EventEmitter<Uri>();
  readonly remove = new EventEmitter<Uri>();
  readonly onDidChange = this.change.event;
  readonly onDidCreate = this.create.event;
  readonly onDidDelete = this.remove.event;
  disposed = false;
  constructor(readonly glob: string) {}
  dispose(): void { this.disposed = true; }
}

export class FakeLogOutputChannel {
  readonly lines: string[] = [];
  shown = 0;
  constructor(readonly name: string) {}
  trace(m: string): void { this.lines.push(`trace ${m}`); }
  debug(m: string): void { this.lines.push(`debug ${m}`); }
  info(m: string): void { this.lines.push(`info ${m}`); }
  warn(m: string): void { this.lines.push(`warn ${m}`); }
  error(m: string): void { this.lines.push(`error ${m}`); }
  appendLine(m: string): void { this.lines.push(m); }
  show(): void { this.shown++; }
  dispose(): void {}
}

export class Location {
  readonly range: Range;
  constructor(readonly uri: Uri, rangeOrPosition: Range | Position) {
    this.range = rangeOrPosition instanceof Range ? rangeOrPosition : new Range(rangeOrPosition, rangeOrPosition);
  }
}

export class TestMessage {
  expectedOutput?: string;
  actualOutput?: string;
  location?: Location;
  contextValue?: string;
  constructor(public message: string | MarkdownString) {}
  static diff(message: string | MarkdownString, expected: string, actual: string): TestMessage {
    const m = new TestMessage(message);
    m.expectedOutput = expected;
    m.actualOutput = actual;
    return m;
  }
}

export enum TestRunProfileKind { Run = 1, Debug = 2, Coverage = 3 }

export class TestRunRequest {
  constructor(
    readonly include: FakeTestItem[] | undefined = undefined,
    readonly exclude: FakeTestItem[] | undefined = undefined,
    readonly profile: FakeTestRunProfile | undefined = undefined,
    readonly continuous = false,
    readonly preserveFocus = true,
  ) {}
}

export class CancellationTokenSource {
  private readonly emitter = new EventEmitter<void>();
  readonly token = {
    isCancellationRequested: false,
    onCancellationRequested: (l: Listener<void>) => this.emitter.event(l),
  };
  cancel(): void {
    if (this.token.isCancellationRequested) return;
    this.token.isCancellationRequested = true;
    this.emitter.fire();
  }
  dispose(): void { this.emitter.dispose(); }
}

export class FakeTestItemCollection {
  private readonly map = new Map<string, FakeTestItem>();
  constructor(private readonly parent: FakeTestItem | undefined) {}
  get size(): number { return this.map.size; }
  add(item: FakeTestItem): void { item.parent = this.parent; this.map.set(item.id, item); }
  delete(id: string): void { this.map.delete(id); }
  get(id: string): FakeTestItem | undefined { return this.map.get(id); }
  replace(items: readonly FakeTestItem[]): void { this.map.clear(); for (const i of items) this.add(i); }
  forEach(fn: (item: FakeTestItem, collection: FakeTestItemCollection) => unknown): void { for (const i of [...this.map.values()]) fn(i, this); }
  [Symbol.iterator](): IterableIterator<[string, FakeTestItem]> { return this.map.entries(); }
}

export class FakeTestItem {
  range?: Range;
  description?: string;
  parent?: FakeTestItem;
  busy = false;
  canResolveChildren = false;
  readonly children: FakeTestItemCollection;
  constructor(readonly id: string, public label: string, readonly uri?: Uri) { this.children = new FakeTestItemCollection(this); }
}

/** One recorded TestRun state change. */
export interface RunRecord { state: "enqueued" | "started" | "passed" | "failed" | "errored" | "skipped"; id: string; message?: TestMessage; duration?: number }

export class FakeTestRun {
  readonly records: RunRecord[] = [];
  readonly output: string[] = [];
  /** Each appendOutput call with its location and test item (as VS Code's TestRun.appendOutput takes them). */
  readonly outputRecords: { text: string; location?: Location; test?: FakeTestItem }[] = [];
  ended = false;
  constructor(readonly request: TestRunRequest, readonly name?: string) {}
  enqueued(t: FakeTestItem): void { this.records.push({ state: "enqueued", id: t.id }); }
  started(t: FakeTestItem): void { this.records.push({ state: "started", id: t.id }); }
  passed(t: FakeTestItem, duration?: number): void { this.records.push({ state: "passed", id: t.id, duration }); }
  failed(t: FakeTestItem, message: TestMessage | TestMessage[], duration?: number): void { this.records.push({ state: "failed", id: t.id, message: Array.isArray(message) ? message[0] : message, duration }); }
  errored(t: FakeTestItem, message: TestMessage | TestMessage[], duration?: number): void { this.records.push({ state: "errored", id: t.id, message: Array.isArray(message) ? message[0] : message, duration }); }
  skipped(t: FakeTestItem): void { this.records.push({ state: "skipped", id: t.id }); }
  appendOutput(text: string, location?: Location, test?: FakeTestItem): void {
    this.output.push(text);
    this.outputRecords.push({ text, location, test });
  }
  end(): void { this.ended = true; }
  /** The last terminal state of each item. */
  finalStates(): Map<string, RunRecord> {
    const out = new Map<string, RunRecord>();
    for (const r of this.records) if (r.state !== "enqueued" && r.state !== "started") out.set(r.id, r);
    return out;
  }
}

export class FakeTestRunProfile {
  constructor(
    readonly label: string,
    readonly kind: TestRunProfileKind,
    readonly runHandler: (request: TestRunRequest, token: CancellationTokenSource["token"]) => Promise<void> | void,
    public isDefault = false,
    public tag: unknown = undefined,
    public supportsContinuousRun = false,
  ) {}
  dispose(): void {}
}

export class FakeTestController {
  readonly items = new FakeTestItemCollection(undefined);
  readonly profiles: FakeTestRunProfile[] = [];
  readonly runs: FakeTestRun[] = [];
  readonly invalidated: FakeTestItem[][] = [];
  refreshHandler?: () => unknown;
  /** VS Code calls it with `undefined` when the Testing view first needs the root items. */
  resolveHandler?: (item: FakeTestItem | undefined) => unknown;
  /** What VS Code does when the Testing view first shows: resolves the root. */
  async showTestingView(): Promise<void> { await this.resolveHandler?.(undefined); }
  disposed = false;
  constructor(readonly id: string, readonly label: string) {}
  createTestItem(id: string, label: string, uri?: Uri): FakeTestItem { return new FakeTestItem(id, label, uri); }
  createRunProfile(label: string, kind: TestRunProfileKind, handler: FakeTestRunProfile["runHandler"], isDefault?: boolean, tag?: unknown, supportsContinuousRun?: boolean): FakeTestRunProfile {
    const p = new FakeTestRunProfile(label, kind, handler, isDefault, tag, supportsContinuousRun);
    this.profiles.push(p);
    return p;
  }
  createTestRun(request: TestRunRequest, name?: string): FakeTestRun { const r = new FakeTestRun(request, name); this.runs.push(r); return r; }
  invalidateTestResults(items?: FakeTestItem | FakeTestItem[]): void { this.invalidated.push(items === undefined ? [] : Array.isArray(items) ? items : [items]); }
  /** Every item in the tree, depth first. */
  allItems(): FakeTestItem[] {
    const out: FakeTestItem[] = [];
    const walk = (c: FakeTestItemCollection) => c.forEach((i) => { out.push(i); walk(i.children); });
    walk(this.items);
    return out;
  }
  dispose(): void { this.disposed = true; }
}

export enum LanguageStatusSeverity { Information = 0, Warning = 1, Error = 2 }

export class FakeLanguageStatusItem {
  name?: string;
  text = "";
  detail?: string;
  severity = LanguageStatusSeverity.Information;
  command?: { title: string; command: string };
  disposed = false;
  constructor(readonly id: string, readonly selector: unknown) {}
  dispose(): void { this.disposed = true; }
}

export enum DebugConfigurationProviderTriggerKind { Initial = 1, Dynamic = 2 }

/** `vscode.DebugAdapterServer`: an adapter reached over TCP. */
export class DebugAdapterServer {
  constructor(readonly port: number, readonly host?: string) {}
}

export class FakeDebugSession {
  private static next = 0;
  readonly id = `session-${++FakeDebugSession.next}`;
  readonly trackers: { onDidSendMessage?(m: unknown): void }[] = [];
  constructor(readonly configuration: Record<string, unknown>, readonly parentSession?: FakeDebugSession, readonly workspaceFolder?: unknown) {}
  get name(): string { return String(this.configuration.name); }
  get type(): string { return String(this.configuration.type); }
  /** Sends a DAP output event through the trackers (as js-debug does for captured stdout). */
  stdout(text: string): void { for (const t of this.trackers) t.onDidSendMessage?.({ type: "event", event: "output", body: { category: "stdout", output: text } }); }
  terminate(): void { host.onDebugTerminate.fire(this); }
}

interface Registration<P> { selector: unknown; provider: P; extra: unknown[] }

function createHost() {
  return {
    documents: [] as FakeTextDocument[],
    folders: [] as { uri: Uri; name: string; index: number }[],
    isTrusted: true,
    config: new Map<string, unknown>(),
    configReads: new Set<string>(),
    commands: new Map<string, (...args: unknown[]) => unknown>(),
    executed: [] as { id: string; args: unknown[] }[],
    collections: [] as FakeDiagnosticCollection[],
    watchers: [] as FakeFileSystemWatcher[],
    channels: [] as FakeLogOutputChannel[],
    messages: [] as { level: string; message: string; items: string[]; modal?: boolean }[],
    messageChoice: undefined as string | undefined,
    codeActionProviders: [] as Registration<{ provideCodeActions(...a: unknown[]): unknown }>[],
    hoverProviders: [] as Registration<{ provideHover(...a: unknown[]): unknown }>[],
    completionProviders: [] as Registration<{ provideCompletionItems(...a: unknown[]): unknown }>[],
    linkProviders: [] as Registration<{ provideDocumentLinks(...a: unknown[]): unknown }>[],
    onOpen: new EventEmitter<FakeTextDocument>(),
    onChange: new EventEmitter<{ document: FakeTextDocument; contentChanges: { range: Range; text: string }[] }>(),
    onSave: new EventEmitter<FakeTextDocument>(),
    onClose: new EventEmitter<FakeTextDocument>(),
    onConfig: new EventEmitter<{ affectsConfiguration(section: string): boolean }>(),
    onTrust: new EventEmitter<void>(),
    testControllers: [] as FakeTestController[],
    languageStatusItems: [] as FakeLanguageStatusItem[],
    debugProviders: [] as { type: string; provider: Record<string, (...a: never[]) => unknown>; triggerKind: DebugConfigurationProviderTriggerKind }[],
    trackerFactories: [] as { type: string; factory: { createDebugAdapterTracker(s: unknown): unknown } }[],
    adapterFactories: [] as { type: string; factory: { createDebugAdapterDescriptor(s: unknown, e?: unknown): unknown } }[],
    /** Installed extensions by id (`extensions.getExtension`), e.g. a stand-in for ms-python.python. */
    extensions: new Map<string, { id: string; isActive: boolean; exports: unknown; activate(): Promise<unknown> }>(),
    debugConsole: [] as string[],
    terminals: [] as { name: string; text: string; closed: boolean; dispose(): void }[],
    debugStarts: [] as { folder: unknown; config: Record<string, unknown> }[],
    /** What `debug.startDebugging` does with a config (default: starts a session that stays up). */
    onStartDebugging: undefined as undefined | ((config: Record<string, unknown>, session: FakeDebugSession) => boolean | void),
    sessions: [] as FakeDebugSession[],
    onDebugStart: new EventEmitter<FakeDebugSession>(),
    onDebugTerminate: new EventEmitter<FakeDebugSession>(),
    /** Scripted answers for showInputBox/showQuickPick/showOpenDialog, consumed in order (undefined = Escape). */
    answers: [] as unknown[],
    prompts: [] as { kind: string; options: Record<string, unknown>; items?: unknown[] }[],
    shownDocuments: [] as Uri[],
  };
}

let host = createHost();

/** Test controls and recordings of the fake host. */
export const fake = {
  get host() { return host; },
  /** Forgets every document, registration and setting (call in beforeEach). */
  reset(): void { host = createHost(); },
  setWorkspaceFolder(dir: string): void { host.folders = [{ uri: Uri.file(dir), name: path.basename(dir), index: 0 }]; },
  open(file: string | Uri, text: string, languageId: string): FakeTextDocument {
    const doc = new FakeTextDocument(typeof file === "string" ? Uri.file(file) : file, languageId, text);
    host.documents.push(doc);
    host.onOpen.fire(doc);
    return doc;
  },
  /** Replaces `doc`'s whole text, as typing would, and fires the change event. */
  type(doc: FakeTextDocument, text: string): void {
    const all = new Range(new Position(0, 0), doc.positionAt(doc.getText().length));
    host.onChange.fire({ document: doc, contentChanges: doc.applyEdits([new TextEdit(all, text)]) });
  },
  save(doc: FakeTextDocument): void { doc.isDirty = false; host.onSave.fire(doc); },
  close(doc: FakeTextDocument): void {
    doc.isClosed = true;
    host.documents = host.documents.filter((d) => d !== doc);
    host.onClose.fire(doc);
  },
  /** Sets `section.key` and fires onDidChangeConfiguration. */
  setConfig(key: string, value: unknown): void {
    host.config.set(key, value);
    host.onConfig.fire({ affectsConfiguration: (s: string) => key === s || key.startsWith(`${s}.`) });
  },
  grantTrust(): void { host.isTrusted = true; host.onTrust.fire(); },
  createExtensionContext(extensionPath: string) {
    return { subscriptions: [] as { dispose(): unknown }[], extensionUri: Uri.file(extensionPath), extensionPath };
  },
};

export const workspace = {
  get textDocuments() { return [...host.documents]; },
  get workspaceFolders() { return host.folders.length ? host.folders : undefined; },
  get isTrusted() { return host.isTrusted; },
  onDidOpenTextDocument: (l: Listener<FakeTextDocument>) => host.onOpen.event(l),
  onDidChangeTextDocument: (l: Listener<{ document: FakeTextDocument; contentChanges: unknown[] }>) => host.onChange.event(l),
  onDidSaveTextDocument: (l: Listener<FakeTextDocument>) => host.onSave.event(l),
  onDidCloseTextDocument: (l: Listener<FakeTextDocument>) => host.onClose.event(l),
  onDidChangeConfiguration: (l: Listener<{ affectsConfiguration(s: string): boolean }>) => host.onConfig.event(l),
  onDidGrantWorkspaceTrust: (l: Listener<void>) => host.onTrust.event(l),
  getConfiguration(section?: string, _scope?: unknown) {
    const full = (key: string) => (section ? `${section}.${key}` : key);
    return {
      get<T>(key: string, defaultValue?: T): T | undefined {
        host.configReads.add(full(key));
        return host.config.has(full(key)) ? (host.config.get(full(key)) as T) : defaultValue;
      },
      has: (key: string) => host.config.has(full(key)),
    };
  },
  getWorkspaceFolder(uri: Uri) {
    return host.folders.find((f) => uri.scheme === "file" && (uri.fsPath === f.uri.fsPath || uri.fsPath.startsWith(f.uri.fsPath + path.sep)));
  },
  asRelativePath(p: string | Uri): string {
    const fsPath = typeof p === "string" ? p : p.fsPath;
    const folder = host.folders[0];
    return folder && fsPath.startsWith(folder.uri.fsPath + path.sep) ? path.relative(folder.uri.fsPath, fsPath) : fsPath;
  },
  createFileSystemWatcher(glob: string): FakeFileSystemWatcher {
    const w = new FakeFileSystemWatcher(glob);
    host.watchers.push(w);
    return w;
  },
  async applyEdit(edit: WorkspaceEdit): Promise<boolean> {
    for (const [uri, edits] of edit.entries()) {
      const doc = host.documents.find((d) => d.uri.toString() === uri.toString());
      if (!doc) return false;
      host.onChange.fire({ document: doc, contentChanges: doc.applyEdits(edits) });
    }
    return true;
  },
};

export const languages = {
  createDiagnosticCollection(name = ""): FakeDiagnosticCollection {
    const c = new FakeDiagnosticCollection(name);
    host.collections.push(c);
    return c;
  },
  registerCodeActionsProvider(selector: unknown, provider: never, ...extra: unknown[]) { return register(host.codeActionProviders, selector, provider, extra); },
  registerHoverProvider(selector: unknown, provider: never) { return register(host.hoverProviders, selector, provider, []); },
  registerCompletionItemProvider(selector: unknown, provider: never, ...extra: unknown[]) { return register(host.completionProviders, selector, provider, extra); },
  registerDocumentLinkProvider(selector: unknown, provider: never) { return register(host.linkProviders, selector, provider, []); },
  createLanguageStatusItem(id: string, selector: unknown): FakeLanguageStatusItem {
    const item = new FakeLanguageStatusItem(id, selector);
    host.languageStatusItems.push(item);
    return item;
  },
};

export const tests = {
  createTestController(id: string, label: string): FakeTestController {
    const c = new FakeTestController(id, label);
    host.testControllers.push(c);
    return c;
  },
};

export const debug = {
  registerDebugConfigurationProvider(type: string, provider: Record<string, (...a: never[]) => unknown>, triggerKind = DebugConfigurationProviderTriggerKind.Initial): Disposable {
    const r = { type, provider, triggerKind };
    host.debugProviders.push(r);
    return new Disposable(() => host.debugProviders.splice(host.debugProviders.indexOf(r), 1));
  },
  registerDebugAdapterTrackerFactory(type: string, factory: { createDebugAdapterTracker(s: unknown): unknown }): Disposable {
    const r = { type, factory };
    host.trackerFactories.push(r);
    return new Disposable(() => host.trackerFactories.splice(host.trackerFactories.indexOf(r), 1));
  },
  registerDebugAdapterDescriptorFactory(type: string, factory: { createDebugAdapterDescriptor(s: unknown, e?: unknown): unknown }): Disposable {
    const r = { type, factory };
    host.adapterFactories.push(r);
    return new Disposable(() => host.adapterFactories.splice(host.adapterFactories.indexOf(r), 1));
  },
  get activeDebugConsole() { return { append: (t: string) => host.debugConsole.push(t), appendLine: (t: string) => host.debugConsole.push(`${t}\n`) }; },
  onDidStartDebugSession: (l: Listener<FakeDebugSession>) => host.onDebugStart.event(l),
  onDidTerminateDebugSession: (l: Listener<FakeDebugSession>) => host.onDebugTerminate.event(l),
  async startDebugging(folder: unknown, config: Record<string, unknown>, options?: { parentSession?: FakeDebugSession }): Promise<boolean> {
    host.debugStarts.push({ folder, config });
    const session = new FakeDebugSession(config, options?.parentSession, folder);
    const ok = host.onStartDebugging?.(config, session);
    if (ok === false) return false;
    host.sessions.push(session);
    for (const f of host.trackerFactories) {
      const t = f.factory.createDebugAdapterTracker(session) as { onDidSendMessage?(m: unknown): void } | undefined;
      if (t) session.trackers.push(t);
    }
    host.onDebugStart.fire(session);
    return true;
  },
  async stopDebugging(session?: FakeDebugSession): Promise<void> { session?.terminate(); },
};

function register<P>(list: Registration<P>[], selector: unknown, provider: P, extra: unknown[]): Disposable {
  const r = { selector, provider, extra };
  list.push(r);
  return new Disposable(() => list.splice(list.indexOf(r), 1));
}

function nextAnswer(kind: string, options: Record<string, unknown>, items?: unknown[]): unknown {
  host.prompts.push({ kind, options, items });
  const a = host.answers.shift();
  return typeof a === "function" ? (a as (o: unknown, i?: unknown[]) => unknown)(options, items) : a;
}

export const window = {
  activeTextEditor: undefined as undefined | { document: FakeTextDocument },
  async showInputBox(options: Record<string, unknown> = {}): Promise<string | undefined> {
    const a = nextAnswer("input", options) as string | undefined;
    const validate = options.validateInput as ((v: string) => string | undefined) | undefined;
    if (a !== undefined && validate?.(a)) throw new Error(`fake: input ${JSON.stringify(a)} rejected: ${validate(a)}`);
    return a;
  },
  async showQuickPick(items: unknown[], options: Record<string, unknown> = {}): Promise<unknown> {
    return nextAnswer("quickPick", options, items);
  },
  async showOpenDialog(options: Record<string, unknown> = {}): Promise<Uri[] | undefined> {
    return nextAnswer("openDialog", options) as Uri[] | undefined;
  },
  async showTextDocument(doc: Uri | { uri: Uri }): Promise<unknown> {
    host.shownDocuments.push(doc instanceof Uri ? doc : doc.uri);
    return {};
  },
  /** A terminal backed by a Pseudoterminal: what it is written is recorded in `fake.host.terminals`. */
  createTerminal(options: { name: string; pty: { onDidWrite(l: (t: string) => void): unknown; open(d?: unknown): void; close(): void } }) {
    const t = { name: options.name, text: "", closed: false, show() {}, dispose() { if (!t.closed) { t.closed = true; options.pty.close(); } } };
    options.pty.onDidWrite((text) => { t.text += text; });
    host.terminals.push(t);
    queueMicrotask(() => options.pty.open(undefined));
    return t;
  },
  createOutputChannel(name: string, _options?: { log: true }): FakeLogOutputChannel {
    const c = new FakeLogOutputChannel(name);
    host.channels.push(c);
    return c;
  },
  async showWarningMessage(message: string, ...items: unknown[]) { return showMessage("warning", message, items); },
  async showInformationMessage(message: string, ...items: unknown[]) { return showMessage("info", message, items); },
  async showErrorMessage(message: string, ...items: unknown[]) { return showMessage("error", message, items); },
};

function showMessage(level: string, message: string, items: unknown[]): string | undefined {
  const labels = items.filter((i): i is string => typeof i === "string");
  const modal = items.some((i) => typeof i === "object" && i !== null && (i as { modal?: boolean }).modal === true);
  host.messages.push({ level, message, items: labels, ...(modal ? { modal } : {}) });
  return host.messageChoice !== undefined && labels.includes(host.messageChoice) ? host.messageChoice : undefined;
}

export const extensions = {
  getExtension(id: string) { return host.extensions.get(id); },
};

export const commands = {
  registerCommand(id: string, fn: (...args: unknown[]) => unknown): Disposable {
    if (host.commands.has(id)) throw new Error(`command '${id}' already exists`);
    host.commands.set(id, fn);
    return new Disposable(() => host.commands.delete(id));
  },
  async executeCommand(id: string, ...args: unknown[]): Promise<unknown> {
    host.executed.push({ id, args });
    const fn = host.commands.get(id);
    return fn ? fn(...args) : undefined;
  },
};
