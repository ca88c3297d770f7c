/**
 * Static vs dynamic parity for Python connectors (issue 12 item 7): for every fixture class, the
 * linter's verdict (the exception it says loading the class raises, and the methods it says are of
 * the wrong kind) equals what a real /usr/bin/python3 does loading the class as LMCache loads it,
 * with the kit's `lmcache` package (runtime/python), and calling each method as RemoteBackend does.
 * The same verdict reaches `lintDocument`: a YAML naming the class shows the same exception text.
 * Then, on the Python lane's own fixtures, the verdict equals what the engine itself raises
 * loading each class through the bridge process (`createConnector`).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineConfig } from "../../src/config/engine-config";
import { createConnector } from "../../src/connector/create-connector";
import { conformanceMetadata } from "../../src/conformance/env";
import { stopBridges } from "../../src/python/host";
import { LocalCPUBackend } from "../../src/storage-backend/local-cpu-backend";
import { lintDocument } from "../../src/lint";
import { analyzeModuleFile } from "../../src/lint/modules/analysis-cache";
import { resolvePythonModule } from "../../src/lint/modules/resolve";
import { pythonClassVerdict, type PythonClassRole } from "../../src/lint/checks/python-connector-checks";
import type { LintContext } from "../../src/lint/types";

const PYTHON = "/usr/bin/python3";
const ROOT = path.resolve(__dirname, "../fixtures/python-lint");
const KIT = path.resolve(__dirname, "../../python");
const HARNESS = path.join(ROOT, "load_like_lmcache.py");

interface Case {
  module: string;
  cls: string;
  role: PythonClassRole;
}

const connector = (module: string, cls: string): Case => ({ module: `pylint_fx.${module}`, cls, role: "connector" });
const plugin = (module: string, cls: string): Case => ({ module: `pylint_fx.${module}`, cls, role: "plugin" });

const CASES: Case[] = [
  connector("good", "GoodConnector"),
  connector("wrong_init", "WrongInitConnector"),
  connector("wrong_init", "MissingArgsConnector"),
  connector("wrong_init", "PositionalOnlyConnector"),
  connector("wrong_init", "KeywordOnlyConnector"),
  connector("no_init", "NoInitConnector"),
  connector("kwargs_init", "KwargsConnector"),
  connector("mixin", "MixinConnector"),
  connector("mixin", "MixinAfterBaseConnector"),
  connector("base_elsewhere", "ElsewhereConnector"),
  connector("base_elsewhere", "AliasedConnector"),
  connector("base_elsewhere", "AbstractElsewhereConnector"),
  connector("base_elsewhere", "BaseStoreConnector"),
  connector("sync_exists", "SyncExistsConnector"),
  connector("async_exists_sync", "AsyncExistsSyncConnector"),
  connector("bad_syntax", "BadSyntaxConnector"),
  connector("bad_indent", "BadIndentConnector"),
  connector("syntax_in_base", "UsesBrokenBaseConnector"),
  connector("missing_abstract", "MissingAbstractConnector"),
  connector("missing_abstract", "AssignedMethodConnector"),
  connector("bad_mro", "BadMroConnector"),
  connector("adapters", "NotAPlugin"),
  connector("decorated", "DataclassConnector"),
  connector("decorated", "WrappedConnector"),
  connector("decorated", "MetaclassConnector"),
  plugin("adapters", "NeedsArgsAdapter"),
  plugin("adapters", "GoodAdapter"),
  plugin("adapters", "NoCreateAdapter"),
  plugin("adapters", "NotAPlugin"),
  plugin("good", "GoodConnector"),
  plugin("wrong_init", "WrongInitConnector"),
];

type Verdict = { raises: { type: string; message: string } | null; methods: Record<string, string> | null };

const ctx: LintContext = { cwd: ROOT, env: {} };

/** The linter's verdict in the harness's shape. */
function staticVerdict(c: Case): Verdict {
  const file = resolvePythonModule(c.module, ctx);
  expect(file, c.module).not.toBeNull();
  const info = analyzeModuleFile(file!)!;
  const v = pythonClassVerdict({ ctx, resolved: new Map(), modules: new Map() }, info, c.module, c.cls, c.role);
  const raises = v.raises ? { type: v.raises.type, message: v.raises.message } : null;
  if (raises || v.kind === "adapter") return { raises, methods: null };
  const methods: Record<string, string> = {};
  for (const m of ["exists", "get", "put", "list", "close", "exists_sync", "remove_sync"]) methods[m] = "ok";
  for (const issue of v.methods) methods[issue.name] = issue.expected === "async" ? "TypeError: A coroutine object is required" : "coroutine (truthy)";
  return { raises, methods };
}

let dynamic: Verdict[] = [];

beforeAll(() => {
  const out = execFileSync(PYTHON, ["-B", HARNESS, KIT, ROOT, JSON.stringify(CASES)], { encoding: "utf8", timeout: 60_000 });
  dynamic = JSON.parse(out) as Verdict[];
}, 90_000);

