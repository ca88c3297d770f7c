import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as vscode from "vscode";
import { lintDocument } from "../../runtime/src/lint";
import { CONNECTOR_SOURCE_GLOB } from "../src/connector-watcher";
import { EDIT_DEBOUNCE_MS } from "../src/diagnostics";
import { CodeActionKind, Diagnostic, fake, Range, type FakeTextDocument } from "./fake-vscode";
import { activateExtension, connectorSource, deactivateExtension, TempWorkspace } from "./workspace";

let ws: TempWorkspace;
let context: ReturnType<typeof activateExtension>["context"];

beforeEach(() => {
  fake.reset();
  ws = new TempWorkspace();
});
afterEach(() => {
  vi.useRealTimers();
  if (context) deactivateExtension(context);
  ws.dispose();
});

const collection = () => fake.host.collections[0];
const connectorWatcher = () => fake.host.watchers.find((w) => w.glob === CONNECTOR_SOURCE_GLOB)!;
const codesOf = (doc: FakeTextDocument) => (collection().get(doc.uri) ?? []).map((d) => (d.code as { value: string }).value);
/** What the pure core (and so `lmcache-connector lint`) says about the document's current text. */
const coreCodes = (doc: FakeTextDocument) => lintDocument({ path: doc.uri.fsPath, text: doc.getText(), languageId: doc.languageId }, { cwd: ws.root, searchPaths: [] }).map((d) => d.code);

async function settled(doc: FakeTextDocument, expected: () => string[] = () => coreCodes(doc)): Promise<void> {
  await vi.waitFor(() => expect(codesOf(doc)).toEqual(expected()), { timeout: 10_000, interval: 10 });
}

