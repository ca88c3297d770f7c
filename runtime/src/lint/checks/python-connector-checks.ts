/**
 * Checks on a Python connector class with Python's semantics (ours; issue 12 item 7), statically:
 * what loading it the way LMCache does would raise — a `SyntaxError` in the module (or a module
 * its bases come from), an inconsistent MRO, not a subclass, `Can't instantiate abstract class`,
 * the constructor's `TypeError` for `Cls(loop=…, local_cpu_backend=…, config=…)` (a plugin adapter:
 * `Cls()`) — and the methods whose kind is wrong (`exists/get/put/list/close` must be `async def`,
 * `exists_sync/remove_sync` plain `def`), which raise nothing at load but break every call.
 *
 * The verdict ({@link pythonClassVerdict}) is what the parity test compares with a real
 * /usr/bin/python3 loading the same class. Only the first exception is reported, as Python stops
 * at it; anything an unresolvable base could change is left unreported.
 */
import * as path from "node:path";
import { abstractMethods, isAbstractFunction, lookup, PyClassResolver, type PyClassNode, type PyModuleRef } from "../modules/python-classes";
import type { ModuleInfo } from "../modules/module-info";
import type { PyFunction } from "../scan/python-syntax";
import { callError } from "./python-call";
import { diag, type CheckEnv } from "./env";
import type { LintCodeKey } from "../codes";
import type { LintDiagnostic, LintRange } from "../types";

/** The keywords LMCache instantiates external and plugin connectors with (contract §1.1, §1.5). */
export const CONNECTOR_KEYWORDS = ["loop", "local_cpu_backend", "config"] as const;
/** Coroutine methods LMCache awaits (or schedules with `asyncio.run_coroutine_threadsafe`). */
export const ASYNC_METHODS = ["exists", "get", "put", "list", "close"] as const;
/** Methods LMCache calls directly from a worker thread. */
export const SYNC_METHODS = ["exists_sync", "remove_sync"] as const;

/** Every method whose kind is checked. */
export const KIND_CHECKED: readonly string[] = [...ASYNC_METHODS, ...SYNC_METHODS];

/** How LMCache uses the class: as a connector (external:// or a plugin's RemoteConnector), or a plugin class (adapter or connector). */
export type PythonClassRole = "connector" | "plugin";

/** The first exception loading and instantiating the class raises, as Python would raise it. */
export interface PythonRaise {
  code: LintCodeKey;
  type: string;
  message: string;
  /** A syntax error's message without Python's "(file, line N)" suffix. */
  bare?: string;
  /** Where it comes from (module file and 1-based line), when it is a line in a file. */
  file?: string;
  line?: number;
}

/** A method of the wrong kind, found along the MRO. */
export interface MethodKindIssue {
  name: string;
  expected: "async" | "sync";
  owner: string;
  file: string;
  fn: PyFunction;
}

/** The static verdict on one class. */
export interface PythonClassVerdict {
  /** What the class resolved to (null: not found in the module). */
  kind: "connector" | "adapter" | "neither" | "unknown" | null;
  raises: PythonRaise | null;
  methods: MethodKindIssue[];
}

/** Decorators that leave a function's kind and signature as written. */
const TRANSPARENT = new Set(["abstractmethod", "abc.abstractmethod", "override", "typing.override", "typing_extensions.override"]);
const plain = (fn: PyFunction) => fn.decorators.every((d) => TRANSPARENT.has(d));

/**
 * What importing a module raises before any connector code runs: its `SyntaxError`, else the
 * `TypeError` of the first top-level class (in file order) whose bases have no consistent MRO.
 */
function importRaise(resolver: PyClassResolver, mod: PyModuleRef): PythonRaise | null {
  const e = mod.info.python?.syntaxError;
  if (e) return { code: "pythonSyntaxError", type: e.type, message: `${e.message} (${path.basename(mod.info.file)}, line ${e.line})`, bare: e.message, file: mod.info.file, line: e.line };
  for (const cls of mod.info.python?.classes.values() ?? []) {
    const err = resolver.mro({ kind: "user", cls, module: mod }).error;
    if (err) return { code: "inconsistentMro", type: "TypeError", message: err.message, file: mod.info.file, line: cls.line };
  }
  return null;
}

