import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import helpers from "yeoman-test";
import { RUNTIME_TARBALL_PATH, renderConnectorClass, renderProject, vendoredRuntimeTarball } from "../src/render/index.js";
import { GOLDEN_ANSWERS, readTree } from "./helpers.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const APP = path.resolve(here, "../generators/app/index.js");
const CONNECTOR = path.resolve(here, "../generators/connector/index.js");

/** The generators' own flags (yeoman-test types `withOptions` as yeoman-generator's base options only). */
const flags = (options: Record<string, unknown>) => options as Parameters<ReturnType<typeof helpers.run>["withOptions"]>[0];

beforeAll(() => {
  if (!existsSync(APP) || !existsSync(CONNECTOR)) throw new Error("generator is not built: run `npm run build` at the repository root");
});

describe("yo lmcache-connector", () => {
  it("--name acme-store --template memory --yes writes acme-store/ without a prompt", async () => {
    const result = await helpers.run(APP).withOptions(flags({ name: "acme-store", template: "memory", yes: true, skipInstall: true })).withAnswers({}, { throwOnMissingAnswer: true });
    const root = path.join(result.cwd, "acme-store");
    const tree = readTree(root);
    expect(tree.has("package.json")).toBe(true);
    expect(tree.has("src/acme_store_connector.ts")).toBe(true);
    expect(tree.get(RUNTIME_TARBALL_PATH)!.equals(Buffer.from(vendoredRuntimeTarball()))).toBe(true);
  });

  for (const [template, answers] of Object.entries(GOLDEN_ANSWERS)) {
    it(`writes the same bytes as renderProject for the ${template} answers (options)`, async () => {
      const options: Record<string, unknown> = { yes: true, skipInstall: true };
      for (const [k, v] of Object.entries(answers)) options[k === "className" ? "class-name" : k] = Array.isArray(v) ? v.join(",") : v;
      const result = await helpers.run(APP).withOptions(options);
      const expected = renderProject(answers);
      const folder = String(answers.name).replace(/^@[^/]+\//, "");
      const tree = readTree(path.join(result.cwd, folder));
      tree.delete(RUNTIME_TARBALL_PATH);
      expect([...tree.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [rel, text] of expected) expect(tree.get(rel)!.toString("utf8"), rel).toBe(text);
    });
  }

  it("asks every question when nothing is given, and uses the answers", async () => {
    const result = await helpers
      .run(APP)
      .withOptions(flags({ skipInstall: true }))
      .withAnswers({ language: "typescript", name: "qa-store", className: "QaStore", template: "fs", capabilities: ["ping"], loading: "plugin", ci: false }, { throwOnMissingAnswer: true });
    const tree = readTree(path.join(result.cwd, "qa-store"));
    tree.delete(RUNTIME_TARBALL_PATH);
    const expected = renderProject({ name: "qa-store", className: "QaStore", template: "fs", capabilities: ["ping"], loading: "plugin", ci: false });
    expect([...tree.keys()].sort()).toEqual([...expected.keys()].sort());
    expect(tree.has(".github/workflows/ci.yml")).toBe(false);
    expect(tree.get("src/qa_store.ts")!.toString()).toContain("override async ping()");
  });

  it("--language python writes the Python project (pyproject.toml, src/<package>/, tests/) and the packed runtime", async () => {
    const result = await helpers.run(APP).withOptions(flags({ language: "python", name: "acme-store", template: "fs", yes: true, skipInstall: true })).withAnswers({}, { throwOnMissingAnswer: true });
    const tree = readTree(path.join(result.cwd, "acme-store"));
    expect(tree.get(RUNTIME_TARBALL_PATH)!.equals(Buffer.from(vendoredRuntimeTarball()))).toBe(true);
    tree.delete(RUNTIME_TARBALL_PATH);
    const expected = renderProject({ language: "python", name: "acme-store", template: "fs" });
    expect([...tree.keys()].sort()).toEqual([...expected.keys()].sort());
    expect(tree.get("src/acme_store/acme_store_connector.py")!.toString()).toContain("class AcmeStoreConnector(RemoteConnector):");
  });

  it("rejects an invalid package name before writing anything", async () => {
    const context = helpers.run(APP).withOptions(flags({ name: "Bad Name", yes: true, skipInstall: true }));
    await expect(context).rejects.toThrow(/Nothing was written[\s\S]*lower case/);
    expect(readTree(context.targetDirectory!).size).toBe(0);
  });

  it("rejects an invalid class name before writing anything", async () => {
    const context = helpers.run(APP).withOptions(flags({ name: "fine", "class-name": "not-a-class", yes: true, skipInstall: true }));
    await expect(context).rejects.toThrow(/Nothing was written[\s\S]*identifier/);
    expect(readTree(context.targetDirectory!).size).toBe(0);
  });

  it("the prompt validators reject bad names", async () => {
    const { PROMPTS } = await import("../src/render/index.js");
    const byName = Object.fromEntries(PROMPTS.map((p) => [p.name, p]));
    expect(byName.name!.validate!("Bad Name")).toMatch(/lower case/);
    expect(byName.className!.validate!("lower")).toMatch(/upper-case/);
    expect(byName.name!.validate!("good-name")).toBe(true);
  });

  it("never overwrites an existing file silently: a kept conflict keeps the author's file", async () => {
    const result = await helpers
      .run(APP, {}, { force: false })
      .withOptions(flags({ language: "typescript", name: "acme-store", template: "memory", capabilities: "", loading: "external", ci: false, "class-name": "AcmeStoreConnector", skipInstall: true, force: false }))
      .onTargetDirectory((dir) => {
        mkdirSync(path.join(dir, "acme-store"), { recursive: true });
        writeFileSync(path.join(dir, "acme-store", "README.md"), "mine\n");
      })
      .withAnswers({ overwrite: [] }, { throwOnMissingAnswer: true });
    expect(result.askedQuestions.map((q) => q.name)).toEqual(["overwrite"]); // asked once, before writing
    expect(readFileSync(path.join(result.cwd, "acme-store", "README.md"), "utf8")).toBe("mine\n");
    expect(existsSync(path.join(result.cwd, "acme-store", "package.json"))).toBe(true);
  });

  it("--yes over an existing project folder with a differing file writes nothing", async () => {
    const context = helpers
      .run(APP, {}, { force: false })
      .withOptions(flags({ name: "acme-store", yes: true, skipInstall: true, force: false }))
      .onTargetDirectory((dir) => {
        mkdirSync(path.join(dir, "acme-store"), { recursive: true });
        writeFileSync(path.join(dir, "acme-store", "README.md"), "mine\n");
      });
    await expect(context).rejects.toThrow(/Nothing was written:[\s\S]*README\.md exists and differs/);
    expect([...readTree(path.join(context.targetDirectory!, "acme-store")).keys()]).toEqual(["README.md"]);
  });
});

describe("run-generator.mjs --version", () => {
  it("prints the generator's version and the vendored runtime's", () => {
    const own = JSON.parse(readFileSync(path.resolve(here, "../package.json"), "utf8")).version;
    const runtime = JSON.parse(readFileSync(path.resolve(here, "../../runtime/package.json"), "utf8")).version;
    const out = execFileSync(process.execPath, [path.resolve(here, "../run-generator.mjs"), "--version"], { encoding: "utf8" });
    expect(out).toBe(`generator-lmcache-connector ${own}\nlmcache-connector-runtime ${runtime} (vendored)\n`);
  });
});

describe("--version (yo hands it to the generator)", () => {
  for (const [name, generator] of [["app", APP], ["connector", CONNECTOR]] as const) {
    it(`${name}: prints the versions and stops: no question, no file`, async () => {
      const context = helpers.run(generator).withOptions(flags({ version: true, skipInstall: true }));
      const logged: string[] = [];
      context.onGenerator((g) => {
        const log = g.log.bind(g);
        (g as { log: unknown }).log = Object.assign((text: string) => { logged.push(text); return log(text); }, log);
      });
      const result = await context.withAnswers({}, { throwOnMissingAnswer: true });
      expect(result.askedQuestions).toEqual([]);
      expect(readTree(result.cwd).size).toBe(0);
      expect(logged.join("\n")).toMatch(/^generator-lmcache-connector \d+\.\d+\.\d+\nlmcache-connector-runtime \d+\.\d+\.\d+ \(vendored\)$/m);
    });
  }
});

describe("yo lmcache-connector:connector", () => {
  it("adds a class to an existing project, byte-identical to renderConnectorClass", async () => {
    const project = renderProject({ name: "acme-store" });
    const result = await helpers
      .run(CONNECTOR)
      .withOptions(flags({ "class-name": "SecondStore", template: "fs", capabilities: "batched", yes: true, skipInstall: true }))
      .withFiles(Object.fromEntries(project));
    const expected = renderConnectorClass({ className: "SecondStore", template: "fs", capabilities: "batched" }, { read: (r) => project.get(r) ?? null });
    for (const [rel, text] of expected) expect(readFileSync(path.join(result.cwd, rel), "utf8"), rel).toBe(text);
    expect(existsSync(path.join(result.cwd, "src/acme_store_connector.ts"))).toBe(true);
  });

  it("in a Python project adds a Python class (and its requirement), byte-identical to renderConnectorClass", async () => {
    const project = renderProject({ language: "python", name: "acme-store" });
    const result = await helpers
      .run(CONNECTOR)
      .withOptions(flags({ "class-name": "SecondStore", template: "redis", capabilities: "ping", yes: true, skipInstall: true }))
      .withFiles(Object.fromEntries(project));
    const expected = renderConnectorClass({ className: "SecondStore", template: "redis", capabilities: "ping" }, { read: (r) => project.get(r) ?? null });
    expect([...expected.keys()]).toEqual(expect.arrayContaining(["src/acme_store/second_store.py", "tests/test_second_store_conformance.py", "pyproject.toml"]));
    for (const [rel, text] of expected) expect(readFileSync(path.join(result.cwd, rel), "utf8"), rel).toBe(text);
    expect(existsSync(path.join(result.cwd, "src/second_store.ts"))).toBe(false);
  });

  /** A generated project plus `extra` files; written to disk with {@link onDisk} (withFiles only fills yeoman's memory). */
  const projectFiles = (extra: Record<string, string> = {}) => ({ ...Object.fromEntries(renderProject({ name: "acme-store" })), ...extra });
  const onDisk = (files: Record<string, string>) => (dir: string) => {
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), text);
    }
  };
  const SECOND = { "class-name": "SecondStore", template: "fs", loading: "external", capabilities: "" };

  it("--yes updates launch.json and writes the new files without a single question", async () => {
    const project = projectFiles();
    const result = await helpers
      .run(CONNECTOR, {}, { force: false })
      .withOptions(flags({ ...SECOND, yes: true, skipInstall: true, force: false }))
      .onTargetDirectory(onDisk(project))
      .withAnswers({}, { throwOnMissingAnswer: true });
    expect(result.askedQuestions).toEqual([]);
    const launch = JSON.parse(readFileSync(path.join(result.cwd, ".vscode/launch.json"), "utf8"));
    expect(launch.configurations.map((c: { name: string }) => c.name)).toContain("Run against local cache (SecondStore)");
    expect(existsSync(path.join(result.cwd, "src/second_store.ts"))).toBe(true);
  });

  it("--yes with a conflicting file stops before writing anything (no half-written tree)", async () => {
    const project = projectFiles({ "lmcache/second_store.yaml": "# the author's own config\n" });
    const context = helpers
      .run(CONNECTOR, {}, { force: false })
      .withOptions(flags({ ...SECOND, yes: true, skipInstall: true, force: false }))
      .onTargetDirectory(onDisk(project))
      .withAnswers({}, { throwOnMissingAnswer: true });
    await expect(context).rejects.toThrow(/Nothing was written:[\s\S]*lmcache\/second_store\.yaml exists and differs[\s\S]*--force/);
    const tree = readTree(context.targetDirectory!);
    expect([...tree.keys()].sort()).toEqual(Object.keys(project).sort());
    for (const [rel, text] of Object.entries(project)) expect(tree.get(rel)!.toString("utf8"), rel).toBe(text);
  });

  it("--force overwrites a conflicting file without asking", async () => {
    const project = projectFiles({ "lmcache/second_store.yaml": "# the author's own config\n" });
    const result = await helpers
      .run(CONNECTOR, {}, { force: false })
      .withOptions(flags({ ...SECOND, yes: true, force: true, skipInstall: true }))
      .onTargetDirectory(onDisk(project))
      .withAnswers({}, { throwOnMissingAnswer: true });
    expect(result.askedQuestions).toEqual([]);
    const expected = renderConnectorClass({ className: "SecondStore", template: "fs", loading: "external" }, { read: (r) => project[r] ?? null });
    expect(readFileSync(path.join(result.cwd, "lmcache/second_store.yaml"), "utf8")).toBe(expected.get("lmcache/second_store.yaml"));
  });

  it("interactively asks once, before writing, which conflicting files to overwrite", async () => {
    const project = projectFiles({ "lmcache/second_store.yaml": "# the author's own config\n" });
    const result = await helpers
      .run(CONNECTOR, {}, { force: false })
      .withOptions(flags({ ...SECOND, skipInstall: true, force: false }))
      .onTargetDirectory(onDisk(project))
      .withAnswers({ overwrite: [] }, { throwOnMissingAnswer: true });
    expect(result.askedQuestions.map((q) => q.name)).toEqual(["overwrite"]);
    expect(readFileSync(path.join(result.cwd, "lmcache/second_store.yaml"), "utf8")).toBe("# the author's own config\n");
    expect(existsSync(path.join(result.cwd, "src/second_store.ts"))).toBe(true);
  });

  it("refuses to run outside a generated project", async () => {
    const context = helpers.run(CONNECTOR).withOptions(flags({ "class-name": "SecondStore", yes: true, skipInstall: true }));
    await expect(context).rejects.toThrow(/No package.json/);
  });
});
