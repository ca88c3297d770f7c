/**
 * Compiles a connector source (TypeScript or JavaScript, ESM or CommonJS) into one CommonJS file
 * with esbuild, on the fly, into a per-user private cache (ours; LMCache imports Python directly).
 * A cache entry is never trusted as found: it is used only when the hash of its inputs, taken
 * afresh, matches the one it was built from (see {@link compileModule}).
 */
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Message } from "esbuild";
import { KIT_VERSION } from "../kit-version";
import { defaultCompileCacheDir, ensureDefaultCompileCacheDir, ensurePrivateDir } from "./cache-dir";

/** esbuild is loaded on first compile, so code that only resolves modules (the linter) never needs it. */
function esbuild(): typeof import("esbuild") {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("esbuild") as typeof import("esbuild");
}
import { ImportError } from "../errors";

/** The runtime package name; imports of it are left to the loader, which supplies its own copy. */
export const RUNTIME_PACKAGE = "lmcache-connector-runtime";

/** Bump when the build options below change, so old cache entries are ignored. */
const BUILD_RECIPE = "cjs-node20-inline-map-keepnames-v2";

export { defaultCompileCacheDir };

/** The result of {@link compileModule}. */
export interface CompiledModule {
  /** The source file that was compiled. */
  sourceFile: string;
  /** The bundled CommonJS file (named by the hash of its content). */
  outputFile: string;
  /** Its code, with an inline source map (with `sourcesContent`) back to the original sources. */
  code: string;
  /** True when an earlier build was reused because no input file changed. */
  fromCache: boolean;
}

/** What a cache entry records; every field is re-checked before the entry is used. */
interface Manifest {
  /** The entry's key: recipe, esbuild and kit versions, source path. */
  key: string;
  /** Absolute path → sha256 of every file esbuild read (the source itself included). */
  inputs: Record<string, string>;
  /** sha256 of the key and every input's path and content hash: names the output file. */
  inputsHash: string;
  /** sha256 of the output file's content. */
  outputHash: string;
}

function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The hash of an entry's inputs: the key plus each input's path and content hash, in path order. */
function hashInputs(key: string, inputs: Record<string, string>): string {
  const lines = Object.keys(inputs)
    .sort()
    .map((file) => `${file}\0${inputs[file]}`);
  return sha256([key, ...lines].join("\n"));
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return null;
  }
}

/**
 * The cached code for `file`, or null unless the manifest checks out NOW: it has our key, lists
 * the source among its inputs, every input still has its recorded content hash, the inputs hash
 * recomputed from those names the output file, and the output has its recorded hash.
 */
function verifiedEntry(cacheDir: string, key: string, file: string): { outputFile: string; code: string } | null {
  const m = readJson(join(cacheDir, `${key}.json`)) as Partial<Manifest> | null;
  if (!m || m.key !== key || typeof m.inputs !== "object" || m.inputs === null || typeof m.outputHash !== "string") return null;
  const inputs = m.inputs as Record<string, unknown>;
  if (!Object.prototype.hasOwnProperty.call(inputs, file)) return null;
  for (const [input, hash] of Object.entries(inputs)) {
    try {
      if (typeof hash !== "string" || sha256(readFileSync(input)) !== hash) return null;
    } catch {
      return null;
    }
  }
  const inputsHash = hashInputs(key, inputs as Record<string, string>);
  if (m.inputsHash !== inputsHash) return null;
  const outputFile = join(cacheDir, `${inputsHash}.js`);
  try {
    const code = readFileSync(outputFile, "utf8");
    return sha256(code) === m.outputHash ? { outputFile, code } : null;
  } catch {
    return null;
  }
}

/** esbuild messages as `file:line:column: text` lines. */
export function formatBuildMessages(messages: readonly Message[]): string {
  return messages
    .map((m) => (m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ${m.text}` : m.text))
    .join("\n");
}

function writeAtomically(path: string, data: string): void {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  // "wx": never write through a file (or symlink) that is already there
  writeFileSync(tmp, data, { mode: 0o600, flag: "wx" });
  renameSync(tmp, path);
}

/**
 * Bundle `sourceFile` (bundle, platform node, CommonJS, inline source map with `sourcesContent`),
 * leaving `lmcache-connector-runtime` external. The cache (default {@link defaultCompileCacheDir})
 * must be private (`ensurePrivateDir`: the user's, mode 0700; refused with an `ImportError`
 * otherwise). An entry is keyed by the build recipe, the esbuild and kit versions and the source
 * path, and reused only when {@link verifiedEntry} re-checks it: the content hash of every input
 * file, the inputs hash that names the output, and the output's own hash. Compile errors →
 * `ImportError` whose message carries esbuild's `file:line:column: text`.
 */
export async function compileModule(sourceFile: string, opts: { cacheDir?: string } = {}): Promise<CompiledModule> {
  const file = resolve(sourceFile);
  let cacheDir: string;
  if (opts.cacheDir === undefined) cacheDir = ensureDefaultCompileCacheDir();
  else ensurePrivateDir((cacheDir = opts.cacheDir));
  const key = sha256(`${BUILD_RECIPE}\0esbuild ${esbuild().version}\0kit ${KIT_VERSION}\0${file}`).slice(0, 32);
  const cached = verifiedEntry(cacheDir, key, file);
  if (cached) return { sourceFile: file, ...cached, fromCache: true };
  const provisional = join(cacheDir, `${key}.js`);
  let result;
  try {
    result = await esbuild().build({
      entryPoints: [file],
      bundle: true,
      platform: "node",
      target: "node20",
      format: "cjs",
      sourcemap: "inline",
      sourcesContent: true,
      // Class names appear in LMCache's messages ("Can't instantiate abstract class X …").
      keepNames: true,
      outfile: provisional,
      write: false,
      metafile: true,
      logLevel: "silent",
      external: [RUNTIME_PACKAGE, `${RUNTIME_PACKAGE}/*`],
      absWorkingDir: dirname(file),
      // Bundled code runs from the cache directory; keep __dirname/__filename meaning the source.
      define: { __dirname: JSON.stringify(dirname(file)), __filename: JSON.stringify(file) },
    });
  } catch (e) {
    const errors = (e as { errors?: Message[] }).errors;
    const detail = errors?.length ? formatBuildMessages(errors) : (e as Error).message;
    throw new ImportError(`Could not compile '${file}':\n${detail}`, { cause: e });
  }
  const code = result.outputFiles[0].text;
  const inputs: Record<string, string> = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    const abs = resolve(dirname(file), input);
    try {
      inputs[abs] = sha256(readFileSync(abs));
    } catch {
      // virtual inputs (none expected) cannot be re-checked; they do not invalidate the entry
    }
  }
  // the source is hashed even if esbuild named it differently, so an entry always covers it
  inputs[file] ??= sha256(readFileSync(file));
  const inputsHash = hashInputs(key, inputs);
  const outputFile = join(cacheDir, `${inputsHash}.js`);
  writeAtomically(outputFile, code);
  writeAtomically(join(cacheDir, `${key}.json`), JSON.stringify({ key, inputs, inputsHash, outputHash: sha256(code) } satisfies Manifest));
  return { sourceFile: file, outputFile, code, fromCache: false };
}
