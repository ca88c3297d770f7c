/**
 * Where the loader keeps compiled connectors (ours), and the checks that make that folder
 * private: code is run from it, so nobody but the user may be able to write there.
 * No esbuild import here: the extension reads the location to let the debugger find source maps.
 */
import { chmodSync, lstatSync, mkdirSync, statSync, type Stats } from "node:fs";
import { homedir, tmpdir, userInfo } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { ImportError } from "../errors";

/** The folder name under the user's cache directory. */
export const CACHE_FOLDER_NAME = "lmcache-connector";

/**
 * The user's cache directory: `$XDG_CACHE_HOME` when set to an absolute path (the XDG spec
 * ignores relative ones), else `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on Windows and
 * `~/.cache` elsewhere.
 */
export function userCacheRoot(env: Record<string, string | undefined> = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  const xdg = env["XDG_CACHE_HOME"];
  if (xdg && isAbsolute(xdg)) return xdg;
  if (platform === "darwin") return join(home, "Library", "Caches");
  if (platform === "win32") return env["LOCALAPPDATA"] || join(home, "AppData", "Local");
  return join(home, ".cache");
}

/** Default compile cache directory: `<user cache dir>/lmcache-connector/compiled` (per user, mode 0700). */
export function defaultCompileCacheDir(env: Record<string, string | undefined> = process.env): string {
  return join(userCacheRoot(env), CACHE_FOLDER_NAME, "compiled");
}

function describe(st: Stats): string {
  return `owner uid ${st.uid}, mode ${(st.mode & 0o777).toString(8).padStart(4, "0")}`;
}

const refuse = (path: string, why: string) =>
  new ImportError(`Refusing to use the compile cache '${path}': ${why}; remove it, or set XDG_CACHE_HOME to a private folder`);

/** The cache folder itself: a real directory (not a symlink), the user's, closed to group and others. */
function checkLeaf(path: string, uid: number | undefined): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink() || !st.isDirectory()) throw refuse(path, "it is not a plain directory (a symlink or a file)");
  if (uid !== undefined && st.uid !== uid) throw refuse(path, `it belongs to another user (${describe(st)}, expected uid ${uid})`);
  // ours but too open (made by an older kit or under a loose umask): close it rather than refuse
  if (st.mode & 0o077) chmodSync(path, st.mode & 0o700);
}

/** Its parent: nobody else may swap the folder, so it is the user's or root's, and writable by others only with the sticky bit (as /tmp). */
function checkParent(path: string, uid: number | undefined): void {
  const st = statSync(path);
  const sticky = (st.mode & 0o1000) !== 0;
  if (uid !== undefined && st.uid !== uid && st.uid !== 0) throw refuse(path, `its parent belongs to another user (${describe(st)})`);
  if (st.mode & 0o022 && !sticky) {
    if (uid !== undefined && st.uid !== uid) throw refuse(path, `its parent is writable by others (${describe(st)})`);
    chmodSync(path, st.mode & 0o7755);
  }
}

/**
 * Creates `dir` (mode 0700) if needed and makes sure nobody else can write into it: `dir` is a
 * real directory owned by the user with no access for group and others, and its parent is the
 * user's (or root's) and not writable by others unless sticky. A folder of ours that is too open
 * is chmod-ed; one owned by someone else, or a symlink, is refused with an `ImportError` that says why. `uid` is the expected owner (default:
 * this process's; unchecked where the platform has no uids).
 */
export function ensurePrivateDir(dir: string, uid: number | undefined = process.getuid?.()): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  checkParent(dirname(dir), uid);
  checkLeaf(dir, uid);
}

/** The fallback when the user's cache directory cannot be created: `<tmp>/lmcache-connector-<uid>/compiled`, held to the same checks. */
export function fallbackCompileCacheDir(): string {
  const who = process.getuid?.() ?? userInfo().username;
  return join(tmpdir(), `${CACHE_FOLDER_NAME}-${who}`, "compiled");
}

/** Errors of `mkdir` that mean "this place cannot be written", not "this place is unsafe". */
const UNWRITABLE = new Set(["EACCES", "EPERM", "EROFS", "ENOTDIR", "ENOENT"]);

/**
 * The default compile cache, made private ({@link ensurePrivateDir}); when the user's cache
 * directory cannot be written at all (a read-only or missing HOME, as in some sandboxes), the
 * per-user {@link fallbackCompileCacheDir} in the temp folder, which must pass the same checks.
 * A folder refused as unsafe is never replaced by the fallback: that error propagates.
 */
export function ensureDefaultCompileCacheDir(): string {
  const preferred = defaultCompileCacheDir();
  try {
    ensurePrivateDir(preferred);
    return preferred;
  } catch (e) {
    if (!UNWRITABLE.has((e as NodeJS.ErrnoException).code ?? "")) throw e;
  }
  const fallback = fallbackCompileCacheDir();
  ensurePrivateDir(fallback);
  return fallback;
}
