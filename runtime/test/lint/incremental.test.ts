import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { forgetDocument, LINT_CODES, lintDocument, scanDocument, type LintContext, type LintDiagnostic } from "../../src/lint";
import { makeWorkspace, removeWorkspace } from "./helpers";
import { applyEdit, randomEdits } from "./random-edits";

const ws = makeWorkspace();
afterAll(() => removeWorkspace(ws));
const ctx: LintContext = { cwd: ws, env: {} };
const CLASS_NOT_FOUND = LINT_CODES.classNotFound.code;
const MISSING_METHOD = LINT_CODES.missingAbstractMethod.code;
const MODULE_NOT_FOUND = LINT_CODES.moduleNotFound.code;

let fresh = 0;
/** A from-scratch lint: a path the linter has never seen, forgotten afterwards. */
function lintFromScratch(file: string, text: string, context: LintContext = ctx): LintDiagnostic[] {
  const p = path.join(ws, `fresh-${fresh++}-${path.basename(file)}`);
  try {
    return lintDocument({ path: p, text }, context);
  } finally {
    forgetDocument(p);
  }
}

const URLS = [
  "external://h:0/pkg.conn/?connector_name=Good",
  "external://h/pkg.conn/?connector_name=Good",
  "external://h:0/pkg.conn/?connector_name=NoSync",
  "external://h:0/pkg.conn/?connector_name=Plain",
  "external://h:0/pkg.conn/?connector_name=Gdo",
  "external://h:0/pkg.conn",
  "external://h:0/pkg.missing/?connector_name=X",
  "external://h:0/pyc/?connector_name=PyNoSync&connector_name=B",
  "redis://u:secret@h:1",
  "Redis://h:1",
  "plugin://nope",
  "lm://a,b:1",
];

/** Line pools per language: URLs, comments and constructs that span lines (merged chunks). */
const POOLS: Record<string, string[]> = {
  "doc.ts": [
    ...URLS.map((u, i) => `const u${i} = "${u}";`),
    ...URLS.map((u) => `// "${u}"`),
    "/* a block comment starts", "   still inside */", "const t = `template ${x", "} and external://h/pkg.conn`;",
    "function f() {", "}", "export class X {}", "let n = 1;", "const s = 'unterminated", "",
  ],
  "doc.py": [
    ...URLS.map((u, i) => `u${i} = "${u}"`),
    ...URLS.map((u) => `# "${u}"`),
    '"""', "doc = '''", "'''", "def f():", "    return 1", "x = f\"{y}\"", "",
  ],
  "doc.yaml": [
    ...URLS.map((u) => `remote_url: "${u}"`),
    ...URLS.map((u) => `# remote_url: ${u}`),
    'remote_storage_plugins: ["p1"]', "remote_storage_plugins:", "  - p1", "extra_config:",
    "  remote_storage_plugin.p1.module_path: pkg.conn", "  remote_storage_plugin.p1.class_name: Good",
    "  remote_storage_plugin.p1.class_name: Plain", "key: value", '  nested: "open', "---", "list:", "  - item", "",
  ],
};

const editArb = randomEdits(['"', "'", "`", "/*", "*/", "{", "}", "\n", "#", " ", "x"]);

describe("incremental linting equals linting from scratch", () => {
  for (const file of Object.keys(POOLS)) {
    it(`${file}: after random edits, every re-lint equals a from-scratch lint`, () => {
      const pool = POOLS[file];
      // filler lines make documents of many chunks, so edits leave most chunks cached
      const filler = (i: number) => (file.endsWith(".yaml") ? `key_${i}: ${i}` : file.endsWith(".py") ? `v${i} = ${i}` : `let v${i} = ${i};`);
      fc.assert(
        fc.property(
          fc.array(fc.oneof(fc.nat({ max: pool.length - 1 }).map((i) => pool[i]), fc.nat({ max: 10_000 }).map(filler)), { minLength: 20, maxLength: 250 }),
          fc.array(editArb, { minLength: 1, maxLength: 12 }),
          (start, edits) => {
            const p = path.join(ws, `inc-${fresh++}-${file}`);
            try {
              let lines = start;
              for (const e of [null, ...edits]) {
                if (e) lines = applyEdit(lines, pool, e);
                const text = lines.join("\n") + "\n";
                expect(lintDocument({ path: p, text }, ctx)).toEqual(lintFromScratch(file, text));
                // a second, unchanged lint takes the whole-document path: still the same
                expect(lintDocument({ path: p, text }, ctx)).toEqual(lintFromScratch(file, text));
                const q = path.join(ws, `scan-${fresh++}-${file}`);
                expect(scanDocument({ path: p, text }).scan).toEqual(scanDocument({ path: q, text }).scan);
                forgetDocument(q);
              }
            } finally {
              forgetDocument(p);
            }
          },
        ),
        { seed: 20_240_605, numRuns: 40 },
      );
    });
  }

  it("the random documents produce diagnostics (the property is not vacuous)", () => {
    const text = POOLS["doc.ts"].join("\n");
    const codes = new Set(lintFromScratch("doc.ts", text).map((d) => d.code));
    expect(codes.size).toBeGreaterThan(5);
  });
});

