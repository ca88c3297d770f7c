/**
 * Module-file analyses cached by path, revalidated by mtime and size on every use, so an editor
 * that re-lints on each keystroke parses a connector module once per change of that module.
 */
import * as fs from "node:fs";
import { analyzePythonModule } from "./python-module";
import { analyzeTsModule } from "./ts-module";
import type { ModuleInfo } from "./module-info";
import { readRegularTextFile } from "../../files/read-text-file";

const cache = new Map<string, { mtimeMs: number; size: number; info: ModuleInfo }>();

/** Source files we can analyse; an extension module (`.so`) found by Python resolution cannot be. */
const ANALYSED = /\.(?:py|[cm]?[jt]sx?)$/i;

/** The analysis of a module file; null if it cannot be read (or is not a source file we analyse). */
export function analyzeModuleFile(file: string): ModuleInfo | null {
  if (!ANALYSED.test(file)) return null;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    cache.delete(file);
    return null;
  }
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === stat.mtimeMs && hit.size === stat.size) return hit.info;
  let text: string;
  try {
    // regular files up to 8 MiB only: a FIFO or a /dev/zero symlink on the search path must not hang or grow the linter
    text = readRegularTextFile(file);
  } catch {
    return null;
  }
  const info = file.endsWith(".py") ? analyzePythonModule(file, text) : analyzeTsModule(file, text);
  cache.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, info });
  return info;
}

/** Drops cached module analyses (all, or one file). */
export function clearModuleAnalysisCache(file?: string): void {
  if (file === undefined) cache.clear();
  else cache.delete(file);
}
