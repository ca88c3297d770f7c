/**
 * Scaffolding commands: the answers asked through InputBox/QuickPick go through the shared
 * renderer, and the files written are byte-identical to `renderProject` / `renderConnectorClass`
 * for the same answers; an existing file with other contents is never replaced without asking.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type * as Render from "../../generator/src/render/index.js" with { "resolution-mode": "import" };
import { COMMANDS } from "../src/ids";
import { resolvePythonRunLaunch } from "../src/debug-launch";
import { projectTree, type Renderer } from "../src/scaffold";
import { fake } from "./fake-vscode";
import { activateExtension, deactivateExtension } from "./workspace";

// The shared renderer is an ES module (the generator's package); this test file is CommonJS.
let render: typeof Render;
beforeAll(async () => {
  render = await import("../../generator/src/render/index.js");
});

let dir: string;
let context: ReturnType<typeof activateExtension>["context"];
beforeEach(() => {
  fake.reset();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lmcache-ext-scaffold-"));
  fake.setWorkspaceFolder(dir);
  ({ context } = activateExtension());
});
afterEach(() => {
  deactivateExtension(context);
  fs.rmSync(dir, { recursive: true, force: true });
});

type Item = { value: unknown };
const pick = (value: unknown) => (_o: unknown, items: Item[]) => items.find((i) => i.value === value);
const pickMany = (values: unknown[]) => (_o: unknown, items: Item[]) => items.filter((i) => values.includes(i.value));

/** Every file under `root` as relative POSIX path → bytes. */
function readTree(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out.set(path.relative(root, full).split(path.sep).join("/"), fs.readFileSync(full));
    }
  };
  walk(root);
  return out;
}
const bytes = (tree: Map<string, string | Uint8Array>) => new Map([...tree].map(([k, v]) => [k, Buffer.from(v as never)]));
/**
 * A tree as path → SHA-256 of the bytes. Byte-identical trees compare equal; comparing the Buffers
 * themselves made vitest's deep equality walk the 2 MB packed runtime byte by byte (~20 s).
 */
const digests = (tree: Map<string, Buffer>) => new Map([...tree].map(([k, v]) => [k, createHash("sha256").update(v).digest("hex")]));

const answers = { language: "typescript", name: "acme-store", className: "AcmeStoreConnector", template: "fs", capabilities: ["batched", "ping"], loading: "external", ci: false };
type Answers = typeof answers;
const script = (a: Answers = answers) => [pick(a.language), a.name, a.className, pick(a.template), pickMany(a.capabilities), pick(a.loading), pick(a.ci)];

/** What `yo lmcache-connector` writes for `a`: renderProject's files plus the packed runtime (when built). */
function yoTree(a: Answers): Map<string, Buffer> {
  const expected = bytes(render.renderProject(a as never));
  let tarball: Uint8Array | undefined;
  try { tarball = render.vendoredRuntimeTarball(); } catch { tarball = undefined; }
  if (tarball) expected.set(render.RUNTIME_TARBALL_PATH, Buffer.from(tarball));
  return expected;
}

