/**
 * Python class semantics for the linter (ours): a class reference resolved through the module's
 * imports into other workspace modules (`from x.y import Base`, `import x.y as z`, relative
 * imports), the method resolution order by C3 linearisation (CPython's algorithm, with its
 * `TypeError` texts), attribute lookup along the MRO, and `ABCMeta`'s abstract-method set.
 *
 * LMCache's own base classes are not read from disk: `RemoteConnector` and `ConnectorAdapter`
 * (and `abc.ABC`, `object`) are modelled here with LMCache's `__init__` signatures and abstract
 * methods (contract §2, §1.4). A class we cannot resolve (a third-party base, a call expression)
 * is `unknown`: anything looked up past it in the MRO is uncertain, and the checks stay silent.
 */
import * as path from "node:path";
import { analyzeMemo, resolveMemo } from "../checks/module-checks";
import type { CheckEnv } from "../checks/env";
import type { PyClass, PyFunction, PyMember, PyParam } from "../scan/python-syntax";
import type { ModuleInfo } from "./module-info";
import { pythonModuleRoots } from "./resolve";

/** LMCache's (and Python's) classes the checks know without reading them. */
export type BuiltinClass = "RemoteConnector" | "ConnectorAdapter" | "ABC" | "object";

/** A parsed Python module and its dotted name (null when unknown: relative imports then fail). */
export interface PyModuleRef {
  info: ModuleInfo;
  name: string | null;
}

/** A class in an MRO. */
export type PyClassNode =
  | { kind: "user"; cls: PyClass; module: PyModuleRef }
  | { kind: "builtin"; name: BuiltinClass }
  | { kind: "unknown"; text: string };

/** Where a class module lives, for messages. */
export function nodeName(n: PyClassNode): string {
  return n.kind === "user" ? n.cls.name : n.kind === "builtin" ? n.name : n.text.split(".").pop()!;
}

function nodeKey(n: PyClassNode): string {
  return n.kind === "user" ? `${n.module.info.file}\0${n.cls.name}` : n.kind === "builtin" ? `\0builtin\0${n.name}` : `\0unknown\0${n.text}`;
}

/** `__init__` of the modelled bases: LMCache's signatures (Era C). */
const P = (name: string, kind: PyParam["kind"] = "positional-or-keyword", hasDefault = false): PyParam => ({ name, kind, hasDefault });
const BUILTIN_INIT: Partial<Record<BuiltinClass, PyParam[]>> = {
  RemoteConnector: [P("self"), P("config"), P("metadata")],
  ConnectorAdapter: [P("self"), P("schema", "positional-or-keyword", true)],
};
const BUILTIN_ABSTRACT: Record<BuiltinClass, readonly string[]> = {
  RemoteConnector: ["exists", "exists_sync", "get", "put", "list", "close"],
  ConnectorAdapter: ["create_connector"],
  ABC: [],
  object: [],
};
const BUILTIN_MRO: Record<BuiltinClass, BuiltinClass[]> = {
  RemoteConnector: ["RemoteConnector", "object"],
  ConnectorAdapter: ["ConnectorAdapter", "ABC", "object"],
  ABC: ["ABC", "object"],
  object: ["object"],
};

/** Module → names of the modelled classes it provides. */
const KNOWN_MODULES: Record<string, Record<string, BuiltinClass>> = {
  "lmcache.v1.storage_backend.connector.base_connector": { RemoteConnector: "RemoteConnector" },
  "lmcache.v1.storage_backend.connector": { RemoteConnector: "RemoteConnector", ConnectorAdapter: "ConnectorAdapter" },
  abc: { ABC: "ABC" },
  builtins: { object: "object" },
};

const KNOWN_NAMES = Object.keys(KNOWN_MODULES);

/** What a name evaluates to, statically. */
type PyValue = { kind: "class"; node: PyClassNode } | { kind: "module"; name: string } | { kind: "unknown" };

/** Resolves names and classes across modules for one lint run (memoised through the run's env). */
export class PyClassResolver {
  private depth = 0;
  /** The Python modules resolved so far (their import is part of importing the class's module). */
  readonly touched: PyModuleRef[] = [];

  constructor(private readonly env: Pick<CheckEnv, "ctx" | "resolved" | "modules" | "deps">) {}

  /** The parsed Python module a dotted name resolves to (null: not found, not Python, or an LMCache module we model). */
  module(name: string): PyModuleRef | null {
    if (name in KNOWN_MODULES) return null;
    const file = resolveMemo(this.env, name);
    if (!file || !file.endsWith(".py")) return null;
    const info = analyzeMemo(this.env, file);
    if (!info?.python) return null;
    let ref = this.touched.find((m) => m.info === info);
    if (!ref) this.touched.push((ref = { info, name }));
    return ref;
  }

