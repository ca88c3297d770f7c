/**
 * The Python subset parser against CPython itself: each broken snippet gets exactly the
 * exception type, message and line /usr/bin/python3's `compile()` raises; the standard library
 * (valid Python) gets no syntax error; and the constructor TypeError texts equal Python's for a
 * table of `__init__` signatures called as LMCache calls them.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lintDocument } from "../../src/lint";
import { parsePythonModule } from "../../src/lint/scan/python-syntax";
import { callError } from "../../src/lint/checks/python-call";

const PYTHON = "/usr/bin/python3";

/** Runs a Python snippet that reads JSON from argv[1] and prints JSON. */
function python<T>(code: string, input: unknown): T {
  return JSON.parse(execFileSync(PYTHON, ["-c", code, JSON.stringify(input)], { encoding: "utf8", timeout: 30_000 })) as T;
}

const BROKEN: Record<string, string> = {
  defColon: "class A:\n    def f(self)\n        pass\n",
  asyncDefColon: "class A:\n    async def f(self, key)\n        return 1\n",
  defColonBeforeBody: "class A:\n    def f(self, key) return False\n",
  defColonAfterArrow: "def f(self) -> int\n    pass\n",
  defColonAfterArrowBody: "def f(self) -> Dict[str, int] return 1\n",
  defJunkAfterParams: "def f(self) x\n",
  classColon: "class A(B)\n    pass\n",
  bareClassColon: "class A\n    pass\n",
  unexpectedIndent: "x = 1\n    y = 2\n",
  noBlockDef: "class A:\n    def f(self):\n    pass\n",
  noBlockClass: "class A:\nx = 1\n",
  noBlockAtEof: "import os\ndef f():\n",
  noBlockIf: "if x:\ny\n",
  noBlockElse: "if x:\n  y\nelse:\nz\n",
  noBlockTry: "try:\nx\n",
  noBlockExcept: "try:\n  x\nexcept E:\nz\n",
  noBlockFor: "for a in b:\nz\n",
  noBlockWith: "with a:\nz\n",
  noBlockWhile: "while a:\nz\n",
  noBlockAsyncDef: "async def f():\nz\n",
  unindent: "class A:\n    def f(self):\n        pass\n  x = 1\n",
  unterminated: "x = 'abc\ny = 1\n",
  unterminatedDouble: 'x = 1\ny = "abc\n',
  unterminatedTriple: "x = 1\ny = '''abc\n\nz\n",
  unterminatedTripleNoNewline: 'x = """abc\nz',
  unmatched: "x = 1)\n",
  mismatchOneLine: "x = (1, 2]\n",
  mismatchTwoLines: "x = (1,\n2]\n",
  neverClosed: "x = (1,\n\ny = 2\n",
  neverClosedBracket: "class A:\n    names = ['a', 'b'\n\n\nclass B:\n    pass\n",
  stringInBracket: "x = f(\n  'abc\n)\n",
};

const COMPILE = `
import json, sys
out = {}
for k, src in json.loads(sys.argv[1]).items():
    try:
        compile(src, "m.py", "exec")
        out[k] = None
    except SyntaxError as e:
        out[k] = {"type": type(e).__name__, "message": e.msg, "line": e.lineno}
print(json.dumps(out))
`;

describe("syntax errors: the parser says what CPython 3.11 says", () => {
  const expected = python<Record<string, { type: string; message: string; line: number } | null>>(COMPILE, BROKEN);
  for (const [name, src] of Object.entries(BROKEN)) {
    it(name, () => {
      expect(expected[name], "Python must reject the snippet").not.toBeNull();
      const e = parsePythonModule(src).syntaxError;
      expect(e && { type: e.type, message: e.message, line: e.line }).toEqual(expected[name]);
    });
  }

  it("reports no syntax error in valid Python: the standard library's modules", () => {
    const dir = python<string>("import json, os, sys; print(json.dumps(os.path.dirname(os.__file__)))", null);
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".py")).sort().map((f) => path.join(dir, f));
    expect(files.length).toBeGreaterThan(100);
    const flagged = files.filter((f) => parsePythonModule(fs.readFileSync(f, "utf8")).syntaxError !== null);
    // every file flagged must really be invalid for this Python (e.g. lib2to3 test data): none are in the stdlib top level
    expect(flagged.map((f) => [path.basename(f), parsePythonModule(fs.readFileSync(f, "utf8")).syntaxError])).toEqual([]);
  });

  it("models classes, bases, members and imports", () => {
    const m = parsePythonModule([
      "from .base import (Base as B,",
      "    Mixin)",
      "import a.b.c",
      "import x.y as z",
      "class C(B, z.Mixin, metaclass=Meta):",
      "    '''doc'''",
      "    attr: int = 1",
      "    note: str",
      "    @abc.abstractmethod",
      "    async def exists(self, key, /, other=1, *args, flag, **kw) -> bool:",
      "        return False",
      "    def exists(self): pass",
      "    a = b = None",
      "    class Inner: pass",
      "",
    ].join("\n"));
    expect(m.syntaxError).toBeNull();
    expect([...m.bindings]).toEqual([
      ["B", { kind: "from", module: "base", level: 1, name: "Base" }],
      ["Mixin", { kind: "from", module: "base", level: 1, name: "Mixin" }],
      ["a", { kind: "module", module: "a" }],
      ["z", { kind: "module", module: "x.y" }],
    ]);
    const c = m.classes.get("C")!;
    expect(c.bases).toEqual([{ dotted: "B" }, { dotted: "z.Mixin" }]);
    expect(c.keywords.get("metaclass")).toBe("Meta");
    expect([...c.members.keys()]).toEqual(["attr", "exists", "a", "b", "Inner"]);
    // the later plain def replaced the async one, as in the class namespace
    const exists = c.members.get("exists")!;
    expect(exists.kind === "function" && exists.fn.isAsync).toBe(false);
  });

  it("reads parameter lists", () => {
    const m = parsePythonModule("class C:\n    @abc.abstractmethod\n    async def f(self, key, /, other: Dict[str, int] = {}, *args, flag, **kw) -> bool:\n        pass\n");
    const f = m.classes.get("C")!.members.get("f")!;
    expect(f.kind).toBe("function");
    if (f.kind !== "function") return;
    expect(f.fn.isAsync).toBe(true);
    expect(f.fn.decorators).toEqual(["abc.abstractmethod"]);
    expect(f.fn.params).toEqual([
      { name: "self", kind: "positional-only", hasDefault: false },
      { name: "key", kind: "positional-only", hasDefault: false },
      { name: "other", kind: "positional-or-keyword", hasDefault: true },
      { name: "args", kind: "var-positional", hasDefault: false },
      { name: "flag", kind: "keyword-only", hasDefault: false },
      { name: "kw", kind: "var-keyword", hasDefault: false },
    ]);
  });
});

