/** The generated project's files other than the connector module, one function per file. */
import { type ProjectAnswers, type Template, externalUrl, moduleName } from "../answers.js";
import { RUNTIME_PACKAGE, RUNTIME_TARBALL_PATH, VERSIONS } from "../versions.js";
import { ciWorkflowYaml } from "./ci-workflow.js";

/** The connector a per-connector file is about. */
export interface ConnectorRef {
  className: string;
  template: Template;
}

const json = (value: unknown): string => JSON.stringify(value, null, 2) + "\n";

/**
 * `package.json` of the generated project. The runtime appears twice, on purpose (ours):
 * `peerDependencies` says which runtime the connector is written for (`^<version>`; whoever
 * loads the connector — LMCache through the kit's loader, the CLI, the extension — supplies its
 * own copy), and `devDependencies` installs the vendored tarball for the project's own build,
 * tests and CLI, so `npm install` needs no registry for it. npm lets the root's devDependency
 * satisfy the peer (an `overrides` entry cannot: npm rejects overriding a direct dependency, and a
 * plain `^<version>` dependency does not install offline, nor at all before the runtime is published).
 */
export function packageJson(answers: ProjectAnswers): string {
  const url = externalUrl(answers.className);
  const dependencies: Record<string, string> = {};
  if (answers.template === "redis") dependencies.redis = VERSIONS.redis;
  return json({
    name: answers.name,
    version: "0.1.0",
    private: true,
    description: `An LMCache remote storage connector (${answers.className}).`,
    license: "Apache-2.0",
    scripts: {
      test: "vitest run",
      typecheck: "tsc --noEmit -p .",
      check: `lmcache-connector check '${url}'`,
      "run-local": `lmcache-connector run '${url}'`,
    },
    peerDependencies: { [RUNTIME_PACKAGE]: `^${VERSIONS.runtime}` },
    ...(Object.keys(dependencies).length > 0 ? { dependencies } : {}),
    devDependencies: {
      [RUNTIME_PACKAGE]: `file:${RUNTIME_TARBALL_PATH}`,
      "@types/node": VERSIONS["@types/node"],
      typescript: VERSIONS.typescript,
      vitest: VERSIONS.vitest,
    },
    engines: { node: ">=20" },
  });
}

/** `tsconfig.json`: type-checking only (LMCache's loader compiles the connector itself). */
export function tsconfigJson(): string {
  return json({
    compilerOptions: {
      target: "ES2022",
      module: "Node16",
      moduleResolution: "Node16",
      lib: ["ES2022"],
      types: ["node"],
      strict: true,
      noImplicitOverride: true,
      esModuleInterop: true,
      skipLibCheck: true,
      isolatedModules: true,
      noEmit: true,
    },
    include: ["src", "test"],
  });
}

/** `.gitignore`. */
export function gitignore(): string {
  return "node_modules/\ndist/\n*.tsbuildinfo\n";
}

/** The extra_config entries a template's connector reads, with the values the config file shows. */
function templateSettings(ref: ConnectorRef): [string, string][] {
  const mod = moduleName(ref.className);
  if (ref.template === "fs") return [[`remote_storage_plugin.${mod}.base_path`, `/tmp/${mod}`]];
  if (ref.template === "redis") return [[`remote_storage_plugin.${mod}.url`, "redis://127.0.0.1:6379"]];
  return [];
}

/** Where LMCache finds a class: its URL, its dotted module, and how that module becomes importable. */
export interface ConnectorLocation {
  url: string;
  modulePath: string;
  /** One comment line after "Use it with LMCACHE_CONFIG_FILE=…;". */
  resolves: string;
}

