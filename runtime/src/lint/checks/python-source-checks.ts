/**
 * The checks inside a Python source itself (ours; issue 12): its syntax error at its line, and in
 * each class that is a `RemoteConnector`, the methods it defines with the wrong kind (with a quick
 * fix) and an inconsistent MRO. The constructor and abstract methods are checked where a URL or a
 * plugin names the class, since an intermediate base class is abstract by design.
 *
 * Incremental (ours): a class's verdict here depends on its own chunk, on the module's namespace
 * structure (imports, class names and bases: {@link chunkHeaderSignature}) and on the modules its
 * bases come from, so each chunk's diagnostics are cached by chunk text and reused while those
 * hold. A one-line edit in a method body re-checks that chunk only.
 */
import { LineIndex } from "../positions";
import type { PlacedChunk } from "../scan/chunks";
import { chunkHeaderSignature, parseChunk, parsePythonChunks } from "../scan/python-chunked";
import { parsePythonModule, type PyFunction, type PyModuleSyntax } from "../scan/python-syntax";
import { PyClassResolver, type PyClassNode } from "../modules/python-classes";
import type { ModuleInfo } from "../modules/module-info";
import { depsHold, recordDeps, shiftDiagnostic, type ModuleDeps } from "../check-cache";
import { KIND_CHECKED, methodKindIssues, methodKindMessage } from "./python-connector-checks";
import { diag, type CheckEnv } from "./env";
import type { LintDiagnostic, LintDocument, LintFix } from "../types";

/** Quick fix for a method of the wrong kind: add `async ` before `def`, or remove `async `. */
function kindFix(env: CheckEnv, fn: PyFunction, expected: "async" | "sync"): LintFix {
  if (expected === "async") {
    const at = env.lines.range(fn.defStart, fn.defStart);
    return { title: `Make '${fn.name}' async def`, edits: [{ range: at, newText: "async " }] };
  }
  return { title: `Make '${fn.name}' a plain def`, edits: [{ range: env.lines.range(fn.asyncStart!, fn.defStart), newText: "" }] };
}

/**
 * The class diagnostics of `part` (a chunk's parse, or the whole module's) in `env`'s coordinates;
 * names resolve in `namespace` (the whole module). A class a later statement rebinds is skipped.
 */
function checkClasses(env: CheckEnv, file: string, part: PyModuleSyntax, namespace: PyModuleSyntax): LintDiagnostic[] {
  const out: LintDiagnostic[] = [];
  // only the parse is needed here (the per-class ClassInfo of analyzePythonModule is not)
  const info: ModuleInfo = { file, language: "python", classes: new Map(), baseImports: new Map(), python: namespace };
  const resolver = new PyClassResolver(env);
  const mod = resolver.moduleForFile(info);
  for (const cls of part.classes.values()) {
    if (namespace.classes.get(cls.name) !== cls) continue;
    // only a class with several bases can be the one whose MRO fails; only one defining a checked method can report one
    if (cls.bases.length < 2 && !KIND_CHECKED.some((m) => cls.members.has(m))) continue;
    const node: PyClassNode = { kind: "user", cls, module: mod };
    const mro = resolver.mro(node);
    if (mro.error) {
      if (mro.error.where.kind === "user" && mro.error.where.cls === cls) {
        const message = `TypeError: ${mro.error.message.replace(/\n/g, " ")} (class ${cls.name})`;
        out.push(diag("inconsistentMro", message, env.lines.range(cls.nameStart, cls.nameEnd), [], { name: "TypeError", message: mro.error.message }));
      }
      continue;
    }
    if (!mro.classes.some((c) => c.kind === "builtin" && c.name === "RemoteConnector")) continue;
    for (const m of methodKindIssues(mro.classes)) {
      if (m.file !== file || m.owner !== cls.name) continue;
      out.push(diag(m.expected === "async" ? "methodNotAsync" : "methodNotSync", methodKindMessage(m), env.lines.range(m.fn.nameStart, m.fn.nameEnd), [kindFix(env, m.fn, m.expected)]));
    }
  }
  return out;
}

/** A chunk's cached diagnostics (chunk-local lines) and what they depend on. */
interface ChunkVerdict {
  context: string;
  deps: ModuleDeps;
  diagnostics: LintDiagnostic[];
}

/** One document's in-source Python checks, cached per chunk. */
export class PythonSourceChecks {
  private readonly checked = new Map<string, ChunkVerdict>();

  /**
   * The document's diagnostics. `signature` is the lint's check signature, `signatures` its memo
   * of module signatures; every module path consulted is added to `env.deps`.
   */
  check(env: CheckEnv, doc: LintDocument, chunks: readonly PlacedChunk[], signature: string, signatures: Map<string, string>): LintDiagnostic[] {
    const parts = chunks.map((c) => parseChunk(c.chunk));
    if (parts.some((p) => p.syntaxError)) {
      // the whole text decides (an open bracket or block before a chunk changes its errors)
      const whole = parsePythonModule(doc.text);
      const e = whole.syntaxError;
      if (!e) return checkClasses(env, doc.path, whole, whole);
      const end = Math.min(doc.text.length, e.offset + 1);
      // the document is the file: Python's "(file, line N)" suffix would only repeat the position
      return [diag("pythonSyntaxError", `${e.type}: ${e.message} (line ${e.line})`, env.lines.range(e.offset, end), [], { name: e.type, message: e.message })];
    }
    const namespace = parsePythonChunks(chunks, doc.text, false);
    const context = `${signature}\0${chunks.map((c) => chunkHeaderSignature(c.chunk)).join("\n")}`;
    const out: LintDiagnostic[] = [];
    for (const [i, { startLine, chunk }] of chunks.entries()) {
      if (parts[i].classes.size === 0) continue;
      let cached = this.checked.get(chunk.text);
      if (!cached || cached.context !== context || !depsHold(env, cached.deps, signatures)) {
        const local: CheckEnv = { ctx: env.ctx, lines: new LineIndex(chunk.text), declaredPlugins: env.declaredPlugins, resolved: env.resolved, modules: env.modules, deps: new Set() };
        const diagnostics = checkClasses(local, doc.path, parts[i], namespace);
        cached = { context, deps: recordDeps(env, local.deps!, signatures), diagnostics };
        this.checked.set(chunk.text, cached);
      }
      for (const d of cached.diagnostics) out.push(shiftDiagnostic(d, startLine));
      for (const p of cached.deps.keys()) env.deps?.add(p);
    }
    if (this.checked.size > 2 * chunks.length + 64) {
      const present = new Set(chunks.map((c) => c.chunk.text));
      for (const text of this.checked.keys()) if (!present.has(text)) this.checked.delete(text);
    }
    return out;
  }
}
