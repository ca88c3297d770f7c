import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ALL_LINT_CODES, completeConnectorNames, completeModulePaths, describeUrl, findUrlLinks, lintDocument } from "../../src/lint";
import { main } from "../../src/cli/main";
import { makeWorkspace, removeWorkspace } from "./helpers";

const ws = makeWorkspace();
afterAll(() => removeWorkspace(ws));
const ctx = { cwd: ws, env: {} };
const bad = "external://h/pkg.conn/?connector_name=Good"; // LMC005

/** Exact expected range of `needle` inside `text` (0-based line/character). */
function rangeOf(text: string, needle: string) {
  const at = text.indexOf(needle);
  const before = text.slice(0, at).split("\n");
  const line = before.length - 1;
  const character = before[line].length;
  return { start: { line, character }, end: { line, character: character + needle.length } };
}

describe("sources", () => {
  const cases: [string, string][] = [
    ["a.ts", `// "${bad}"\n/* "${bad}" */\nconst s = \`x\${1}\`;\nconst u = "${bad}";\n`],
    ["a.py", `# "${bad}"\nx = f"{y}"\nu = r'${bad}'\nv = """\n"${bad}"\n"""\n`],
    [".env", `# LMCACHE_REMOTE_URL=${bad}\nLMCACHE_REMOTE_URL='${bad}'\n`],
    ["run.sh", `# export LMCACHE_REMOTE_URL="${bad}"\nexport LMCACHE_REMOTE_URL="${bad}" # trailing\n`],
    ["c.yaml", `# remote_url: "${bad}"\nremote_url: ${bad} # trailing comment\n`],
    ["c.json", `{\n  "remote_url": "${bad}"\n}\n`],
  ];
  for (const [name, text] of cases) {
    it(`${name}: comments are not linted and the range is exact`, () => {
      const diags = lintDocument({ path: path.join(ws, name), text }, ctx).filter((d) => d.code === "LMC005");
      const netloc = "h";
      // exactly one finding, on the last (uncommented) occurrence: the netloc of that URL
      const last = text.lastIndexOf(bad) + "external://".length;
      const lines = text.slice(0, last).split("\n");
      const expectedStart = { line: lines.length - 1, character: lines[lines.length - 1].length };
      if (name === "a.py") {
        expect(diags).toHaveLength(1);
        expect(diags[0].range.start.line).toBe(rangeOf(text, `r'${bad}`).start.line);
      } else {
        expect(diags).toHaveLength(1);
        expect(diags[0].range).toEqual({ start: expectedStart, end: { line: expectedStart.line, character: expectedStart.character + netloc.length } });
      }
    });
  }
  it("a triple-quoted Python URL is linted, the text inside it is not a comment", () => {
    const text = `u = """${bad}"""\n`;
    expect(lintDocument({ path: path.join(ws, "t.py"), text }, ctx).map((d) => d.code)).toContain("LMC005");
  });
  it("env plugin list and extra_config JSON", () => {
    const text = `LMCACHE_REMOTE_STORAGE_PLUGINS=" a , b "\nLMCACHE_EXTRA_CONFIG='{"remote_storage_plugin.a.module_path": "pkg.conn", "remote_storage_plugin.a.class_name": "Nope"}'\n`;
    const diags = lintDocument({ path: path.join(ws, ".env.local"), text }, ctx);
    expect(diags.map((d) => d.code)).toEqual(["LMC016", "LMC012"]);
    expect(diags[0].range).toEqual(rangeOf(text, "b"));
    expect(diags[1].range).toEqual(rangeOf(text, "Nope"));
  });
});

describe("editor helpers", () => {
  it("describeUrl redacts and resolves", () => {
    const d = describeUrl("external://me:pw@h:0/pkg.conn/?connector_name=Good", ctx);
    expect(d.url).toBe("external://me:***@h:0/pkg.conn/?connector_name=Good");
    expect(d.password).toBe("***");
    expect(d.moduleFile).toBe(path.join(ws, "pkg", "conn.ts"));
    expect(d.classKind).toBe("remote-connector");
    expect(d.markdown).not.toContain("pw@");
  });
  it("completions", () => {
    expect(completeConnectorNames("pkg.conn", ctx)).toEqual(["Good", "NoSync"]);
    expect(completeModulePaths("pkg.", ctx)).toEqual(["pkg.conn"]);
    expect(completeModulePaths("p", ctx)).toEqual(["pkg", "pyc"]);
  });
  it("findUrlLinks", () => {
    const text = `remote_url: "external://h:0/pkg.conn/?connector_name=Good"\n`;
    const links = findUrlLinks({ path: path.join(ws, "l.yaml"), text }, ctx);
    expect(links).toEqual([{ range: rangeOf(text, "pkg.conn"), modulePath: "pkg.conn", target: path.join(ws, "pkg", "conn.ts") }]);
  });
});

describe("fixture workspace and CLI", () => {
  const fixture = path.resolve(__dirname, "../../../test/fixtures/lint-workspace");
  async function run(args: string[]) {
    let out = "";
    let err = "";
    const code = await main(["lint", ...args], { stdout: (t) => void (out += t), stderr: (t) => void (err += t), isTTY: false, cwd: fixture, env: {} });
    return { code, out, err };
  }
  it("shows every documented code; clean files have none", async () => {
    const { code, out } = await run([".", "--format", "json"]);
    expect(code).toBe(1);
    const records = JSON.parse(out) as { file: string; line: number; column: number; endLine: number; endColumn: number; code: string; severity: string; message: string }[];
    expect(new Set(records.map((r) => r.code))).toEqual(new Set(ALL_LINT_CODES.map((c) => c.code)));
    expect(records.filter((r) => path.basename(r.file).startsWith("clean"))).toEqual([]);
    const doc = fs.readFileSync(path.resolve(fixture, "../../../docs/diagnostics.md"), "utf8");
    const anchors = [...doc.matchAll(/^## (LMC\d{3})$/gm)].map((m) => m[1]);
    expect(anchors).toEqual(ALL_LINT_CODES.map((c) => c.code));
    // 1-based positions point at the reported text
    const r = records.find((x) => x.code === "LMC001")!;
    const line = fs.readFileSync(path.join(fixture, r.file), "utf8").split("\n")[r.line - 1];
    expect(line.slice(r.column - 1, r.endColumn - 1)).toBe("localhost:6379");
  });
  it("exit codes: 0 when clean, 2 on bad usage", async () => {
    expect((await run(["config/clean.yaml", "src/clean.ts"])).code).toBe(0);
    expect((await run([])).code).toBe(2);
    expect((await run(["--format", "xml", "."])).code).toBe(2);
    expect((await run(["no/such/file.yaml"])).code).toBe(2);
  });
});

describe("prose that mentions a URL is not a URL", () => {
  const docstring = `class C:\n    """Load me with ${bad} from LMCache."""\n`;
  it("a Python docstring or TS message naming external:// is not linted; a bare URL with a typo before its scheme still is", () => {
    expect(lintDocument({ path: path.join(ws, "doc.py"), text: docstring }, ctx)).toEqual([]);
    expect(lintDocument({ path: path.join(ws, "msg.ts"), text: `throw new Error("try ${bad} instead");\n` }, ctx)).toEqual([]);
    // no white space: a URL with junk before the scheme, which LMCache would reject
    const typo = lintDocument({ path: path.join(ws, "typo.py"), text: `u = "x${bad}"\n` }, ctx);
    expect(typo.length).toBeGreaterThan(0);
  });
});