/** The class `name` of module `mod`, as `getattr(module, name)` finds it (defined or imported there). */
export function findClass(resolver: PyClassResolver, mod: PyModuleRef, name: string): PyClassNode | null {
  const v = resolver.name(mod, name);
  return v.kind === "class" ? v.node : null;
}

/** Computes the verdict for class `className` of the module `moduleName` analysed as `info`. */
export function pythonClassVerdict(env: Pick<CheckEnv, "ctx" | "resolved" | "modules" | "deps">, info: ModuleInfo, moduleName: string | null, className: string, role: PythonClassRole): PythonClassVerdict {
  const resolver = new PyClassResolver(env);
  const mod: PyModuleRef = moduleName === null ? resolver.moduleForFile(info) : { info, name: moduleName };
  const own = importRaise(resolver, mod);
  if (own) return { kind: null, raises: own, methods: [] };
  const node = findClass(resolver, mod, className);
  if (!node) return { kind: null, raises: null, methods: [] };
  const mro = resolver.mro(node);
  // a module the bases come from that fails to import fails the import of this one
  for (let i = 0; i < resolver.touched.length; i++) {
    const broken = importRaise(resolver, resolver.touched[i]);
    if (broken) return { kind: null, raises: broken, methods: [] };
  }
  if (mro.error) return { kind: null, raises: { code: "inconsistentMro", type: "TypeError", message: mro.error.message }, methods: [] };
  const names = mro.classes.map((c) => (c.kind === "builtin" ? c.name : ""));
  const unknown = mro.classes.some((c) => c.kind === "unknown");
  const isConnector = names.includes("RemoteConnector");
  const isAdapter = role === "plugin" && names.includes("ConnectorAdapter");
  if (!isConnector && !isAdapter) {
    if (unknown) return { kind: "unknown", raises: null, methods: [] };
    const message = role === "plugin" ? `${className} is neither a ConnectorAdapter nor a RemoteConnector subclass` : `${className} must be a subclass of RemoteConnector`;
    return { kind: "neither", raises: { code: "notAConnector", type: "TypeError", message }, methods: [] };
  }
  const kind = isAdapter ? "adapter" : "connector";
  const raises = instantiationError(resolver, node, mro.classes, className, kind === "adapter" ? [] : [...CONNECTOR_KEYWORDS]);
  const methods = kind === "connector" ? methodKindIssues(mro.classes) : [];
  return { kind, raises, methods };
}

/**
 * `Cls(**keywords)`: ABCMeta's abstract check (in `object.__new__`), then binding `__init__`'s
 * arguments. Not judged when a class of the MRO has a decorator (`@dataclass` writes `__init__`)
 * or its own metaclass: either can replace what the class statement says.
 */
function instantiationError(resolver: PyClassResolver, node: PyClassNode, mro: PyClassNode[], className: string, keywords: string[]): PythonRaise | null {
  if (mro.some((c) => c.kind === "user" && (c.cls.decorators.length > 0 || c.cls.keywords.has("metaclass")))) return null;
  const abstract = abstractMethods(resolver, node);
  if (abstract && abstract.size) {
    const names = [...abstract].sort();
    const message = `Can't instantiate abstract class ${className} with abstract method${names.length === 1 ? "" : "s"} ${names.join(", ")}`;
    return { code: "missingAbstractMethod", type: "TypeError", message };
  }
  if (lookup(mro, "__new__").found !== "nothing") return null;
  const init = lookup(mro, "__init__");
  let params;
  let qualname: string;
  let where: { file?: string; line?: number } = {};
  if (init.found === "function" && plain(init.fn) && init.fn.params) {
    params = init.fn.params;
    qualname = `${init.owner.cls.name}.__init__`;
    where = { file: init.owner.module.info.file, line: init.fn.line };
  } else if (init.found === "builtin" && init.params) {
    params = init.params;
    qualname = `${init.owner}.__init__`;
  } else if (init.found === "builtin" && init.owner === "object") {
    return keywords.length ? { code: "constructorSignature", type: "TypeError", message: `${className}() takes no arguments` } : null;
  } else return null;
  const message = callError(qualname, params, keywords);
  return message ? { code: "constructorSignature", type: "TypeError", message, ...where } : null;
}