  /** A module reference for a file linted directly, its dotted name found from the import roots. */
  moduleForFile(info: ModuleInfo): PyModuleRef {
    for (const root of pythonModuleRoots(this.env.ctx)) {
      const rel = path.relative(root, info.file);
      if (rel.startsWith("..") || path.isAbsolute(rel)) continue;
      const parts = rel.replace(/\.py$/, "").split(path.sep);
      if (parts[parts.length - 1] === "__init__") parts.pop();
      if (parts.length && parts.every((p) => /^[A-Za-z_]\w*$/.test(p))) return { info, name: parts.join(".") };
    }
    return { info, name: null };
  }

  /** The absolute module a `from`-import names (`level` leading dots resolved against the importing module). */
  private absolute(from: PyModuleRef, level: number, module: string): string | null {
    if (level === 0) return module;
    if (from.name === null) return null;
    const pkg = from.name.split(".");
    if (!from.info.file.endsWith("__init__.py")) pkg.pop();
    // Python: "attempted relative import beyond top-level package" when there are fewer parts than dots
    if (pkg.length < level) return null;
    const base = pkg.slice(0, pkg.length - level + 1);
    return [...base, ...(module ? [module] : [])].join(".");
  }

  /** Attribute `attr` of module `moduleName`: a modelled class, a name in the module, or a submodule. */
  private attribute(moduleName: string, attr: string): PyValue {
    const known = KNOWN_MODULES[moduleName];
    if (known?.[attr]) return { kind: "class", node: { kind: "builtin", name: known[attr] } };
    if (known) return `${moduleName}.${attr}` in KNOWN_MODULES ? { kind: "module", name: `${moduleName}.${attr}` } : { kind: "unknown" };
    const mod = this.module(moduleName);
    if (mod) {
      const v = this.name(mod, attr);
      if (v.kind !== "unknown") return v;
    }
    const sub = `${moduleName}.${attr}`;
    // `import lmcache.v1….base_connector` binds `lmcache`: the packages on the way are modules too
    if (KNOWN_NAMES.some((k) => k === sub || k.startsWith(sub + ".")) || this.module(sub)) return { kind: "module", name: sub };
    return { kind: "unknown" };
  }

  /** What a bare name means at the top level of `mod`. */
  name(mod: PyModuleRef, name: string): PyValue {
    const syntax = mod.info.python!;
    const cls = syntax.classes.get(name);
    if (cls) return { kind: "class", node: { kind: "user", cls, module: mod } };
    const b = syntax.bindings.get(name);
    if (b && this.depth < 16) {
      this.depth++;
      try {
        if (b.kind === "module") return { kind: "module", name: b.module };
        if (b.kind === "other") return { kind: "unknown" };
        const abs = this.absolute(mod, b.level, b.module);
        return abs === null ? { kind: "unknown" } : this.attribute(abs, b.name);
      } finally {
        this.depth--;
      }
    }
    if (!b && name === "object") return { kind: "class", node: { kind: "builtin", name: "object" } };
    return { kind: "unknown" };
  }

  /** A base-class expression of a class in `mod`. */
  expression(mod: PyModuleRef, dotted: string): PyClassNode {
    const [first, ...rest] = dotted.split(".");
    let v = this.name(mod, first);
    for (const attr of rest) {
      if (v.kind !== "module") return { kind: "unknown", text: dotted };
      v = this.attribute(v.name, attr);
    }
    return v.kind === "class" ? v.node : { kind: "unknown", text: dotted };
  }

  /** The direct bases of a class (`object` when none are written). */
  bases(node: PyClassNode): PyClassNode[] {
    if (node.kind === "builtin") {
      const mro = BUILTIN_MRO[node.name];
      return mro.length > 1 ? [{ kind: "builtin", name: mro[1] }] : [];
    }
    if (node.kind === "unknown") return [{ kind: "builtin", name: "object" }];
    if (node.cls.bases.length === 0) return [{ kind: "builtin", name: "object" }];
    return node.cls.bases.map((b) => ("dotted" in b ? this.expression(node.module, b.dotted) : { kind: "unknown", text: b.other }));
  }

  private mros = new Map<string, PyMro>();

  /** The class's MRO by C3 linearisation, or the `TypeError` CPython raises creating the class. */
  mro(node: PyClassNode, stack: Set<string> = new Set()): PyMro {
    const key = nodeKey(node);
    const hit = this.mros.get(key);
    if (hit) return hit;
    if (node.kind === "builtin") return { classes: BUILTIN_MRO[node.name].map((name) => ({ kind: "builtin", name })) };
    if (node.kind === "unknown") return { classes: [node, { kind: "builtin", name: "object" }] };
    if (stack.has(key)) return { classes: [{ kind: "unknown", text: node.cls.name }] };
    stack.add(key);
    const bases = this.bases(node);
    let result: PyMro;
    const seen = new Set<string>();
    const dup = bases.find((b) => (seen.has(nodeKey(b)) ? true : (seen.add(nodeKey(b)), false)));
    if (dup) result = { classes: [], error: { where: node, message: `duplicate base class ${nodeName(dup)}` } };
    else {
      const inherited = bases.map((b) => this.mro(b, stack));
      const failed = inherited.find((m) => m.error);
      // one base: C3 gives [C, ...L[B]] (no merge needed)
      result = failed ?? (bases.length === 1 ? { classes: [node, ...inherited[0].classes] } : merge(node, inherited.map((m) => m.classes), bases));
    }
    stack.delete(key);
    this.mros.set(key, result);
    return result;
  }
}