describe("New Connector Project…", () => {
  it("asks the generator's questions and writes exactly what the shared renderer renders", async () => {
    fake.host.answers = script();
    const projectDir = await fake.host.commands.get(COMMANDS.newProject)!();
    expect(projectDir).toBe(path.join(dir, "acme-store"));
    expect(fake.host.prompts.map((p) => p.kind)).toEqual(render.PROMPTS.map((p) => (p.kind === "input" ? "input" : "quickPick")));
    const expected = yoTree(answers);
    expect(digests(readTree(projectDir as string))).toEqual(digests(expected));
    expect(digests(bytes(projectTree(render as unknown as Renderer, answers)))).toEqual(digests(expected));
    // The new class is opened.
    expect(fake.host.shownDocuments.map((u) => path.relative(projectDir as string, u.fsPath))).toHaveLength(1);
    expect(fs.readFileSync(fake.host.shownDocuments[0]!.fsPath, "utf8")).toContain("class AcmeStoreConnector ");
  });

  it("asks before replacing an existing file, and writes nothing when not allowed", async () => {
    const readme = path.join(dir, "acme-store", "README.md");
    fs.mkdirSync(path.dirname(readme), { recursive: true });
    fs.writeFileSync(readme, "mine\n");
    fake.host.answers = script();
    expect(await fake.host.commands.get(COMMANDS.newProject)!()).toBeUndefined();
    const warning = fake.host.messages.at(-1)!;
    expect(warning.modal).toBe(true);
    expect(warning.message).toContain("README.md");
    expect(fs.readFileSync(readme, "utf8")).toBe("mine\n");
    expect(fs.readdirSync(path.dirname(readme))).toEqual(["README.md"]);

    fake.host.answers = script();
    fake.host.messageChoice = "Overwrite";
    expect(await fake.host.commands.get(COMMANDS.newProject)!()).toBe(path.join(dir, "acme-store"));
    expect(fs.readFileSync(readme)).toEqual(Buffer.from(render.renderProject(answers as never).get("README.md") as string));
  });

  it("writes nothing when the user presses Escape", async () => {
    fake.host.answers = [pick(answers.language), answers.name, undefined];
    expect(await fake.host.commands.get(COMMANDS.newProject)!()).toBeUndefined();
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe("New Connector Project… with Python", () => {
  for (const template of ["memory", "fs", "redis"] as const) {
    it(`writes the ${template} Python project byte-identical to yo's, and opens the .py class`, async () => {
      const py: Answers = { language: "python", name: "acme-py", className: "AcmePyConnector", template, capabilities: ["batched", "ping", "removeSync"], loading: template === "fs" ? "plugin" : "external", ci: true } as Answers;
      fake.host.answers = script(py);
      const projectDir = await fake.host.commands.get(COMMANDS.newProject)!();
      expect(projectDir).toBe(path.join(dir, "acme-py"));
      const expected = yoTree(py);
      expect(expected.has("pyproject.toml")).toBe(true);
      expect(digests(readTree(projectDir as string))).toEqual(digests(expected));
      expect(fake.host.shownDocuments.map((u) => path.relative(projectDir as string, u.fsPath))).toEqual(["src/acme_py/acme_py_connector.py"]);
    });
  }
});

describe("a generated Python project's launch configurations", () => {
  it("resolve, as the debug provider resolves them, to `run` and `check` of the class's URL with src/ importable", () => {
    const folder = "/work/acme-py";
    for (const template of ["memory", "fs", "redis"] as const) {
      const files = render.renderProject({ language: "python", name: "acme-py", template } as never);
      const launch = JSON.parse(String(files.get(".vscode/launch.json")).replaceAll("${workspaceFolder}", folder)) as { configurations: Record<string, unknown>[] };
      const resolved = launch.configurations.map((c) => {
        const r = resolvePythonRunLaunch("lmcache-connector-python", c as never, { folder, bundledCli: "/ext/dist/lmcache-connector.js", cacheDir: "/tmp/c" });
        return { name: r.name, launch: r.__lmcacheLaunch as { args: string[]; env: Record<string, string> } };
      });
      const url = "external://host:0/acme_py.acme_py_connector/?connector_name=AcmePyConnector";
      expect(resolved.map((r) => [r.name, r.launch.args.slice(0, 2)]), template).toEqual([
        ["Run against local cache", ["run", url]],
        ["Debug conformance", ["check", url]],
      ]);
      for (const r of resolved) expect(r.launch.env.PYTHONPATH, template).toBe(`${folder}/src`);
    }
  });
});

describe("Add Connector Class…", () => {
  it("adds the class through renderConnectorClass and opens it", async () => {
    const project = path.join(dir, "acme-store");
    for (const [rel, contents] of render.renderProject(answers as never)) {
      fs.mkdirSync(path.dirname(path.join(project, rel)), { recursive: true });
      fs.writeFileSync(path.join(project, rel), contents);
    }
    fake.setWorkspaceFolder(project);
    const before = readTree(project);
    const added = { className: "OtherConnector", template: "memory", capabilities: [], loading: "plugin" };
    const expected = render.renderConnectorClass(added as never, { read: (rel: string) => before.get(rel)?.toString("utf8") ?? null });
    fake.host.answers = [added.className, pick(added.template), pickMany(added.capabilities), pick(added.loading)];
    expect(await fake.host.commands.get(COMMANDS.addConnectorClass)!()).toBe(project);
    const after = readTree(project);
    for (const [rel, contents] of expected) expect(after.get(rel), rel).toEqual(Buffer.from(contents as never));
    for (const [rel, contents] of before) if (!expected.has(rel)) expect(after.get(rel), rel).toEqual(contents);
    expect(fake.host.shownDocuments[0]!.fsPath).toContain("other_connector");
  });

  it("in a Python project adds a Python class, the same files as yo writes, and opens the .py", async () => {
    const project = path.join(dir, "acme-py");
    for (const [rel, contents] of render.renderProject({ ...answers, language: "python", name: "acme-py" } as never)) {
      fs.mkdirSync(path.dirname(path.join(project, rel)), { recursive: true });
      fs.writeFileSync(path.join(project, rel), contents);
    }
    fake.setWorkspaceFolder(project);
    const before = readTree(project);
    const added = { className: "ColdStore", template: "redis", capabilities: ["ping"], loading: "external" };
    const expected = render.renderConnectorClass(added as never, { read: (rel: string) => before.get(rel)?.toString("utf8") ?? null });
    expect([...expected.keys()]).toContain("pyproject.toml"); // redis-py added: rewritten without a question
    fake.host.answers = [added.className, pick(added.template), pickMany(added.capabilities), pick(added.loading)];
    expect(await fake.host.commands.get(COMMANDS.addConnectorClass)!()).toBe(project);
    const after = readTree(project);
    for (const [rel, contents] of expected) expect(after.get(rel), rel).toEqual(Buffer.from(contents as never));
    for (const [rel, contents] of before) if (!expected.has(rel)) expect(after.get(rel), rel).toEqual(contents);
    expect(fake.host.shownDocuments.at(-1)!.fsPath).toMatch(/src[/\\]acme_py[/\\]cold_store\.py$/);
  });
});