/** The methods of the wrong kind along an MRO (the first definition of each name). */
export function methodKindIssues(mro: PyClassNode[]): MethodKindIssue[] {
  const out: MethodKindIssue[] = [];
  for (const [names, expected] of [[ASYNC_METHODS, "async"], [SYNC_METHODS, "sync"]] as const) {
    for (const name of names) {
      const hit = lookup(mro, name);
      if (hit.found !== "function" || !plain(hit.fn) || isAbstractFunction(hit.fn)) continue;
      if (hit.fn.isAsync !== (expected === "async")) out.push({ name, expected, owner: hit.owner.cls.name, file: hit.owner.module.info.file, fn: hit.fn });
    }
  }
  return out;
}

/** What LMCache does with a method of the wrong kind (the diagnostic's "why"). */
export function methodKindMessage(issue: Pick<MethodKindIssue, "name" | "expected" | "owner">): string {
  const subject = `${issue.owner}.${issue.name}`;
  if (issue.expected === "async") {
    return `${subject} must be 'async def': LMCache awaits it (asyncio.run_coroutine_threadsafe(connector.${issue.name}(…), loop)), which raises TypeError: A coroutine object is required`;
  }
  const effect = issue.name === "exists_sync" ? 'so every key "exists"' : 'so every removal "succeeds" and nothing is removed';
  return `${subject} must be a plain 'def': LMCache calls it without awaiting, and an 'async def' returns a coroutine, which is truthy — ${effect}`;
}

const rel = (env: CheckEnv, file: string) => path.relative(env.ctx.cwd, file) || file;

/**
 * Diagnostics at a reference to the class (an external:// URL's `connector_name`, a plugin's
 * `class_name`) from its verdict: the exception loading it raises, then each method of the wrong kind.
 */
export function reportPythonVerdict(
  env: CheckEnv, v: PythonClassVerdict, info: ModuleInfo, modulePath: string, className: string, range: LintRange, out: LintDiagnostic[], pluginName?: string,
): void {
  const r = v.raises;
  if (r) {
    const at = r.file ? ` (${rel(env, r.file)}${r.line ? `:${r.line}` : ""})` : ` (${rel(env, info.file)})`;
    let message = r.message.replace(/\n/g, " ") + at;
    if (r.code === "pythonSyntaxError") {
      // Python's own "(file, line N)" suffix, with the workspace-relative path
      message = `${r.type}: ${r.bare} (${rel(env, r.file!)}, line ${r.line}): importing '${modulePath}' fails`;
    }
    if (r.code === "inconsistentMro") message = `TypeError: ${message}: importing '${modulePath}' fails`;
    if (r.code === "constructorSignature") {
      const call = v.kind === "adapter" ? `${className}()` : `${className}(loop=…, local_cpu_backend=…, config=…)`;
      message = `${call} raises TypeError: ${message}`;
    }
    if (v.kind === "adapter" && (r.code === "constructorSignature" || r.code === "missingAbstractMethod")) {
      message += ` — LMCache logs "Failed to create remote connector ${pluginName ?? "<name>"} adapter: …" and skips the plugin`;
    }
    out.push(diag(r.code, message, range, [], { name: r.type, message: r.message }));
  }
  for (const m of v.methods) {
    out.push(diag(m.expected === "async" ? "methodNotAsync" : "methodNotSync", `${methodKindMessage(m)} (${rel(env, m.file)}:${m.fn.line})`, range));
  }
}