describe("cached verdicts follow the module files they depend on", () => {
  /** A TS document of many chunks with the URL near the end, so edits above leave its chunk cached. */
  function bigDoc(url: string, extra = ""): string {
    const lines = Array.from({ length: 600 }, (_, i) => `let v${i} = ${i};`);
    lines[300] = `let edited = "${extra}";`;
    lines.push(`const u = "${url}";`);
    return lines.join("\n") + "\n";
  }

  /** Rewrites a file and moves its mtime forward, so the change is visible even within one clock tick. */
  function touch(file: string, text: string, secondsAhead: number): void {
    fs.writeFileSync(file, text);
    const t = new Date(Date.now() + secondsAhead * 1000);
    fs.utimesSync(file, t, t);
  }

  const header = 'import { RemoteConnector } from "lmcache-connector-runtime";\n';
  const complete = "async exists() { return false; } existsSync() { return false; } async get() { return null; } async put() {} async list() { return []; } async close() {}";

  it("adding the missing class to the module changes the verdict of an unchanged document", () => {
    const mod = path.join(ws, "pkg", "later.ts");
    touch(mod, header + "export class Other extends RemoteConnector {}\n", 1);
    const doc = { path: path.join(ws, "later-doc.ts"), text: bigDoc("external://h:0/pkg.later/?connector_name=Later") };
    const before = lintDocument(doc, ctx);
    expect(before.map((d) => d.code)).toContain(CLASS_NOT_FOUND);
    expect(lintDocument(doc, ctx)).toEqual(before); // cached
    touch(mod, header + `export class Other extends RemoteConnector {}\nexport class Later extends RemoteConnector { ${complete} }\n`, 2);
    const after = lintDocument(doc, ctx);
    expect(after.map((d) => d.code)).not.toContain(CLASS_NOT_FOUND);
    expect(after).toEqual(lintFromScratch(doc.path, doc.text));
  });

  it("an edit elsewhere re-uses the URL's chunk only while its module is unchanged", () => {
    const mod = path.join(ws, "pkg", "sync.ts");
    touch(mod, header + "export class S extends RemoteConnector { async exists() { return false; } }\n", 1);
    const url = "external://h:0/pkg.sync/?connector_name=S";
    const p = path.join(ws, "sync-doc.ts");
    const first = lintDocument({ path: p, text: bigDoc(url, "a") }, ctx);
    expect(first.map((d) => d.code)).toContain(MISSING_METHOD);
    touch(mod, header + `export class S extends RemoteConnector { ${complete} }\n`, 2);
    const text = bigDoc(url, "b"); // the edited line is in another chunk than the URL
    const after = lintDocument({ path: p, text }, ctx);
    expect(after.map((d) => d.code)).not.toContain(MISSING_METHOD);
    expect(after).toEqual(lintFromScratch(p, text));
  });

  it("a module file that appears later resolves, and one that disappears is reported again", () => {
    const mod = path.join(ws, "pkg", "appears.ts");
    const doc = { path: path.join(ws, "appears-doc.ts"), text: bigDoc("external://h:0/pkg.appears/?connector_name=A") };
    const missing = lintDocument(doc, ctx);
    expect(missing.map((d) => d.code)).toContain(MODULE_NOT_FOUND);
    touch(mod, header + `export class A extends RemoteConnector { ${complete} }\n`, 1);
    const found = lintDocument(doc, ctx);
    expect(found.map((d) => d.code)).not.toContain(MODULE_NOT_FOUND);
    expect(found).toEqual(lintFromScratch(doc.path, doc.text));
    fs.rmSync(mod);
    expect(lintDocument(doc, ctx)).toEqual(missing);
  });

  it("a context change (LMCACHE_CONNECTOR_PATH, searchPaths) is not answered from the cache", () => {
    const extra = path.join(ws, "extra-root");
    fs.mkdirSync(extra, { recursive: true });
    touch(path.join(extra, "elsewhere.ts"), header + `export class E extends RemoteConnector { ${complete} }\n`, 1);
    const doc = { path: path.join(ws, "ctx-doc.ts"), text: bigDoc("external://h:0/elsewhere/?connector_name=E") };
    const plain = lintDocument(doc, ctx);
    expect(plain.map((d) => d.code)).toContain(MODULE_NOT_FOUND);
    for (const other of [{ ...ctx, env: { LMCACHE_CONNECTOR_PATH: extra } }, { ...ctx, searchPaths: [extra] }]) {
      const resolved = lintDocument(doc, other);
      expect(resolved.map((d) => d.code)).not.toContain(MODULE_NOT_FOUND);
      expect(resolved).toEqual(lintFromScratch(doc.path, doc.text, other));
    }
    expect(lintDocument(doc, ctx)).toEqual(plain);
  });
});
