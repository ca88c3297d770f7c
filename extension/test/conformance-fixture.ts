/** A workspace holding the runtime's runner fixture connectors (good, failing, hanging, exiting). */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fake } from "./fake-vscode";

const FIXTURES = path.resolve(__dirname, "..", "..", "runtime", "test", "fixtures", "runner");
/** The runtime's deliberately broken connectors (each breaks one contract rule). */
export const BROKEN_FIXTURES = path.resolve(__dirname, "..", "..", "runtime", "test", "fixtures", "broken");
export const CONNECTOR_FILES = ["good_connector.ts", "failing_connector.ts", "hanging_connector.ts", "exiting_connector.ts"];

export class ConnectorWorkspace {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), "lmcache-ext-conf-"));
  /** Copies `files` from `from` (default: the runner fixtures) into a fresh workspace folder. */
  constructor(files: readonly string[] = CONNECTOR_FILES, from = FIXTURES) {
    for (const f of files) fs.copyFileSync(path.join(from, f), path.join(this.root, f));
    fs.writeFileSync(path.join(this.root, "helper.ts"), "export class NotAConnector {}\n");
    fake.setWorkspaceFolder(this.root);
  }
  file(rel: string): string { return path.join(this.root, rel); }
  /** 0-based line and character of `class <name>`'s name in `rel`. */
  classPosition(rel: string, name: string): { line: number; character: number } {
    const lines = fs.readFileSync(this.file(rel), "utf8").split("\n");
    const line = lines.findIndex((l) => l.includes(`class ${name} `));
    return { line, character: lines[line]!.indexOf(name) };
  }
  dispose(): void { fs.rmSync(this.root, { recursive: true, force: true }); }
}
