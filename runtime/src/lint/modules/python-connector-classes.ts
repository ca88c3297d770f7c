/**
 * The Python connector classes a module defines, found statically (ours; the editor's Testing view
 * lists them as it lists TS classes): top-level classes whose MRO, resolved as the checks resolve
 * it (bases through other workspace modules, mixins, multiple bases), reaches LMCache's
 * `RemoteConnector`. Classes marked abstract in their own body (`@abstractmethod`) and private
 * ones (`_Base`) are intermediate bases, not connectors to run. No code runs.
 */
import { pythonClassVerdict } from "../checks/python-connector-checks";
import type { LintContext } from "../types";
import { isAbstractFunction } from "./python-classes";
import { analyzePythonModule } from "./python-module";

/** A connector class found in a Python module. */
export interface PythonConnectorClass {
  name: string;
  /** Offsets of the class name in the source. */
  start: number;
  end: number;
}

/**
 * Connector classes of the module `moduleName` (its dotted name under the import roots of `ctx`)
 * whose source is `text`. A module with a syntax error defines none (importing it raises).
 */
export function pythonConnectorClasses(file: string, text: string, moduleName: string, ctx: LintContext): PythonConnectorClass[] {
  const info = analyzePythonModule(file, text);
  const syntax = info.python!;
  if (syntax.syntaxError) return [];
  const env = { ctx, resolved: new Map<string, string | null>(), modules: new Map([[file, info]]) };
  const out: PythonConnectorClass[] = [];
  for (const cls of syntax.classes.values()) {
    if (cls.name.startsWith("_")) continue;
    if ([...cls.members.values()].some((m) => m.kind === "function" && isAbstractFunction(m.fn))) continue;
    const verdict = pythonClassVerdict(env, info, moduleName, cls.name, "connector");
    if (verdict.kind === "connector") out.push({ name: cls.name, start: cls.nameStart, end: cls.nameEnd });
  }
  return out;
}
