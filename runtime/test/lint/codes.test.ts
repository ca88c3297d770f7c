import { afterAll, describe, expect, it } from "vitest";
import { lintDocument } from "../../src/lint";
import { makeWorkspace, removeWorkspace } from "./helpers";

const ws = makeWorkspace();
afterAll(() => removeWorkspace(ws));
const ctx = { cwd: ws, env: {} };

/** Lints `url` as a YAML remote_url and returns the codes found. */
function codesFor(url: string, extra = ""): string[] {
  const text = `remote_url: "${url}"\n${extra}`;
  return lintDocument({ path: `${ws}/c${Math.random()}.yaml`, text }, ctx).map((d) => d.code);
}

const good = "external://h:0/pkg.conn/?connector_name=Good";

describe("one table row per code", () => {
  const rows: [string, string, string?][] = [
    ["LMC001", "localhost:6379"],
    ["LMC002", "External://h:0/pkg.conn/?connector_name=Good"],
    ["LMC002", "redsi://h:1"],
    ["LMC003", "external://a:0,b:0/pkg.conn/?connector_name=Good"],
    ["LMC004", "external://:0/pkg.conn/?connector_name=Good"],
    ["LMC005", "external://h/pkg.conn/?connector_name=Good"],
    ["LMC006", "external://h:99999/pkg.conn/?connector_name=Good"],
    ["LMC006", "external://h:x/pkg.conn/?connector_name=Good"],
    ["LMC007", "external://h:0/pkg.conn/?connector_name="],
    ["LMC008", "external://h:0/?connector_name=Good"],
    ["LMC009", "external://[::1/pkg.conn/?connector_name=Good"],
    ["LMC010", "external://h:0/pkg/conn-x/?connector_name=Good"],
    ["LMC010", "external://h:0/.pkg.conn/?connector_name=Good"],
    ["LMC011", "external://h:0/pkg.nope/?connector_name=Good"],
    ["LMC012", "external://h:0/pkg.conn/?connector_name=Nope"],
    ["LMC013", "external://h:0/pkg.conn/?connector_name=Plain"],
    ["LMC014", "external://h:0/pkg.conn/?connector_name=NoSync"],
    ["LMC014", "external://h:0/pyc/?connector_name=PyNoSync"],
    ["LMC015", "plugin://nosuch", "remote_storage_plugins: [other]\nextra_config:\n  remote_storage_plugin.other.module_path: pkg.conn\n  remote_storage_plugin.other.class_name: Good\n"],
    ["LMC016", "plugin://orphan", "remote_storage_plugins: [orphan]\n"],
    ["LMC017", "redis://u:secret@h:6379"],
    ["LMC018", good],
    ["LMC019", good + "&connector_name=Plain"],
  ];
  for (const [code, url, extra] of rows) {
    it(`${code}: ${url}`, () => expect(codesFor(url, extra)).toContain(code));
  }
  it("a complete connector (TS and Python) gets only the deprecation note", () => {
    expect(codesFor(good)).toEqual(["LMC018"]);
    expect(codesFor("external://h:0/pyc/?connector_name=PyGood")).toEqual(["LMC018"]);
  });
  it("built-in plugin types need no module_path/class_name", () => {
    expect(codesFor("blackhole://", "remote_storage_plugins: [fs.primary]\n")).toEqual([]);
    // As remote_url, plugin://fs.primary takes LMCache's legacy path (no plugin name): the fs adapter wants a path.
    expect(codesFor("plugin://fs.primary", "remote_storage_plugins: [fs.primary]\n")).toEqual(["LMC009"]);
  });
  it("plugin keys are checked like external module paths (adapter classes allowed)", () => {
    const extra = "remote_storage_plugins: [a]\nextra_config:\n  remote_storage_plugin.a.module_path: pkg.conn\n  remote_storage_plugin.a.class_name: NoSync\n";
    expect(codesFor("plugin://a", extra)).toEqual(["LMC014"]);
  });
});

describe("messages and fixes", () => {
  it("never echoes a password", () => {
    const text = 'remote_url: "external://u:hunter2@h/pkg.conn/?connector_name=Good"\n';
    const diags = lintDocument({ path: `${ws}/p.yaml`, text }, ctx);
    expect(diags.map((d) => d.code).sort()).toEqual(["LMC005", "LMC017"]);
    for (const d of diags) expect(d.message).not.toContain("hunter2");
    expect(diags.find((d) => d.code === "LMC005")!.message).toContain("u:***@h");
  });
  it("offers one connector_name fix per connector class", () => {
    const text = 'remote_url: "external://h:0/pkg.conn/"\n';
    const d = lintDocument({ path: `${ws}/f.yaml`, text }, ctx).find((x) => x.code === "LMC007")!;
    expect(d.fixes.map((f) => f.edits[0].newText)).toEqual(["?connector_name=Good", "?connector_name=NoSync"]);
    const closingQuote = text.lastIndexOf('"');
    expect(d.fixes[0].edits[0].range).toEqual({ start: { line: 0, character: closingQuote }, end: { line: 0, character: closingQuote } });
  });
  it("fixes the scheme's case", () => {
    const text = 'remote_url: "External://h:0/pkg.conn/?connector_name=Good"\n';
    const d = lintDocument({ path: `${ws}/s.yaml`, text }, ctx)[0];
    expect(d.fixes[0].edits[0]).toEqual({ range: { start: { line: 0, character: 13 }, end: { line: 0, character: 24 } }, newText: "external://" });
  });
  it("converts external:// to the plugin form in YAML", () => {
    const text = `chunk_size: 256\nremote_url: "${good}"\n`;
    const d = lintDocument({ path: `${ws}/d.yaml`, text }, ctx).find((x) => x.code === "LMC018")!;
    expect(d.severity).toBe("information");
    const edit = d.fixes[0].edits[0];
    expect(edit.range).toEqual({ start: { line: 1, character: 0 }, end: { line: 2, character: 0 } });
    const fixed = "chunk_size: 256\n" + edit.newText;
    expect(lintDocument({ path: `${ws}/d2.yaml`, text: fixed }, ctx)).toEqual([]);
  });
  it("adds port :0", () => {
    const text = 'remote_url: "external://h/pkg.conn/?connector_name=Good"\n';
    const d = lintDocument({ path: `${ws}/port.yaml`, text }, ctx).find((x) => x.code === "LMC005")!;
    expect(d.fixes[0].edits[0]).toEqual({ range: { start: { line: 0, character: 25 }, end: { line: 0, character: 25 } }, newText: ":0" });
  });
});