describe("constructor TypeError: callError says what CPython 3.11 says for Cls(loop=…, local_cpu_backend=…, config=…)", () => {
  const SIGNATURES = [
    "self, config, metadata",
    "self, loop, local_cpu_backend, config",
    "self, loop, local_cpu_backend, config=None",
    "self, loop, local_cpu_backend, config, capacity",
    "self, loop, local_cpu_backend, config, a, b, c",
    "self, loop, local_cpu_backend, config, *, plugin_name",
    "self, loop, local_cpu_backend, config, *, a, b, c=1",
    "self, loop, /, local_cpu_backend, config",
    "self, loop, local_cpu_backend, config, /",
    "self, loop, /, local_cpu_backend, config, **kw",
    "self, x, /, config",
    "self",
    "",
    "**kwargs",
    "*args, **kwargs",
    "*, loop, local_cpu_backend, config",
    "*, loop, x, **kw",
    "loop, local_cpu_backend, config",
    "self, config, local_cpu_backend, loop, metadata, x=1, *, y",
    "self, *args",
    "self, loop, *args, local_cpu_backend, config",
    "self, url, loop, local_cpu_backend",
  ];
  const SCRIPT = `
import json, sys
out = []
for sig in json.loads(sys.argv[1]):
    ns = {}
    exec(f"class C:\\n    def __init__({sig}): pass\\n", ns)
    try:
        ns["C"](loop=1, local_cpu_backend=2, config=3)
        out.append(None)
    except TypeError as e:
        out.append(str(e))
print(json.dumps(out))
`;
  const expected = python<(string | null)[]>(SCRIPT, SIGNATURES);
  for (const [i, sig] of SIGNATURES.entries()) {
    it(`def __init__(${sig})`, () => {
      const m = parsePythonModule(`class C:\n    def __init__(${sig}): pass\n`);
      const init = m.classes.get("C")!.members.get("__init__")!;
      if (init.kind !== "function") throw new Error("not parsed");
      expect(callError("C.__init__", init.fn.params!, ["loop", "local_cpu_backend", "config"])).toBe(expected[i]);
    });
  }
  it("a plugin adapter's Cls() with required parameters", () => {
    const params = parsePythonModule("class C:\n    def __init__(self, schema, capacity): pass\n").classes.get("C")!.members.get("__init__")!;
    if (params.kind !== "function") throw new Error("not parsed");
    expect(callError("C.__init__", params.fn.params!, [])).toBe("C.__init__() missing 2 required positional arguments: 'schema' and 'capacity'");
  });
});

describe("never a crash", () => {
  it("any text of Python-ish pieces parses and lints without throwing", () => {
    const pieces = ["class ", "def ", "async ", "import ", "from ", ".", "(", ")", "[", "]", "{", "}", ":", ",", "=", "*", "**", "/", "->", "@",
      "'", '"', "'''", "\\", "#", "\n", "\n    ", "\n\t", "A", "B", "self", "RemoteConnector", "__init__", "exists", "x", " as ", "0"];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 80 }), (parts) => {
        const text = parts.join("");
        expect(parsePythonModule(text)).toBeDefined();
        expect(Array.isArray(lintDocument({ path: "/tmp/fuzz.py", text }, { cwd: "/tmp", env: {} }))).toBe(true);
      }),
      { numRuns: 400, seed: 7 },
    );
  });
});
