/** A temporary connector workspace on disk, and activation of the extension against the fake host. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ConnectorFeatureOptions } from "../src/connector-features";
import { activate, type ExtensionApi } from "../src/extension";
import { fake } from "./fake-vscode";

/** A connector class; `withExistsSync: false` leaves out the abstract method LMCache checks. */
export function connectorSource(className: string, withExistsSync = true): string {
  return [
    `import { RemoteConnector } from "lmcache-connector-runtime";`,
    `export class ${className} extends RemoteConnector {`,
    `  async exists() { return false; }`,
    withExistsSync ? `  existsSync() { return false; }` : ``,
    `  async get() { return null; }`,
    `  async put() {}`,
    `  async list() { return []; }`,
    `  async close() {}`,
    `}`,
    `export class Helper {}`,
    ``,
  ].join("\n");
}

/** A workspace folder holding `pkg/conn.ts` (class `MyConn`), registered with the fake host. */
export class TempWorkspace {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), "lmcache-ext-"));
  readonly connFile = path.join(this.root, "pkg", "conn.ts");

  constructor() {
    fs.mkdirSync(path.dirname(this.connFile));
    this.write("pkg/conn.ts", connectorSource("MyConn"));
    fake.setWorkspaceFolder(this.root);
  }

  file(rel: string): string { return path.join(this.root, rel); }

  write(rel: string, text: string): string {
    const file = this.file(rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    // A distinct mtime, so the core's mtime-keyed module cache sees the change within one second.
    const t = new Date(Date.now() + Math.floor(Math.random() * 1e6));
    fs.utimesSync(file, t, t);
    return file;
  }

  dispose(): void { fs.rmSync(this.root, { recursive: true, force: true }); }
}

/** Activates the extension with a fresh context; returns the API and the context (dispose it after). */
export function activateExtension(options?: ConnectorFeatureOptions): { api: ExtensionApi; context: ReturnType<typeof fake.createExtensionContext> } {
  const context = fake.createExtensionContext(path.resolve(__dirname, "..", ".."));
  const api = activate(context as never, options);
  return { api, context };
}

/** Disposes everything the extension registered. */
export function deactivateExtension(context: { subscriptions: { dispose(): unknown }[] }): void {
  for (const s of context.subscriptions) s.dispose();
}
