/**
 * Manifest contract: what package.json contributes is what the code registers and reads, and the
 * other way round (checked by activating against the fake host and by scanning the sources).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { COMMANDS, DEBUG_TYPE, FAILURE_CONTEXT_VALUE, PYTHON_DEBUG_TYPE, RUN_AGAINST_LOCAL_CACHE, SETTINGS, SETTINGS_SECTION } from "../src/ids";
import { fake } from "./fake-vscode";
import { activateExtension, deactivateExtension, TempWorkspace } from "./workspace";

const root = path.resolve(__dirname, "..", "..");
const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const contributedCommands: string[] = manifest.contributes.commands.map((c: { command: string }) => c.command);
const contributedSettings: string[] = Object.keys(manifest.contributes.configuration.properties);
const sourceFiles = new Map(fs.readdirSync(path.join(root, "extension", "src")).filter((f) => f.endsWith(".ts"))
  .map((f) => [f, fs.readFileSync(path.join(root, "extension", "src", f), "utf8")]));
const sources = [...sourceFiles.values()].join("\n");

let ws: TempWorkspace;
let context: ReturnType<typeof activateExtension>["context"];
beforeEach(() => {
  fake.reset();
  ws = new TempWorkspace();
});
afterEach(() => {
  deactivateExtension(context);
  ws.dispose();
});

describe("manifest contract", () => {
  it("registers exactly the contributed commands, and reads exactly the contributed settings", async () => {
    const doc = fake.open(ws.file("lmcache.yaml"), 'remote_url: "External://h:0/pkg.conn/?connector_name=MyConn"\n', "yaml");
    ({ context } = activateExtension());
    await vi.waitFor(() => expect(fake.host.collections[0].get(doc.uri)?.length).toBeGreaterThan(0), { timeout: 10_000 });
    expect([...fake.host.commands.keys()].sort()).toEqual([...contributedCommands].sort());
    expect([...fake.host.configReads].sort()).toEqual([...contributedSettings].sort());
    // Every contributed debug type has a configuration provider (resolve + initial, and dynamic).
    for (const d of manifest.contributes.debuggers) {
      const providers = fake.host.debugProviders.filter((p) => p.type === d.type);
      expect(providers.some((p) => typeof p.provider.resolveDebugConfiguration === "function"), d.type).toBe(true);
      expect(providers.map((p) => p.triggerKind).sort()).toEqual([1, 2]);
      expect(manifest.activationEvents).toContain(`onDebugResolve:${d.type}`);
      expect(manifest.activationEvents).toContain(`onDebugDynamicConfigurations:${d.type}`);
    }
    expect(manifest.contributes.debuggers.map((d: { type: string }) => d.type)).toEqual([DEBUG_TYPE, PYTHON_DEBUG_TYPE]);
  });

  it("keeps ids.ts, the sources and the manifest in step", () => {
    expect(Object.values(COMMANDS).sort()).toEqual([...contributedCommands].sort());
    expect(Object.values(SETTINGS).map((k) => `${SETTINGS_SECTION}.${k}`).sort()).toEqual([...contributedSettings].sort());
    // Commands and settings are only named through ids.ts, never as string literals elsewhere.
    expect(sources.match(/registerCommand\(\s*["'`]/g)).toBeNull();
    expect(sources.match(/getConfiguration\(\s*["'`]/g)).toBeNull();
    for (const [file, text] of sourceFiles) if (file !== "ids.ts") expect(text, file).not.toMatch(/["']lmcacheConnector\./);
  });

  it("disposes every registration it makes", async () => {
    ({ context } = activateExtension());
    deactivateExtension(context);
    expect(fake.host.commands.size).toBe(0);
    expect(fake.host.hoverProviders.length + fake.host.completionProviders.length + fake.host.linkProviders.length + fake.host.codeActionProviders.length).toBe(0);
    expect(fake.host.watchers.every((w) => w.disposed)).toBe(true);
    expect(fake.host.debugProviders.length + fake.host.trackerFactories.length).toBe(0);
    expect(fake.host.testControllers.every((c) => c.disposed)).toBe(true);
    for (const listener of [fake.host.onOpen, fake.host.onChange, fake.host.onSave, fake.host.onClose, fake.host.onConfig, fake.host.onTrust, fake.host.onDebugStart, fake.host.onDebugTerminate]) expect(listener.listenerCount).toBe(0);
    context = { subscriptions: [] } as never;
  });

  it("follows the house conventions for commands, settings, activation and trust", () => {
    for (const c of manifest.contributes.commands) expect(c.category).toBe("LMCache");
    // Titles the e2e tests type into the palette.
    const title = (id: string) => manifest.contributes.commands.find((c: { command: string }) => c.command === id)?.title;
    expect(title(COMMANDS.newProject)).toBe("New Connector Project…");
    expect(title(COMMANDS.addConnectorClass)).toBe("Add Connector Class…");
    // Palette entries: internal commands hidden, project commands only where there is a folder.
    const palette = new Map(manifest.contributes.menus.commandPalette.map((m: { command: string; when: string }) => [m.command, m.when]));
    expect(palette.get(COMMANDS.debugFailure)).toBe("false");
    expect(palette.get(COMMANDS.addConnectorClass)).toMatch(/workspaceFolderCount > 0/);
    expect(palette.has(COMMANDS.newProject)).toBe(false);
    expect(manifest.contributes.menus["testing/message/context"][0].when).toBe(`testMessage == ${FAILURE_CONTEXT_VALUE}`);
    const debuggerContribution = manifest.contributes.debuggers[0];
    expect(debuggerContribution.initialConfigurations[0].name).toBe(RUN_AGAINST_LOCAL_CACHE);
    expect(debuggerContribution.configurationAttributes.launch.required).toEqual(["url"]);
    expect(debuggerContribution.program ?? debuggerContribution.runtime).toBeUndefined();
    for (const [key, p] of Object.entries<Record<string, unknown>>(manifest.contributes.configuration.properties)) {
      expect(key.startsWith(`${SETTINGS_SECTION}.`)).toBe(true);
      expect(p.markdownDescription, key).toBeTruthy();
      expect(p.scope, key).toBeTruthy();
    }
    expect(manifest.activationEvents).not.toContain("*");
    for (const e of manifest.activationEvents) expect(e).toMatch(/^(workspaceContains|onLanguage|onDebug\w*|onCommand):/);
    expect(manifest.main).toBe("./dist/extension.js");
    expect(manifest.engines.vscode).toBe("^1.100.0");
    expect(manifest.devDependencies["@types/vscode"]).toBe("~1.100.0");
    expect(manifest.capabilities.untrustedWorkspaces.supported).toBe("limited");
    expect(manifest.capabilities.untrustedWorkspaces.description).toBeTruthy();
    expect(manifest.scripts.build).toMatch(/build --workspace runtime && (.* && )?node extension\/build\.mjs$/);
    expect(manifest.scripts.watch).toBe("node extension/build.mjs --watch");
  });

  it("has no telemetry code path", () => {
    expect(sources).not.toMatch(/createTelemetryLogger|from "(node:)?(https?|net|dgram)"/);
  });

  it("follows the conventions of a published extension (icon, links, license, changelog, walkthrough, packaging)", () => {
    // A 128×128 PNG icon.
    const icon = fs.readFileSync(path.join(root, manifest.icon));
    expect(icon.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(icon.subarray(12, 16).toString("ascii")).toBe("IHDR");
    expect([icon.readUInt32BE(16), icon.readUInt32BE(20)]).toEqual([128, 128]);
    // Where the code, the issues and the docs are (vsce also rewrites README links against it).
    expect(manifest.repository.url).toMatch(/^https:\/\/\S+\.git$/);
    expect(manifest.bugs.url).toBe(manifest.repository.url.replace(/\.git$/, "/issues"));
    expect(manifest.homepage).toMatch(/^https:\/\//);
    expect(manifest.keywords.length).toBeGreaterThan(0);
    expect(manifest.keywords.length).toBeLessThanOrEqual(30); // the Marketplace's limit
    expect(manifest.keywords).toContain("lmcache");
    const marketplaceCategories = ["Programming Languages", "Snippets", "Linters", "Themes", "Debuggers", "Formatters", "Keymaps", "SCM Providers", "Other", "Extension Packs", "Language Packs", "Data Science", "Machine Learning", "Visualization", "Notebooks", "Education", "Testing", "AI", "Chat"];
    for (const c of manifest.categories) expect(marketplaceCategories).toContain(c);
    expect([...manifest.categories].sort()).toEqual(["Debuggers", "Linters", "Testing"]);
    // "Snippets" only with snippets to contribute (the debugger's configurationSnippets are not).
    expect(manifest.contributes.snippets).toBeUndefined();
    // Apache-2.0, as LMCache, with the full license text.
    expect(manifest.license).toBe("Apache-2.0");
    const license = fs.readFileSync(path.join(root, "LICENSE"), "utf8");
    expect(license).toMatch(/Apache License\s+Version 2\.0, January 2004/);
    expect(license).toContain("END OF TERMS AND CONDITIONS");
    expect(license.length).toBeGreaterThan(10_000);
    // The changelog has an entry for this version.
    expect(fs.readFileSync(path.join(root, "CHANGELOG.md"), "utf8")).toMatch(new RegExp(`^## ${manifest.version.replace(/\./g, "\\.")} `, "m"));
    // `vsce package` at the root builds first; `npm run package` makes the .vsix with the pinned vsce.
    expect(manifest.scripts["vscode:prepublish"]).toMatch(/node extension\/build\.mjs --production$/);
    expect(manifest.scripts.package).toMatch(/node scripts\/package-vsix\.mjs$/);
    expect(manifest.devDependencies["@vscode/vsce"]).toMatch(/^\d+\.\d+\.\d+$/);
    expect(fs.existsSync(path.join(root, "scripts", "package-vsix.mjs"))).toBe(true);
    // .vscodeignore is an allowlist that keeps the bundle the manifest names.
    const ignore = fs.readFileSync(path.join(root, ".vscodeignore"), "utf8").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
    expect(ignore[0]).toBe("**");
    expect(ignore).toContain(`!${manifest.main.replace(/^\.\//, "")}`);
    expect(ignore).toContain(`!${manifest.icon}`);
    // The README's Install section names the command and the file it writes, and the test set-up.
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
    const install = readme.slice(readme.indexOf("\n## Install\n"));
    expect(install.length).toBeGreaterThan(100);
    expect(install).toContain("npm run package");
    expect(install).toContain(`code --install-extension ${manifest.name}-${manifest.version}.vsix`);
    expect(manifest.scripts.pretest).toMatch(/^bash scripts\/setup-test-env\.sh && /);
    expect(fs.readFileSync(path.join(root, ".ci", "run"), "utf8")).toMatch(/bash scripts\/setup-test-env\.sh\n[\s\S]*npm ci[\s\S]*\nnpm test\n/);
  });

  it("contributes a Getting Started walkthrough: create a connector, run conformance, debug with F5", () => {
    const [walkthrough, ...others] = manifest.contributes.walkthroughs;
    expect(others).toEqual([]);
    expect(walkthrough.title).toBeTruthy();
    expect(walkthrough.description).toBeTruthy();
    const steps = walkthrough.steps as { id: string; title: string; description: string; media: { markdown?: string; image?: string }; completionEvents?: string[] }[];
    expect(steps.map((st) => st.title)).toEqual(["Create a connector", "Run conformance", "Debug with F5"]);
    const linked = (st: (typeof steps)[number]) => [...st.description.matchAll(/\]\(command:([\w.]+)\)/g)].map((m) => m[1]);
    expect(linked(steps[0]!)).toEqual([COMMANDS.newProject]);
    expect(linked(steps[1]!)).toEqual(["testing.runAll"]);
    expect(linked(steps[2]!)).toEqual(["workbench.action.debug.start"]);
    for (const st of steps) {
      // Each step's media exists and is shipped (.vscodeignore keeps media/walkthrough/*.md).
      expect(st.media.markdown, st.id).toMatch(/^media\/walkthrough\/[\w-]+\.md$/);
      expect(fs.readFileSync(path.join(root, st.media.markdown!), "utf8").length, st.id).toBeGreaterThan(100);
      expect(st.completionEvents?.length, st.id).toBeGreaterThan(0);
      // Kit commands a step completes on are contributed ones.
      for (const ev of st.completionEvents ?? []) {
        const command = /^onCommand:(lmcacheConnector\.[\w.]+)$/.exec(ev)?.[1];
        if (command) expect(contributedCommands, ev).toContain(command);
      }
    }
  });
});
