/**
 * Temporary workspaces the scenarios open. Each is a fresh folder under os.tmpdir(); the caller
 * removes it with {@link removeWorkspace}.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The config file of the lint scenario, and its broken line (1-based). */
export const LINT_CONFIG = "lmcache-config.yaml";

/** A URL without a port: LMCache's parse_remote_url raises for it; the kit offers ":0". */
export const PORTLESS_URL = "external://cache-host/connectors.good_connector/?connector_name=GoodConnector";

/** The same URL as the quick fix writes it. */
export const FIXED_URL = "external://cache-host:0/connectors.good_connector/?connector_name=GoodConnector";

/** Creates a folder under os.tmpdir() with the given files (paths relative to it). */
export function makeWorkspace(prefix: string, files: Record<string, string>): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `lmcache-e2e-ws-${prefix}-`)));
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  return root;
}

/** Removes a workspace made by {@link makeWorkspace}. */
export function removeWorkspace(root: string | undefined): void {
  if (root) fs.rmSync(root, { recursive: true, force: true });
}

/** A workspace with an LMCache config whose external:// URL has no port, and the connector it names. */
export function lintWorkspace(): string {
  return makeWorkspace("lint", {
    [LINT_CONFIG]: [
      "# LMCache engine configuration",
      "chunk_size: 256",
      "local_cpu: true",
      "max_local_cpu_size: 5",
      `remote_url: "${PORTLESS_URL}"`,
      'remote_serde: "naive"',
      "",
    ].join("\n"),
    "connectors/good_connector.ts": [
      'import { RemoteConnector } from "lmcache-connector-runtime";',
      "",
      "export class GoodConnector extends RemoteConnector {",
      "  async exists(key) { return false; }",
      "  existsSync(key) { return false; }",
      "  async get(key) { return null; }",
      "  async put(key, obj) {}",
      "  async list() { return []; }",
      "  async close() {}",
      "}",
      "",
    ].join("\n"),
  });
}

/** The connector of the conformance and debug scenarios: file, class, module path and URL. */
export const STORE = {
  file: "src/e2e_store.ts",
  className: "E2eStoreConnector",
  url: "external://localhost:0/src.e2e_store/?connector_name=E2eStoreConnector",
  /** The line of `existsSync`'s body (1-based), broken and fixed by the scenarios. */
  existsSyncBodyLine: 30,
  existsSyncBody: "    this.assertOpen(); return this.store.has(key.toString());",
  existsSyncBroken: "    this.assertOpen(); return false; // broken on purpose by the e2e test",
  /** The line of `put`'s first statement (1-based): the debug scenario's breakpoint. */
  putFirstLine: 46,
} as const;

/** A correct Map-backed connector (1-based line numbers matter: see {@link STORE}). */
export const STORE_SOURCE = [
  /* 1 */ "/** A Map-backed connector used by the kit's end-to-end tests. */",
  /* 2 */ 'import { RemoteConnector, type CacheEngineKey, type ConnectorInit, type MemoryObj } from "lmcache-connector-runtime";',
  /* 3 */ "",
  /* 4 */ "interface Stored {",
  /* 5 */ "  bytes: Uint8Array;",
  /* 6 */ "  shapes: number[][];",
  /* 7 */ '  dtypes: ReturnType<MemoryObj["getDtypes"]>;',
  /* 8 */ '  fmt: ReturnType<MemoryObj["getMemoryFormat"]>;',
  /* 9 */ "}",
  /* 10 */ "",
  /* 11 */ "export class E2eStoreConnector extends RemoteConnector {",
  /* 12 */ "  private readonly store = new Map<string, Stored>();",
  /* 13 */ "  private readonly init: ConnectorInit;",
  /* 14 */ "  private closed = false;",
  /* 15 */ "",
  /* 16 */ "  constructor(init: ConnectorInit) {",
  /* 17 */ "    super(init.localCpuBackend.config as never, init.localCpuBackend.metadata);",
  /* 18 */ "    this.init = init;",
  /* 19 */ "  }",
  /* 20 */ "",
  /* 21 */ "  private assertOpen(): void {",
  /* 22 */ '    if (this.closed) throw new Error("connector is closed");',
  /* 23 */ "  }",
  /* 24 */ "",
  /* 25 */ "  async exists(key: CacheEngineKey): Promise<boolean> {",
  /* 26 */ "    return this.existsSync(key);",
  /* 27 */ "  }",
  /* 28 */ "",
  /* 29 */ "  existsSync(key: CacheEngineKey): boolean {",
  /* 30 */ "    this.assertOpen(); return this.store.has(key.toString());",
  /* 31 */ "  }",
  /* 32 */ "",
  /* 33 */ "  async get(key: CacheEngineKey): Promise<MemoryObj | null> {",
  /* 34 */ "    this.assertOpen();",
  /* 35 */ "    const s = this.store.get(key.toString());",
  /* 36 */ "    if (!s) return null;",
  /* 37 */ "    const single = s.shapes.length === 1;",
  /* 38 */ "    const obj = this.init.localCpuBackend.allocate((single ? s.shapes[0] : s.shapes) as never, (single ? s.dtypes[0] : s.dtypes) as never, s.fmt);",
  /* 39 */ "    if (!obj) return null;",
  /* 40 */ "    obj.byteArray.set(s.bytes);",
  /* 41 */ "    return obj;",
  /* 42 */ "  }",
  /* 43 */ "",
  /* 44 */ "  async put(key: CacheEngineKey, obj: MemoryObj): Promise<void> {",
  /* 45 */ "    this.assertOpen();",
  /* 46 */ "    const bytes = obj.byteArray.slice();",
  /* 47 */ "    this.store.set(key.toString(), { bytes, shapes: obj.getShapes().map((x) => [...x]), dtypes: [...obj.getDtypes()], fmt: obj.getMemoryFormat() });",
  /* 48 */ "  }",
  /* 49 */ "",
  /* 50 */ "  async list(): Promise<string[]> {",
  /* 51 */ "    this.assertOpen();",
  /* 52 */ "    return [...this.store.keys()];",
  /* 53 */ "  }",
  /* 54 */ "",
  /* 55 */ "  async close(): Promise<void> {",
  /* 56 */ "    this.closed = true;",
  /* 57 */ "  }",
  /* 58 */ "}",
  "",
].join("\n");

/** The source with `existsSync` broken (always false). */
export function brokenStoreSource(): string {
  const lines = STORE_SOURCE.split("\n");
  lines[STORE.existsSyncBodyLine - 1] = STORE.existsSyncBroken;
  return lines.join("\n");
}

/**
 * A connector project as a user has it before `npm install`: package.json, tsconfig, the connector,
 * and an LMCache config naming it — and no node_modules at all (no typescript, no esbuild, no
 * runtime). The installed extension must compile and run it with what the .vsix ships; the
 * connector's `import … from "lmcache-connector-runtime"` is bound by the loader to its own runtime.
 */
export function connectorWorkspace(prefix: string, source = STORE_SOURCE): string {
  return makeWorkspace(prefix, {
    "package.json": JSON.stringify({ name: "e2e-store", version: "0.0.0", private: true, dependencies: { "lmcache-connector-runtime": "*" } }, null, 2) + "\n",
    "tsconfig.json": JSON.stringify({ compilerOptions: { target: "ES2022", module: "Node16", strict: true, sourceMap: true, skipLibCheck: true } }, null, 2) + "\n",
    [STORE.file]: source,
    "lmcache-config.yaml": `chunk_size: 256\nlocal_cpu: true\nremote_url: "${STORE.url}"\nremote_serde: "naive"\n`,
  });
}