/** `lmcache/<module>.yaml`: LMCache's config for this class, in both loading styles. */
export function lmcacheConfigYaml(ref: ConnectorRef, loading: ProjectAnswers["loading"], where?: ConnectorLocation): string {
  const mod = moduleName(ref.className);
  const url = where?.url ?? externalUrl(ref.className);
  const settings = templateSettings(ref).map(([k, v]) => `  ${k}: "${v}"`);
  const pluginKeys = [`  remote_storage_plugin.${mod}.module_path: ${where?.modulePath ?? `src.${mod}`}`, `  remote_storage_plugin.${mod}.class_name: ${ref.className}`];
  const head = [
    `# LMCache configuration for ${ref.className}.`,
    `# Use it with LMCACHE_CONFIG_FILE=lmcache/${mod}.yaml; ${where?.resolves ?? "module paths resolve from the project root."}`,
    "chunk_size: 256",
    "local_cpu: true",
    "max_local_cpu_size: 5",
    'remote_serde: "naive"',
    "",
  ];
  const comment = (lines: string[]): string[] => lines.map((l) => (l === "" ? "#" : `# ${l}`));
  let body: string[];
  if (loading === "external") {
    body = [
      "# Loaded from a URL. LMCache warns that external:// is due for deprecation in v0.5.0.",
      `remote_url: "${url}"`,
      ...(settings.length > 0 ? ["extra_config:", ...settings] : []),
      "",
      "# The same connector through the Remote Storage Plugin Framework, LMCache's newer way:",
      "# drop remote_url above and use",
      ...comment([`remote_storage_plugins: ["${mod}"]`, "extra_config:", ...pluginKeys, ...settings]),
    ];
  } else {
    body = [
      "# Loaded through the Remote Storage Plugin Framework.",
      `remote_storage_plugins: ["${mod}"]`,
      "extra_config:",
      ...pluginKeys,
      ...settings,
      "",
      "# The same connector from a URL (LMCache warns external:// is due for deprecation in v0.5.0):",
      "# drop remote_storage_plugins above and use",
      ...comment([`remote_url: "${url}"`, ...(settings.length > 0 ? ["extra_config:", ...settings] : [])]),
    ];
  }
  return [...head, ...body, ""].join("\n");
}

/** `test/<module>.conformance.test.ts`: the conformance suite from vitest. */
export function conformanceTest(ref: ConnectorRef): string {
  const mod = moduleName(ref.className);
  const url = externalUrl(ref.className);
  const setup: Record<Template, { imports: string; before: string; config: string }> = {
    memory: { imports: "", before: "", config: "" },
    fs: {
      imports: `import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
`,
      before: `
// A fresh directory per run, removed afterwards.
const basePath = mkdtempSync(path.join(os.tmpdir(), "${mod}-"));
afterAll(() => rmSync(basePath, { recursive: true, force: true }));
`,
      config: `
      config: { extraConfig: { "remote_storage_plugin.${mod}.base_path": basePath } },`,
    },
    redis: {
      imports: "",
      before: `
// The server to test against: $REDIS_URL, else a local redis-server on the default port.
const redisUrl = process.env.REDIS_URL || "redis://127.0.0.1:6379";
`,
      config: `
      config: { extraConfig: { "remote_storage_plugin.${mod}.url": redisUrl } },`,
    },
  };
  const s = setup[ref.template];
  return `/**
 * Runs the LMCache connector conformance suite against ${ref.className}, loaded the way LMCache
 * loads it (external:// URL, module path from the project root). Every failure is printed with
 * what was expected and what happened.
 */
import * as path from "node:path";
${s.imports}import { runConformance } from "${RUNTIME_PACKAGE}";
import { ${ref.template === "fs" ? "afterAll, " : ""}describe, expect, it } from "vitest";

const projectRoot = path.resolve(__dirname, "..");
${s.before}
describe("${ref.className}", () => {
  it("passes the LMCache connector conformance suite", async () => {
    const run = await runConformance({
      url: "${url}",
      cwd: projectRoot,${s.config}
    });
    if (run.loadError) throw new Error(\`\${run.loadError.errorName}: \${run.loadError.message}\`);
    const failures = run.results.filter((result) => result.status === "failed");
    for (const failure of failures) {
      console.error(
        [\`FAILED \${failure.id}: \${failure.message ?? ""}\`, failure.expected && \`  expected: \${failure.expected}\`, failure.actual && \`  actual:   \${failure.actual}\`]
          .filter(Boolean)
          .join("\\n"),
      );
    }
    expect(failures.map((failure) => \`\${failure.id}: \${failure.message}\`)).toEqual([]);
    expect(run.summary.passed).toBeGreaterThan(0);
  }, 180_000);
});
`;
}

/**
 * `test/<module>.exists_sync.test.ts` (redis template): `existsSync`/`removeSync` ask the server,
 * so keys another client writes or deletes are seen at once.
 */
