/**
 * A package-lock.json for a folder that installs packed tarballs of this repository's workspaces,
 * with every other package pinned as the repository's own lockfile pins it (test helper). With it
 * `npm ci --offline` installs from the tarballs and the npm cache the repository's install filled:
 * no registry request at all (a plain `npm install <tgz>` must fetch packuments, which `npm ci`
 * of the repository never caches).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";

type LockEntry = Record<string, any>;

/** A packed workspace: its folder in the repository and the tarball `npm pack` made of it. */
export interface PackedWorkspace {
  name: string;
  workspace: string;
  tarball: string;
}

/** Where `name` resolves from the lock path `from`, by Node's lookup (nearest node_modules first). */
function resolveIn(lock: Record<string, LockEntry>, from: string, name: string): string | null {
  let dir = from;
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ""}node_modules/${name}`;
    if (lock[candidate] && !lock[candidate].link) return candidate;
    if (!dir) return null;
    const i = dir.lastIndexOf("/node_modules/");
    dir = i >= 0 ? dir.slice(0, i) : "";
  }
}

/** package.json and package-lock.json texts for `folder`, which installs `packed` and nothing else. */
export function offlineInstallFiles(repoRoot: string, folder: string, packed: readonly PackedWorkspace[]): { packageJson: string; packageLock: string } {
  const lock = JSON.parse(readFileSync(path.join(repoRoot, "package-lock.json"), "utf8")).packages as Record<string, LockEntry>;
  const entries: Record<string, LockEntry> = {};
  const dependencies: Record<string, string> = {};
  // A workspace's own nested node_modules move under its installed folder.
  const installedPath = (lockPath: string): string => {
    for (const p of packed) if (lockPath === p.workspace || lockPath.startsWith(`${p.workspace}/`)) return `node_modules/${p.name}${lockPath.slice(p.workspace.length)}`;
    return lockPath;
  };
  const visit = (from: string, entry: LockEntry): void => {
    const optional = { ...entry.optionalDependencies };
    for (const [name, meta] of Object.entries((entry.peerDependenciesMeta ?? {}) as Record<string, { optional?: boolean }>)) if (meta.optional) optional[name] = "*";
    for (const name of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies })) {
      const at = resolveIn(lock, from, name);
      if (at === null) {
        if (name in optional) continue;
        throw new Error(`${name} (needed by ${from || "the root"}) is not in the repository's package-lock.json`);
      }
      const target = installedPath(at);
      if (entries[target]) continue;
      const { dev: _dev, devOptional: _devOptional, peer: _peer, ...kept } = lock[at]!;
      entries[target] = kept;
      visit(at, lock[at]!);
    }
  };
  for (const p of packed) {
    const spec = `file:${path.relative(folder, p.tarball)}`;
    dependencies[p.name] = spec;
    const { devDependencies: _devDependencies, ...manifest } = lock[p.workspace]!;
    const integrity = `sha512-${createHash("sha512").update(readFileSync(p.tarball)).digest("base64")}`;
    entries[`node_modules/${p.name}`] = { ...manifest, resolved: spec, integrity };
    visit(p.workspace, lock[p.workspace]!);
  }
  const root = { name: "empty-folder", version: "1.0.0", private: true, dependencies };
  return {
    packageJson: JSON.stringify(root, null, 2) + "\n",
    packageLock: JSON.stringify({ name: root.name, version: root.version, lockfileVersion: 3, requires: true, packages: { "": root, ...entries } }, null, 2) + "\n",
  };
}
