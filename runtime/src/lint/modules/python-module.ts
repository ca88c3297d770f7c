/**
 * Static analysis of a Python connector module (written for Python LMCache) with our parser of the
 * subset (scan/python-syntax.ts): top-level classes, their bases and class-body members, the
 * module's import bindings and any syntax error CPython would raise. User code is never run.
 */
import { parsePythonModule, type PyModuleSyntax } from "../scan/python-syntax";
import type { ClassInfo, ModuleInfo } from "./module-info";

/** Analyses one Python module text (`parsed`: its parse, when the caller has it, e.g. incrementally). */
export function analyzePythonModule(file: string, text: string, parsed?: PyModuleSyntax): ModuleInfo {
  const python = parsed ?? parsePythonModule(text);
  const classes = new Map<string, ClassInfo>();
  for (const c of python.classes.values()) {
    const first = c.bases.find((b) => "dotted" in b);
    classes.set(c.name, {
      name: c.name, start: c.nameStart, end: c.nameEnd, base: first && "dotted" in first ? first.dotted : null,
      methods: new Set(c.members.keys()), exported: true, isAbstract: false,
    });
  }
  const baseImports = new Map<string, string>();
  for (const [local, b] of python.bindings) if (b.kind === "from") baseImports.set(local, b.name);
  return { file, language: "python", classes, baseImports, python };
}