export function existsSyncTest(ref: ConnectorRef): string {
  const mod = moduleName(ref.className);
  const url = externalUrl(ref.className);
  return `/**
 * ${ref.className}.existsSync and removeSync ask the Redis server, as exists() does: a key that
 * ANOTHER client writes is seen at once, and one it deletes is gone. (LMCache calls exists_sync
 * from its worker threads when extra_config.use_exists_sync is set; an answer from this process's
 * own memory would miss what other LMCache instances store.)
 */
import * as path from "node:path";
import { createClient } from "redis";
import {
  CacheEngineKey,
  LMCacheMetadata,
  LocalCPUBackend,
  MemoryAllocator,
  createConnector,
  createEngineConfig,
} from "${RUNTIME_PACKAGE}";
import { describe, expect, it } from "vitest";

const projectRoot = path.resolve(__dirname, "..");
const redisUrl = process.env.REDIS_URL || "redis://127.0.0.1:6379";
const connectorUrl = "${url}";

describe("${ref.className} synchronous calls", () => {
  it("see keys another client writes and deletes", async () => {
    // A prefix of our own, so this test touches nothing else on the server.
    const prefix = \`exists-sync-test-\${process.pid}-\${Date.now()}:\`;
    const config = createEngineConfig({
      chunkSize: 256,
      remoteUrl: connectorUrl,
      extraConfig: { "remote_storage_plugin.${mod}.url": redisUrl, "remote_storage_plugin.${mod}.key_prefix": prefix },
    });
    const metadata = new LMCacheMetadata({ modelName: "org/model", worldSize: 1, workerId: 0, kvDtype: "bfloat16", kvShape: [2, 2, 256, 2, 32] });
    const localCpuBackend = new LocalCPUBackend({ config, metadata, allocator: new MemoryAllocator({ capacityBytes: 1 << 20 }) });
    const connector = await createConnector(connectorUrl, { localCpuBackend, config, metadata, cwd: projectRoot });
    const other = createClient({ url: redisUrl });
    await other.connect();
    try {
      const key = new CacheEngineKey({ modelName: "org/model", worldSize: 1, workerId: 0, chunkHash: 42, dtype: "bfloat16" });
      expect(connector.existsSync(key)).toBe(false);

      await other.set(prefix + key.toString(), "written by another client");
      expect(connector.existsSync(key)).toBe(true);
      expect(await connector.exists(key)).toBe(true);

      await other.del(prefix + key.toString());
      expect(connector.existsSync(key)).toBe(false);
    } finally {
      await connector.close();
      await other.close();
    }
  }, 60_000);
});
`;
}

const RESOLVE_MAPS = ["${workspaceFolder}/**", "**/lmcache-connector-kit/compiled/**", "!**/node_modules/**"];

/**
 * `.vscode/launch.json` with `entry` added to its configurations (an added class's launch entry);
 * null when there is no launch.json, or it is not JSON — one with comments is left to its author.
 */
export function withLaunchEntry(launchText: string | null, entry: Record<string, unknown>): string | null {
  if (launchText === null) return null;
  try {
    const launch = JSON.parse(launchText) as { configurations?: unknown[] };
    launch.configurations = [...(launch.configurations ?? []), entry];
    return JSON.stringify(launch, null, 2) + "\n";
  } catch {
    return null;
  }
}

/** The "Run against local cache" launch configuration for one connector. */
export function runLaunchConfig(ref: ConnectorRef, first: boolean): Record<string, unknown> {
  return {
    type: "node",
    request: "launch",
    name: first ? "Run against local cache" : `Run against local cache (${ref.className})`,
    program: "${workspaceFolder}/node_modules/lmcache-connector-runtime/bin/lmcache-connector.js",
    args: ["run", externalUrl(ref.className), "--cwd", "${workspaceFolder}"],
    cwd: "${workspaceFolder}",
    ...(ref.template === "redis" ? { env: { REDIS_URL: "redis://127.0.0.1:6379" } } : {}),
    sourceMaps: true,
    resolveSourceMapLocations: RESOLVE_MAPS,
    skipFiles: ["<node_internals>/**"],
    console: "integratedTerminal",
  };
}

