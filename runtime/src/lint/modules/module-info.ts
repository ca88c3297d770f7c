/** What static analysis learns about a connector module (TS/JS or Python) without running it. */
import { ABSTRACT_CONNECTOR_METHODS } from "../../loader/connector-class";

/** How a class's `extends` chain ends, as far as the file alone tells. */
export type BaseKind =
  /** Reaches `RemoteConnector` (imported from `lmcache-connector-runtime`, or the Python base). */
  | "remote-connector"
  /** Reaches `ConnectorAdapter` (valid for `remote_storage_plugin.<name>.class_name`). */
  | "connector-adapter"
  /** No base class at all (or Python `object`). */
  | "none"
  /** A base imported from elsewhere: we cannot tell statically. */
  | "unknown";

/** One class declared at the module's top level. */
export interface ClassInfo {
  name: string;
  /** Offsets of the class name in the module file. */
  start: number;
  end: number;
  /** Name of the direct base class as written (null when none). */
  base: string | null;
  /** Methods (and method-valued properties) the class itself defines. */
  methods: Set<string>;
  /** Whether the module exports it (always true for Python). */
  exported: boolean;
  /** TS/JS only: the methods declared `async` (LMCache calls some methods without awaiting them). */
  asyncMethods?: Set<string>;
  isAbstract: boolean;
}

/** A module file's analysis. */
export interface ModuleInfo {
  file: string;
  language: "ts" | "python";
  classes: Map<string, ClassInfo>;
  /** Local name → imported name, for bindings imported from the runtime package (TS) or LMCache (Python). */
  baseImports: Map<string, string>;
  /** Python modules only: the parsed module (classes with methods and parameters, imports, syntax error). */
  python?: import("../scan/python-syntax").PyModuleSyntax;
}

/** Abstract methods of `RemoteConnector`, per language (TS camelCase, Python snake_case). */
export const ABSTRACT_METHODS = {
  ts: ABSTRACT_CONNECTOR_METHODS,
  python: ["exists", "exists_sync", "get", "put", "list", "close"],
} as const satisfies Record<string, readonly string[]>;

/** A class's verdict: what its chain reaches and which abstract methods neither it nor its local bases define. */
export interface ClassVerdict {
  baseKind: BaseKind;
  missing: string[];
}

/** Follows the `extends` chain inside the module and collects the methods defined on the way. */
export function classVerdict(info: ModuleInfo, name: string): ClassVerdict {
  const seen = new Set<string>();
  const methods = new Set<string>();
  let current = info.classes.get(name);
  let baseKind: BaseKind = "none";
  while (current && !seen.has(current.name)) {
    seen.add(current.name);
    for (const m of current.methods) methods.add(m);
    const base = current.base;
    if (base === null) {
      baseKind = "none";
      break;
    }
    const simple = base.split(".").pop()!;
    const imported = info.baseImports.get(base) ?? (base.includes(".") ? simple : undefined);
    if (imported === "RemoteConnector") {
      baseKind = "remote-connector";
      break;
    }
    if (imported === "ConnectorAdapter") {
      baseKind = "connector-adapter";
      break;
    }
    if (info.language === "python" && base === "object") {
      baseKind = "none";
      break;
    }
    const local = info.classes.get(base);
    if (!local) {
      baseKind = "unknown";
      break;
    }
    current = local;
  }
  const abstract: readonly string[] = ABSTRACT_METHODS[info.language];
  const missing = baseKind === "remote-connector" ? abstract.filter((m) => !methods.has(m)) : [];
  return { baseKind, missing };
}
