/**
 * The native shared mapping (ours): `runtime/native/src/shm_map.c`, built by `runtime/build.mjs`
 * into `native/prebuilds/<platform>-<arch>/lmcache_kit_shm.node`. It maps a connector instance's
 * shared-memory file into Node as an `ArrayBuffer`, which then becomes the engine allocator's
 * arena: the engine and the Python connector share the pages and payloads cross without a copy.
 * Without it (another platform, no compiler at build time, Electron's V8 sandbox, or
 * `LMCACHE_KIT_SHM=copy`) the bridge copies each payload through the file instead — the same
 * verdicts, only slower. `SharedArena.transport` says which one an instance uses, and why.
 */
import { join } from "node:path";
import { findAbove } from "../files/find-above";

/** What the addon exports. */
export interface NativeMapper {
  /** `mmap(fd, length, MAP_SHARED)` as an ArrayBuffer (unmapped when it is garbage-collected). */
  map(fd: number, length: number): ArrayBuffer;
}

const ADDON = "lmcache_kit_shm.node";

/** Where the addon for this platform would be: the first `native/prebuilds/<platform>-<arch>/` above this file. */
export function nativeAddonPath(): string | null {
  return findAbove(__dirname, join("native", "prebuilds", `${process.platform}-${process.arch}`, ADDON));
}

let loaded: { mapper: NativeMapper | null; reason: string } | null = null;

/** The addon, loaded once; `reason` says why it is unavailable (null mapper). */
export function nativeMapper(env: NodeJS.ProcessEnv = process.env): { mapper: NativeMapper | null; reason: string } {
  if (env["LMCACHE_KIT_SHM"] === "copy") return { mapper: null, reason: "LMCACHE_KIT_SHM=copy" };
  if (loaded) return loaded;
  const file = nativeAddonPath();
  if (!file) {
    loaded = { mapper: null, reason: `no ${ADDON} built for ${process.platform}-${process.arch}` };
    return loaded;
  }
  try {
    const module = { exports: {} as NativeMapper };
    process.dlopen(module, file);
    loaded = { mapper: module.exports, reason: "" };
  } catch (err) {
    loaded = { mapper: null, reason: `${ADDON} did not load (${(err as Error).message})` };
  }
  return loaded;
}
