/**
 * Compiles a connector source (TypeScript or JavaScript, ESM or CommonJS) into one CommonJS file
 * with esbuild, on the fly, into a content-addressed cache (ours; LMCache imports Python directly).
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { Message } from "esbuild";

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

/** Default cache directory: `os.tmpdir()/lmcache-connector-kit/compiled`. */
export function defaultCompileCacheDir(): string {
  return join(tmpdir(), "lmcache-connector-kit", "compiled");
}

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

interface Manifest {
  inputs: Record<string, string>;
  output: string;
}

function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function readManifest(path: string): Manifest | null {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Manifest;
  } catch {
    return null;
  }
}

function inputsUnchanged(manifest: Manifest): boolean {
  return Object.entries(manifest.inputs).every(([file, hash]) => {
    try {
      return sha256(readFileSync(file)) === hash;
    } catch {
      return false;
    }
  });
}

/** esbuild messages as `file:line:column: text` lines. */
export function formatBuildMessages(messages: readonly Message[]): string {
  return messages
    .map((m) => (m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ${m.text}` : m.text))
    .join("\n");
}

function writeAtomically(path: string, data: string): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/**
 * Bundle `sourceFile` (bundle, platform node, CommonJS, inline source map with `sourcesContent`),
 * leaving `lmcache-connector-runtime` external. The cache entry is keyed by the source path and
 * reused while every bundled input keeps its content hash. Compile errors → `ImportError` whose
 * message carries esbuild's `file:line:column: text`.
 */
export async function compileModule(sourceFile: string, opts: { cacheDir?: string } = {}): Promise<CompiledModule> {
  const file = resolve(sourceFile);
  const cacheDir = opts.cacheDir ?? defaultCompileCacheDir();
  mkdirSync(cacheDir, { recursive: true });
  const key = sha256(`${BUILD_RECIPE}\0${esbuild().version}\0${file}`).slice(0, 32);
  const manifestPath = join(cacheDir, `${key}.json`);
  const cached = readManifest(manifestPath);
  if (cached && inputsUnchanged(cached)) {
    try {
      const outputFile = join(cacheDir, cached.output);
      return { sourceFile: file, outputFile, code: readFileSync(outputFile, "utf8"), fromCache: true };
    } catch {
      // fall through to a rebuild
    }
  }
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
  const output = `${key}-${sha256(code).slice(0, 16)}.js`;
  const outputFile = join(cacheDir, output);
  writeAtomically(outputFile, code);
  const inputs: Record<string, string> = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    const abs = resolve(dirname(file), input);
    try {
      inputs[abs] = sha256(readFileSync(abs));
    } catch {
      // virtual inputs (none expected) cannot be re-checked; they do not invalidate the entry
    }
  }
  writeAtomically(manifestPath, JSON.stringify({ inputs, output } satisfies Manifest));
  return { sourceFile: file, outputFile, code, fromCache: false };
}
