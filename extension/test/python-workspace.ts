/**
 * The workspace the Python-connector tests share (python-conformance, python-debugpy): the kit's
 * good `dict_connector.py` fixture copied into a fresh folder per test, /usr/bin/python3 as the
 * interpreter setting, the runner bundle pointed at the kit's Python files, and the extension
 * activated on the fake host with the real bundled runner.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, expect, vi } from "vitest";
import { bundledRunnerPath } from "../src/runtime-paths";
import { fake, type FakeTestController, type FakeTestItem } from "./fake-vscode";
import { activateExtension, deactivateExtension } from "./workspace";

/** The repository root. */
export const ROOT = path.resolve(__dirname, "..", "..");
const FIXTURE = path.join(ROOT, "runtime", "test", "fixtures", "python", "good", "dict_connector.py");
/** The URL the fixture's connector is loaded by. */
export const URL = "external://host:0/dict_connector/?connector_name=DictConnector";
/** `exists_sync`'s body in the fixture, and a broken one (every key missing). */
export const GOOD_LINE = "        return key.to_string() in self.store";
export const BROKEN_LINE = "        return False";

/** One test's Python workspace (valid inside a test; each test gets a fresh folder). */
export interface PythonWorkspace {
  readonly dir: string;
  /** The copied `dict_connector.py`. */
  readonly file: string;
  /** The activated extension's API (after `start()`). */
  readonly api: ReturnType<typeof activateExtension>["api"];
  /** Activates the extension and waits until the Testing view lists the one connector. */
  start(): Promise<FakeTestController>;
  /** The DictConnector's test item. */
  connectorItem(c: FakeTestController): FakeTestItem;
  /** Rewrites `exists_sync`'s body on disk to `line` (GOOD_LINE or BROKEN_LINE). */
  setExistsSync(line: string): void;
}

/** Registers the per-file and per-test hooks in the calling test file and returns its workspace. */
export function usePythonWorkspace(): PythonWorkspace {
  const previousKitDir = process.env.LMCACHE_KIT_PYTHON_DIR;
  let dir = "";
  let file = "";
  let context: ReturnType<typeof activateExtension>["context"] | undefined;
  let api: ReturnType<typeof activateExtension>["api"] | undefined;

  beforeAll(() => {
    // the runner bundle in dist/ finds the kit's Python files through this (the .vsix ships them beside it)
    process.env.LMCACHE_KIT_PYTHON_DIR = path.join(ROOT, "runtime", "python");
  });
  afterAll(() => {
    if (previousKitDir === undefined) delete process.env.LMCACHE_KIT_PYTHON_DIR;
    else process.env.LMCACHE_KIT_PYTHON_DIR = previousKitDir;
  });
  beforeEach(() => {
    fake.reset();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lmcache-ext-pyrun-"));
    file = path.join(dir, "dict_connector.py");
    fs.copyFileSync(FIXTURE, file);
    fake.setWorkspaceFolder(dir);
    fake.setConfig("lmcacheConnector.python", "/usr/bin/python3");
  });
  afterEach(() => {
    if (context) deactivateExtension(context);
    context = undefined;
    api = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const runnerPath = bundledRunnerPath(ROOT);
  return {
    get dir() { return dir; },
    get file() { return file; },
    get api() {
      if (!api) throw new Error("start() the extension first");
      return api;
    },
    async start() {
      ({ api, context } = activateExtension({ runnerPath, debounceMs: 30 }));
      const controller = fake.host.testControllers[0]!;
      await controller.showTestingView();
      await vi.waitFor(() => expect(controller.items.size).toBe(1), { timeout: 15_000 });
      return controller;
    },
    connectorItem: (c) => c.items.get(`${file}#DictConnector`)!,
    setExistsSync(line) {
      const text = fs.readFileSync(file, "utf8").replace(GOOD_LINE, line).replace(BROKEN_LINE, line);
      fs.writeFileSync(file, text);
    },
  };
}