/** A linearisation, or the error creating the class raises (at import time). */
export interface PyMro {
  classes: PyClassNode[];
  error?: { where: PyClassNode; message: string };
}

/** C3 merge: `L[C] = C + merge(L[B1], …, L[Bn], [B1, …, Bn])` (CPython's `mro_implementation`). */
function merge(node: PyClassNode, lists: PyClassNode[][], bases: PyClassNode[]): PyMro {
  const seqs = [...lists.map((l) => l.slice()), bases.slice()];
  const out: PyClassNode[] = [node];
  for (;;) {
    const live = seqs.filter((s) => s.length > 0);
    if (live.length === 0) return { classes: out };
    const head = live.map((s) => s[0]).find((h) => !live.some((s) => s.slice(1).some((x) => nodeKey(x) === nodeKey(h))));
    if (!head) {
      const names: string[] = [];
      for (const s of live) if (!names.includes(nodeName(s[0]))) names.push(nodeName(s[0]));
      return { classes: [], error: { where: node, message: `Cannot create a consistent method resolution\norder (MRO) for bases ${names.join(", ")}` } };
    }
    out.push(head);
    for (const s of seqs) if (s.length && nodeKey(s[0]) === nodeKey(head)) s.shift();
  }
}

/** What looking a name up along an MRO finds. */
export type PyLookup =
  | { found: "function"; owner: PyClassNode & { kind: "user" }; fn: PyFunction }
  | { found: "value"; owner: PyClassNode & { kind: "user" } }
  | { found: "builtin"; owner: BuiltinClass; abstract: boolean; params: PyParam[] | null }
  | { found: "nothing" }
  /** An unknown class comes first: it may define the name. */
  | { found: "uncertain" };

/** `getattr(cls, name)` along an MRO, statically. */
export function lookup(mro: PyClassNode[], name: string): PyLookup {
  for (const n of mro) {
    if (n.kind === "unknown") return { found: "uncertain" };
    if (n.kind === "builtin") {
      if (BUILTIN_ABSTRACT[n.name].includes(name)) return { found: "builtin", owner: n.name, abstract: true, params: null };
      if (name === "__init__" && BUILTIN_INIT[n.name]) return { found: "builtin", owner: n.name, abstract: false, params: BUILTIN_INIT[n.name]! };
      if (name === "__init__" && n.name === "object") return { found: "builtin", owner: "object", abstract: false, params: null };
      continue;
    }
    const m: PyMember | undefined = n.cls.members.get(name);
    if (m?.kind === "function") return { found: "function", owner: n, fn: m.fn };
    if (m) return { found: "value", owner: n };
  }
  return { found: "nothing" };
}

const ABSTRACT_DECORATORS = new Set(["abstractmethod", "abc.abstractmethod"]);

/** Whether a user function is marked `@abstractmethod` (its `__isabstractmethod__`). */
export function isAbstractFunction(fn: PyFunction): boolean {
  return fn.decorators.some((d) => ABSTRACT_DECORATORS.has(d));
}

/**
 * `cls.__abstractmethods__` as `ABCMeta.__new__` computes it: names marked abstract in the class
 * body, plus each base's abstract names still abstract when looked up on the class. Null when an
 * unknown class makes it uncertain.
 */
export function abstractMethods(resolver: PyClassResolver, node: PyClassNode): Set<string> | null {
  if (node.kind === "builtin") return new Set(BUILTIN_ABSTRACT[node.name]);
  if (node.kind === "unknown") return null;
  const mro = resolver.mro(node);
  if (mro.error) return null;
  const out = new Set<string>();
  for (const [name, m] of node.cls.members) if (m.kind === "function" && isAbstractFunction(m.fn)) out.add(name);
  for (const base of resolver.bases(node)) {
    const inherited = abstractMethods(resolver, base);
    if (inherited === null) return null;
    for (const name of inherited) {
      const hit = lookup(mro.classes, name);
      if (hit.found === "uncertain") return null;
      if ((hit.found === "builtin" && hit.abstract) || (hit.found === "function" && isAbstractFunction(hit.fn))) out.add(name);
    }
  }
  return out;
}
