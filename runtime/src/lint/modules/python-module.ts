/**
 * Static analysis of a Python connector module (written for Python LMCache) with our tokenizer:
 * top-level `class X(Base):` headers and the `def`/`async def` names indented under them, plus
 * `from … import RemoteConnector` bindings. User code is never run.
 */
import { tokenizePython } from "../scan/python-tokens";
import type { ClassInfo, ModuleInfo } from "./module-info";

/** Analyses one Python module text. */
export function analyzePythonModule(file: string, text: string): ModuleInfo {
  const classes = new Map<string, ClassInfo>();
  const baseImports = new Map<string, string>();
  const { lines } = tokenizePython(text);
  let open: { info: ClassInfo; indent: number; bodyIndent: number | null } | null = null;
  for (const line of lines) {
    const t = line.tokens;
    if (open && line.indent <= open.indent) open = null;
    if (line.indent === 0 && t[0]?.text === "from") {
      const importAt = t.findIndex((x) => x.text === "import");
      for (let k = importAt + 1; importAt > 0 && k < t.length; k++) {
        if (t[k].type !== "name") continue;
        const name = t[k].text;
        if (t[k + 1]?.text === "as" && t[k + 2]) {
          baseImports.set(t[k + 2].text, name);
          k += 2;
        } else baseImports.set(name, name);
      }
      continue;
    }
    if (line.indent === 0 && t[0]?.text === "class" && t[1]?.type === "name") {
      let base: string | null = null;
      if (t[2]?.text === "(") {
        // first positional base, dotted names joined
        let k = 3;
        let dotted = "";
        while (k < t.length && (t[k].type === "name" || t[k].text === ".")) dotted += t[k++].text;
        if (dotted && t[k]?.text !== "=") base = dotted;
      }
      const info: ClassInfo = { name: t[1].text, start: t[1].start, end: t[1].end, base, methods: new Set(), exported: true, isAbstract: false };
      classes.set(info.name, info);
      open = { info, indent: 0, bodyIndent: null };
      continue;
    }
    if (open) {
      open.bodyIndent ??= line.indent;
      if (line.indent !== open.bodyIndent) continue;
      const defAt = t[0]?.text === "async" ? 1 : 0;
      if (t[defAt]?.text === "def" && t[defAt + 1]?.type === "name") open.info.methods.add(t[defAt + 1].text);
      else if (t[0]?.type === "name" && t[1]?.text === "=") open.info.methods.add(t[0].text);
    }
  }
  return { file, language: "python", classes, baseImports };
}