describe("diagnostics", () => {
  it("shows the core's verdicts on open, with docs links, and clears the fixed one after the quick fix", async () => {
    ({ context } = activateExtension());
    const doc = fake.open(ws.file("lmcache.yaml"), 'remote_url: "External://host:0/pkg.conn/?connector_name=MyConn"\n', "yaml");
    await settled(doc);
    expect(codesOf(doc)).toContain("LMC002");

    const published = collection().get(doc.uri)!;
    const bad = published.find((d) => (d.code as { value: string }).value === "LMC002")!;
    expect(bad.severity).toBe(vscode.DiagnosticSeverity.Error);
    expect(bad.source).toBe("lmcache");
    expect(doc.getText(bad.range)).toBe("External://");
    const target = (bad.code as unknown as { target: vscode.Uri }).target;
    expect(target.path.endsWith("/docs/diagnostics.md")).toBe(true);
    expect(target.fragment).toBe("lmc002");

    // The editor hands providers copies of the diagnostics, not the published objects.
    const copy = new Diagnostic(new Range(bad.range.start, bad.range.end), bad.message, bad.severity);
    copy.source = bad.source;
    copy.code = bad.code;
    const provider = fake.host.codeActionProviders[0];
    expect((provider.extra[0] as { providedCodeActionKinds: CodeActionKind[] }).providedCodeActionKinds[0].value).toBe("quickfix");
    const actions = (await provider.provider.provideCodeActions(doc, bad.range, { diagnostics: [copy], triggerKind: 1 })) as vscode.CodeAction[];
    expect(actions).toHaveLength(1);
    expect(actions[0].kind?.value).toBe("quickfix");
    expect(actions[0].isPreferred).toBe(true);
    expect(actions[0].diagnostics).toEqual([copy]);

    expect(await vscode.workspace.applyEdit(actions[0].edit!)).toBe(true);
    expect(doc.getText()).toBe('remote_url: "external://host:0/pkg.conn/?connector_name=MyConn"\n');
    await settled(doc);
    expect(codesOf(doc)).not.toContain("LMC002");
  });

  it("offers every fix of a multi-fix finding without marking one preferred", async () => {
    ({ context } = activateExtension());
    const doc = fake.open(ws.file("lmcache.yaml"), 'remote_url: "external://host/pkg.conn/?connector_name=MyConn"\n', "yaml");
    await settled(doc);
    const findings = lintDocument({ path: doc.uri.fsPath, text: doc.getText() }, { cwd: ws.root });
    const diagnostics = collection().get(doc.uri)!;
    const actions = (await fake.host.codeActionProviders[0].provider.provideCodeActions(doc, diagnostics[0].range, { diagnostics, triggerKind: 1 })) as vscode.CodeAction[];
    expect(actions.map((a) => a.title)).toEqual(findings.flatMap((f) => f.fixes.map((x) => x.title)));
    for (const a of actions) {
      const finding = findings.find((f) => f.fixes.some((x) => x.title === a.title))!;
      expect(a.isPreferred).toBe(finding.fixes.length === 1);
    }
  });

  it("debounces edits and lints immediately on save", async () => {
    ({ context } = activateExtension());
    const doc = fake.open(ws.file("lmcache.yaml"), 'remote_url: "lm://localhost:65000"\n', "yaml");
    await settled(doc, () => []);
    vi.useFakeTimers();
    const before = collection().setCalls;
    fake.type(doc, 'remote_url: "lm://localhost:65000"\nx: "redis://u:secret@h:1"\n');
    await vi.advanceTimersByTimeAsync(EDIT_DEBOUNCE_MS - 50);
    fake.type(doc, 'remote_url: "External://h:0/pkg.conn/?connector_name=MyConn"\n');
    await vi.advanceTimersByTimeAsync(EDIT_DEBOUNCE_MS - 1);
    expect(collection().setCalls).toBe(before);
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(() => expect(collection().setCalls).toBe(before + 1));
    expect(codesOf(doc)).toEqual(coreCodes(doc));

    fake.type(doc, 'remote_url: "lm://localhost"\n');
    fake.save(doc);
    await vi.waitFor(() => expect(collection().setCalls).toBe(before + 2));
    expect(codesOf(doc)).toEqual(coreCodes(doc));
    await vi.advanceTimersByTimeAsync(EDIT_DEBOUNCE_MS * 2);
    expect(collection().setCalls).toBe(before + 2); // the save cancelled the pending edit lint
  });

  it("lints YAML, JSON, .env, TypeScript, JavaScript and Python documents", async () => {
    ({ context } = activateExtension());
    const url = "External://h:0/pkg.conn/?connector_name=MyConn";
    const docs = [
      fake.open(ws.file("a.yaml"), `remote_url: "${url}"\n`, "yaml"),
      fake.open(ws.file("a.json"), `{ "remote_url": "${url}" }\n`, "json"),
      fake.open(ws.file(".env"), `LMCACHE_REMOTE_URL=${url}\n`, "plaintext"),
      fake.open(ws.file("run.sh"), `export LMCACHE_REMOTE_URL="${url}"\n`, "shellscript"),
      fake.open(ws.file("a.ts"), `// "${url}" in a comment is not linted\nconst u = "${url}";\n`, "typescript"),
      fake.open(ws.file("a.js"), `const u = '${url}';\n`, "javascript"),
      fake.open(ws.file("a.py"), `u = "${url}"  # "${url}"\n`, "python"),
    ];
    for (const doc of docs) {
      await settled(doc);
      expect(codesOf(doc), doc.uri.path).toContain("LMC002");
    }
    const ts = collection().get(docs[4].uri)!.filter((d) => (d.code as { value: string }).value === "LMC002");
    expect(ts.map((d) => d.range.start.line)).toEqual([1]);
    const md = fake.open(ws.file("notes.md"), `"${url}"\n`, "markdown");
    await new Promise((r) => setTimeout(r, 50));
    expect(collection().get(md.uri)).toBeUndefined();
  });

  it("clears diagnostics on close and when lint.enable is turned off", async () => {
    ({ context } = activateExtension());
    const a = fake.open(ws.file("a.yaml"), 'remote_url: "external://h/pkg.conn/?connector_name=MyConn"\n', "yaml");
    const b = fake.open(ws.file("b.yaml"), 'remote_url: "External://h:0/pkg.conn/?connector_name=MyConn"\n', "yaml");
    await settled(a);
    await settled(b);
    expect(codesOf(a).length).toBeGreaterThan(0);
    fake.close(a);
    expect(collection().get(a.uri)).toBeUndefined();
    fake.setConfig("lmcacheConnector.lint.enable", false);
    await vi.waitFor(() => expect(collection().get(b.uri)).toBeUndefined());
    fake.setConfig("lmcacheConnector.lint.enable", true);
    await settled(b);
    expect(codesOf(b)).toContain("LMC002");
  });

  it("re-lints documents that reference a connector file when it changes", async () => {
    ws.write("pkg/conn.ts", connectorSource("MyConn", false));
    ({ context } = activateExtension());
    const doc = fake.open(ws.file("lmcache.yaml"), 'remote_url: "external://h:0/pkg.conn/?connector_name=MyConn"\n', "yaml");
    const other = fake.open(ws.file("other.yaml"), 'remote_url: "lm://localhost:65000"\n', "yaml");
    await settled(doc);
    expect(codesOf(doc)).toContain("LMC014");
    const watcher = connectorWatcher();
    expect(watcher.glob).toBe("**/*.{ts,js,mts,mjs,py}");
    const otherCalls = () => collection().setCalls;
    const before = otherCalls();

    ws.write("pkg/conn.ts", connectorSource("MyConn", true));
    watcher.change.fire(vscode.Uri.file(ws.connFile));
    await settled(doc);
    expect(codesOf(doc)).not.toContain("LMC014");
    expect(otherCalls()).toBe(before + 1); // other.yaml names no module: not re-linted
    expect(codesOf(other)).toEqual([]);
  });

  it("re-lints a document whose module was missing when the module file appears", async () => {
    ({ context } = activateExtension());
    const doc = fake.open(ws.file("lmcache.yaml"), 'remote_url: "external://h:0/pkg.later/?connector_name=Later"\n', "yaml");
    await settled(doc);
    expect(codesOf(doc)).toContain("LMC011");
    const file = ws.write("pkg/later.ts", connectorSource("Later"));
    connectorWatcher().create.fire(vscode.Uri.file(file));
    await settled(doc);
    expect(codesOf(doc)).not.toContain("LMC011");
  });

  it("resolves modules through lmcacheConnector.searchPaths", async () => {
    ws.write("vendor/ext/conn2.ts", connectorSource("Other"));
    fake.setConfig("lmcacheConnector.searchPaths", ["vendor"]);
    ({ context } = activateExtension());
    const doc = fake.open(ws.file("lmcache.yaml"), 'remote_url: "external://h:0/ext.conn2/?connector_name=Other"\n', "yaml");
    await vi.waitFor(() => expect(collection().get(doc.uri)).toBeDefined());
    const expected = lintDocument({ path: doc.uri.fsPath, text: doc.getText() }, { cwd: ws.root, searchPaths: [ws.file("vendor")] }).map((d) => d.code);
    expect(codesOf(doc)).toEqual(expected);
    expect(expected).not.toContain("LMC011");
    expect(coreCodes(doc)).toContain("LMC011"); // without the setting the module is not found
  });
});

describe("workspace trust", () => {
  it("lints in Restricted Mode but refuses code-running features until trust is granted", async () => {
    fake.host.isTrusted = false;
    const activated = activateExtension();
    context = activated.context;
    const doc = fake.open(ws.file("lmcache.yaml"), 'remote_url: "External://h:0/pkg.conn/?connector_name=MyConn"\n', "yaml");
    await settled(doc);
    expect(codesOf(doc)).toContain("LMC002");

    const { trust } = activated.api;
    expect(await trust.require("Running conformance")).toBe(false);
    expect(fake.host.messages.at(-1)?.message).toMatch(/Running conformance .*trusted workspace/);
    let granted = 0;
    trust.onDidGrant(() => granted++);
    fake.grantTrust();
    expect(granted).toBe(1);
    expect(await trust.require("Running conformance")).toBe(true);
  });
});
