/** Finding a file shipped beside a bundle, wherever the bundle was copied to (ours). */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The first `<dir>/<relative>` that exists, for `dir` = `startDir` and up to `levels` folders
 * above it (`src/python/` and `dist/` in the repository and the npm package, `dist/` in the .vsix).
 */
export function findAbove(startDir: string, relative: string, levels = 6): string | null {
  let dir = startDir;
  for (let i = 0; i < levels; i++) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}