/** `.vscode/launch.json`: plain `node` launches, so F5 works without the kit's extension. */
export function launchJson(ref: ConnectorRef): string {
  return json({
    version: "0.2.0",
    configurations: [
      runLaunchConfig(ref, true),
      {
        type: "node",
        request: "launch",
        name: "Debug conformance",
        program: "${workspaceFolder}/node_modules/vitest/vitest.mjs",
        args: ["run", "--no-file-parallelism"],
        cwd: "${workspaceFolder}",
        ...(ref.template === "redis" ? { env: { REDIS_URL: "redis://127.0.0.1:6379" } } : {}),
        autoAttachChildProcesses: true,
        sourceMaps: true,
        resolveSourceMapLocations: RESOLVE_MAPS,
        skipFiles: ["<node_internals>/**"],
        console: "integratedTerminal",
      },
    ],
  });
}

/** `.vscode/tasks.json`. */
export function tasksJson(): string {
  return json({
    version: "2.0.0",
    tasks: [
      { label: "conformance", type: "npm", script: "test", group: { kind: "test", isDefault: true }, problemMatcher: [] },
      { label: "typecheck", type: "npm", script: "typecheck", group: "build", problemMatcher: ["$tsc"] },
      { label: "run against local cache", type: "npm", script: "run-local", problemMatcher: [] },
    ],
  });
}

/** `.github/workflows/ci.yml`. */
export function ciWorkflow(answers: ProjectAnswers): string {
  return ciWorkflowYaml(
    answers,
    "",
    `      - run: npm install --no-audit --no-fund
      - run: npm run typecheck
      - run: npm test
`,
  );
}

/** `README.md`. */
export function readme(answers: ProjectAnswers): string {
  const mod = moduleName(answers.className);
  const url = externalUrl(answers.className);
  const redisNote =
    answers.template === "redis"
      ? `
The connector reads the server URL from \`extra_config\` (\`remote_storage_plugin.${mod}.url\`, or
\`redis_url\`), else from \`$REDIS_URL\`, else uses \`redis://127.0.0.1:6379\`. \`npm test\` needs a
running server: \`redis-server --port 6379 --save '' --appendonly no\`, or set \`REDIS_URL\`.
`
      : answers.template === "fs"
        ? `
The connector stores chunks under \`extra_config["remote_storage_plugin.${mod}.base_path"]\`
(default: \`<os tmpdir>/${mod}\`). The conformance test uses a fresh temporary directory.
`
        : "";
  return `# ${answers.name}

\`${answers.className}\` is an LMCache remote storage connector written against
[lmcache-connector-runtime](${RUNTIME_TARBALL_PATH}), the TypeScript re-implementation of LMCache's
connector layer. Its source is \`src/${mod}.ts\`; the places where your own store goes are marked
with comments.
${redisNote}
## Use

\`\`\`sh
npm install          # the runtime comes from ${RUNTIME_TARBALL_PATH}, no registry needed for it
npm test             # the conformance suite, against LMCache's local CPU cache
npm run run-local    # a serving-shaped workload through the local cache, with a report
\`\`\`

In VS Code, **Run against local cache** (F5) starts the same workload under the debugger: breakpoints in
\`src/*.ts\` bind through source maps. **Debug conformance** runs the suite under the debugger.

## Load it in LMCache

\`lmcache/${mod}.yaml\` shows both ways: the URL

\`\`\`yaml
remote_url: "${url}"
\`\`\`

or the Remote Storage Plugin Framework (\`remote_storage_plugins: ["${mod}"]\` with
\`remote_storage_plugin.${mod}.module_path\` / \`.class_name\` in \`extra_config\`).

## Add another connector

\`\`\`sh
yo lmcache-connector:connector --class-name OtherConnector --template fs --yes
\`\`\`

It adds the module, its test and config, and a launch entry to \`.vscode/launch.json\`; it never
overwrites another file of yours unless you pass \`--force\`.

## The runtime

\`package.json\` names the runtime twice: \`peerDependencies\` says which runtime this connector is
written for (\`^${VERSIONS.runtime}\`; whatever loads the connector supplies its own copy), and
\`devDependencies\` installs the copy in \`${RUNTIME_TARBALL_PATH}\` for this project's build, tests and
\`lmcache-connector\` CLI, so \`npm install\` works offline. To move to a newer runtime:

\`\`\`sh
npm install -D lmcache-connector-runtime@^${VERSIONS.runtime}              # from the npm registry, or
npm install -D /path/to/kit/generator/vendor/lmcache-connector-runtime-<version>.tgz   # a kit checkout's
\`\`\`

(in a kit checkout, \`npm run vendor-runtime\` in \`generator/\` packs its current runtime into
\`generator/vendor/\`).
`;
}
