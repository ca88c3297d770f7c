import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type * as vscode from "vscode";
import { completeConnectorNames } from "../../runtime/src/lint";
import { completionRequest } from "../src/completion";
import { fake, Position, type FakeTextDocument } from "./fake-vscode";
import { activateExtension, deactivateExtension, TempWorkspace } from "./workspace";

let ws: TempWorkspace;
let context: ReturnType<typeof activateExtension>["context"];

beforeEach(() => {
  fake.reset();
  ws = new TempWorkspace();
  ({ context } = activateExtension());
});
afterEach(() => {
  deactivateExtension(context);
  ws.dispose();
});

/** Position just after the first occurrence of `marker` in the document. */
function after(doc: FakeTextDocument, marker: string): Position {
  const i = doc.getText().indexOf(marker);
  expect(i).toBeGreaterThanOrEqual(0);
  return doc.positionAt(i + marker.length);
}

describe("hover", () => {
  const hover = (doc: FakeTextDocument, pos: Position) =>
    fake.host.hoverProviders[0].provider.provideHover(doc, pos) as Promise<vscode.Hover | undefined>;

  it("shows the parsed parts and the resolved module file of an external:// URL", async () => {
    const doc = fake.open(ws.file("lmcache.yaml"), 'chunk_size: 256\nremote_url: "external://host:0/pkg.conn/?connector_name=MyConn"\n', "yaml");
    const h = (await hover(doc, after(doc, "external://ho")))!;
    const md = h.contents.map((c) => (c as vscode.MarkdownString).value).join("\n");
    expect(md).toContain("`host`");
    expect(md).toContain("`pkg.conn`");
    expect(md).toContain(`\`${path.join("pkg", "conn.ts")}\``);
    expect(md).toContain("`MyConn`");
    expect(doc.getText(h.range!)).toBe("external://host:0/pkg.conn/?connector_name=MyConn");
    expect(await hover(doc, new Position(0, 3))).toBeUndefined();
  });

  it("never shows a password", async () => {
    const doc = fake.open(ws.file("lmcache.yaml"), 'remote_url: "redis://admin:hunter2@cache:6379"\n', "yaml");
    const h = (await hover(doc, after(doc, "redis://ad")))!;
    const md = (h.contents[0] as vscode.MarkdownString).value;
    expect(md).not.toContain("hunter2");
    expect(md).toContain("***");
    expect(md).toContain("`admin`");
  });
});

describe("completion", () => {
  const complete = (doc: FakeTextDocument, pos: Position) =>
    fake.host.completionProviders[0].provider.provideCompletionItems(doc, pos) as Promise<vscode.CompletionItem[]>;

  it("registers the URL trigger characters", () => {
    expect(fake.host.completionProviders[0].extra).toEqual(["=", ".", "/"]);
  });

  it("offers the module's classes after connector_name=", async () => {
    const doc = fake.open(ws.file("lmcache.yaml"), 'remote_url: "external://h:0/pkg.conn/?connector_name=My"\n', "yaml");
    const pos = after(doc, "connector_name=My");
    const items = await complete(doc, pos);
    expect(items.map((i) => i.label)).toEqual(completeConnectorNames("pkg.conn", { cwd: ws.root }));
    expect(items[0].label).toBe("MyConn");
    expect(doc.getText(items[0].range as vscode.Range)).toBe("My");
  });

  it("offers module paths in the URL path and in plugin module_path keys", async () => {
    ws.write("pkg/sub/deep.py", "class Deep: pass\n");
    const doc = fake.open(ws.file("lmcache.yaml"), 'remote_url: "external://h:0/pkg."\nextra_config:\n  remote_storage_plugin.x.module_path: pkg.c\n', "yaml");
    const inUrl = (await complete(doc, after(doc, "h:0/pkg."))).map((i) => i.label);
    expect(inUrl).toEqual(["pkg.conn", "pkg.sub"]);
    const inKey = await complete(doc, after(doc, "module_path: pkg.c"));
    expect(inKey.map((i) => i.label)).toEqual(["pkg.conn"]);
    expect(doc.getText(inKey[0].range as vscode.Range)).toBe("pkg.c");
    expect(await complete(doc, new Position(1, 5))).toEqual([]);
  });

  it.each([
    ["external://h:0/pkg.conn/?connector_name=", { kind: "connectorName", modulePath: "pkg.conn", partial: "" }],
    ["'external://h:0/a.b?x=1&connector_name=Fo", { kind: "connectorName", modulePath: "a.b", partial: "Fo" }],
    ["external://h:0/", { kind: "modulePath", partial: "" }],
    ["external://h:0/a.b", { kind: "modulePath", partial: "a.b" }],
    ['"remote_storage_plugin.p.module_path": "x.', { kind: "modulePath", partial: "x." }],
    ["lm://h:0/", null],
    ["connector_name=Foo", null],
  ])("classifies %s", (prefix, expected) => {
    expect(completionRequest(prefix)).toEqual(expected);
  });
});

describe("document links", () => {
  it("links the module path of a URL and of a plugin module_path to its file", async () => {
    const doc = fake.open(
      ws.file("lmcache.yaml"),
      'remote_url: "external://h:0/pkg.conn/?connector_name=MyConn"\nremote_storage_plugins: ["p"]\nextra_config:\n  remote_storage_plugin.p.module_path: pkg.conn\n  remote_storage_plugin.p.class_name: MyConn\n  other: "external://h:0/pkg.missing/?connector_name=X"\n',
      "yaml",
    );
    const links = (await fake.host.linkProviders[0].provider.provideDocumentLinks(doc)) as vscode.DocumentLink[];
    expect(links.map((l) => doc.getText(l.range))).toEqual(["pkg.conn", "pkg.conn"]);
    expect(links.map((l) => l.range.start.line)).toEqual([0, 3]);
    for (const l of links) expect(l.target!.fsPath).toBe(ws.connFile);
  });
});