describe("static verdict = what /usr/bin/python3 does loading the class as LMCache does", () => {
  for (const [i, c] of CASES.entries()) {
    it(`${c.role} ${c.module}:${c.cls}`, () => {
      expect(staticVerdict(c)).toEqual(dynamic[i]);
    });
  }

  it("the fixtures are not vacuous: good ones load, broken ones raise or misbehave", () => {
    const byName = new Map(CASES.map((c, i) => [`${c.role}:${c.cls}`, dynamic[i]]));
    expect(byName.get("connector:GoodConnector")).toEqual({ raises: null, methods: expect.objectContaining({ exists: "ok", exists_sync: "ok" }) });
    expect(byName.get("connector:NoInitConnector")!.raises!.message).toBe("RemoteConnector.__init__() got an unexpected keyword argument 'loop'");
    expect(byName.get("connector:WrongInitConnector")!.raises!.message).toBe("WrongInitConnector.__init__() got an unexpected keyword argument 'loop'");
    expect(byName.get("connector:BadSyntaxConnector")!.raises!.type).toBe("SyntaxError");
    expect(byName.get("connector:SyncExistsConnector")!.methods!.exists).toBe("TypeError: A coroutine object is required");
    expect(byName.get("connector:AsyncExistsSyncConnector")!.methods!.exists_sync).toBe("coroutine (truthy)");
    expect(byName.get("plugin:NeedsArgsAdapter")!.raises!.message).toBe("NeedsArgsAdapter.__init__() missing 2 required positional arguments: 'schema' and 'capacity'");
    const broken = dynamic.filter((d) => d.raises || Object.values(d.methods ?? {}).some((m) => m !== "ok"));
    expect(broken.length).toBeGreaterThanOrEqual(18);
  });

  it("lintDocument reports the same exception text where a URL names the class", () => {
    const cases: [string, string, string][] = [
      ["no_init", "NoInitConnector", "LMC021"],
      ["bad_syntax", "BadSyntaxConnector", "LMC020"],
      ["missing_abstract", "MissingAbstractConnector", "LMC014"],
      ["bad_mro", "BadMroConnector", "LMC024"],
    ];
    for (const [module, cls, code] of cases) {
      const i = CASES.findIndex((c) => c.role === "connector" && c.cls === cls);
      const text = `remote_url: "external://h:0/pylint_fx.${module}/?connector_name=${cls}"\n`;
      const d = lintDocument({ path: path.join(ROOT, `parity-${cls}.yaml`), text }, ctx).find((x) => x.code === code);
      expect(d, cls).toBeDefined();
      expect(d!.raises).toEqual({ name: dynamic[i].raises!.type, message: dynamic[i].raises!.message });
    }
  });
});

/**
 * The same agreement on a corpus the linter was not written against: the Python lane's own
 * fixtures (runtime/test/fixtures/python/{good,broken,loading}), each class loaded by the engine
 * itself — `createConnector(external://…)` through the bridge process, as `check`/`run` load it.
 */
describe("static verdict = the engine's load through the Python bridge, on the Python lane's fixtures", () => {
  const LANE = path.resolve(__dirname, "../fixtures/python");
  /** Failures no static check can see: code that runs (a missing dependency import, an `__init__` body). */
  const RUNTIME_ONLY = new Set(["init_attribute_error.InitAttributeError"]);
  const cases: { dir: string; module: string; cls: string }[] = [];
  for (const dir of ["good", "broken", "loading"]) {
    for (const f of fs.readdirSync(path.join(LANE, dir)).filter((x) => x.endsWith(".py")).sort()) {
      const text = fs.readFileSync(path.join(LANE, dir, f), "utf8");
      for (const m of text.matchAll(/^class (\w+)/gm)) cases.push({ dir, module: f.slice(0, -3), cls: m[1] });
    }
  }

  // the engine finds its interpreter through LMCACHE_PYTHON (what --python sets)
  beforeAll(() => void (process.env["LMCACHE_PYTHON"] = PYTHON));
  afterAll(() => stopBridges());

  it("covers the corpus", () => expect(cases.length).toBeGreaterThan(25));
  const outcomes: ({ name: string; message: string } | null)[] = [];

  for (const c of cases) {
    it(`${c.dir}/${c.module}:${c.cls}`, async () => {
      const cwd = path.join(LANE, c.dir);
      const lintCtx: LintContext = { cwd, env: {} };
      const file = resolvePythonModule(c.module, lintCtx)!;
      const v = pythonClassVerdict({ ctx: lintCtx, resolved: new Map(), modules: new Map() }, analyzeModuleFile(file)!, c.module, c.cls, "connector");
      const expected = v.raises ? { name: v.raises.type, message: v.raises.message } : null;
      let actual: { name: string; message: string } | null = null;
      const config = createEngineConfig({});
      const metadata = conformanceMetadata();
      try {
        const url = `external://host:0/${c.module}/?connector_name=${c.cls}`;
        const conn = await createConnector(url, { localCpuBackend: new LocalCPUBackend({ config, metadata }), config, metadata, cwd });
        await conn.close();
      } catch (e) {
        actual = { name: (e as Error).name, message: (e as Error).message };
      }
      outcomes.push(actual);
      if (RUNTIME_ONLY.has(`${c.module}.${c.cls}`)) {
        expect(expected).toBeNull();
        expect(actual).not.toBeNull();
      } else expect(expected).toEqual(actual);
    }, 30_000);
  }

  it("is not vacuous: classes load and classes fail (Python's exceptions, several kinds)", () => {
    expect(outcomes).toHaveLength(cases.length);
    expect(outcomes.filter((o) => o === null).length).toBeGreaterThan(10);
    expect(new Set(outcomes.filter((o) => o !== null).map((o) => o!.name))).toEqual(new Set(["TypeError", "SyntaxError", "AttributeError"]));
  });
});
