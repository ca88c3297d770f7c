/**
 * `lmcache-connector --version` (ours): one `name version` line per component. The runtime's
 * version comes from its package.json, which esbuild inlines at build time (only the `version`
 * field), so the bundled CLI needs no package.json next to it.
 *
 * Extension point: other lanes (the Python lane: the interpreter and the installed `lmcache`)
 * add a {@link VersionSource} to {@link VERSION_SOURCES} (a source that starts a process must
 * give it a deadline); a source that fails is printed as "unavailable (reason)".
 */
import { KIT_VERSION } from "../kit-version";

/** The version of lmcache-connector-runtime this CLI belongs to. */
export function runtimeVersion(): string {
  return KIT_VERSION;
}

/** One line of `--version` output: a component and its version (or why it is unknown). */
export interface VersionLine {
  name: string;
  version: string;
}

/** A component `--version` reports. `read` may be slow (a child process), so it is async. */
export interface VersionSource {
  name: string;
  read(): Promise<string>;
}

/**
 * The components `--version` reports, in order; the runtime is always first. The Python lane
 * pushes its own sources (e.g. `{ name: "python", read }`, `{ name: "lmcache", read }`) here.
 */
export const VERSION_SOURCES: VersionSource[] = [{ name: "lmcache-connector-runtime", read: async () => runtimeVersion() }];

/** Reads every source; one that throws is reported as "unavailable (reason)", not fatal. */
export async function versionLines(sources: readonly VersionSource[] = VERSION_SOURCES): Promise<VersionLine[]> {
  return Promise.all(sources.map(async ({ name, read }) => {
    try {
      return { name, version: await read() };
    } catch (err) {
      return { name, version: `unavailable (${err instanceof Error ? err.message : String(err)})` };
    }
  }));
}

/** The text `lmcache-connector --version` prints: one `name version` line per source. */
export async function versionText(sources?: readonly VersionSource[]): Promise<string> {
  return (await versionLines(sources)).map((l) => `${l.name} ${l.version}`).join("\n") + "\n";
}
