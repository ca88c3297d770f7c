/** `renderProject` and `renderConnectorClass`: answers in, files out. Pure: no I/O, no clock, no randomness. */
import {
  CAPABILITIES,
  DEFAULTS,
  InvalidAnswersError,
  LOADING_STYLES,
  TEMPLATES,
  type Capability,
  type LoadingStyle,
  type PartialAnswers,
  type Template,
  classNameProblems,
  moduleName,
  resolveAnswers,
} from "./answers.js";
import { connectorSource } from "./templates/connector-source.js";
import {
  ciWorkflow,
  conformanceTest,
  existsSyncTest,
  gitignore,
  launchJson,
  lmcacheConfigYaml,
  packageJson,
  readme,
  runLaunchConfig,
  tasksJson,
  tsconfigJson,
  withLaunchEntry,
} from "./templates/project-files.js";
import { PYTHON_PROJECT_MARKER, renderPythonConnectorClass, renderPythonProject } from "./python-project.js";
import { RUNTIME_PACKAGE, RUNTIME_TARBALL_PATH, VERSIONS } from "./versions.js";

/** Generated files: project-relative POSIX path → contents, in a stable order. */
export type RenderedFiles = Map<string, string>;

/**
 * Every file of a new project, relative to the project folder (`projectFolder(answers.name)`).
 * The packed runtime (`vendor/lmcache-connector-runtime-<ver>.tgz`, see `RUNTIME_TARBALL_PATH`) is
 * binary and not included: callers copy it from `vendoredRuntimeTarball()`.
 * Throws `InvalidAnswersError` for bad answers.
 */
export function renderProject(partial: PartialAnswers): RenderedFiles {
  const answers = resolveAnswers(partial);
  if (answers.language === "python") return renderPythonProject(answers);
  const mod = moduleName(answers.className);
  const ref = { className: answers.className, template: answers.template };
  const files: RenderedFiles = new Map();
  files.set(".gitignore", gitignore());
  files.set(".vscode/launch.json", launchJson(ref));
  files.set(".vscode/tasks.json", tasksJson());
  if (answers.ci) files.set(".github/workflows/ci.yml", ciWorkflow(answers));
  files.set("README.md", readme(answers));
  files.set(`lmcache/${mod}.yaml`, lmcacheConfigYaml(ref, answers.loading));
  files.set("package.json", packageJson(answers));
  files.set(`src/${mod}.ts`, connectorSource(answers));
  files.set(`test/${mod}.conformance.test.ts`, conformanceTest(ref));
  if (answers.template === "redis") files.set(`test/${mod}.exists_sync.test.ts`, existsSyncTest(ref));
  files.set("tsconfig.json", tsconfigJson());
  return files;
}

/** What `renderConnectorClass` needs to know about the project it adds to. */
export interface ExistingProject {
  /** Contents of a project-relative file, or `null` when it does not exist. */
  read(relativePath: string): string | null;
}

/** Answers for one more connector class in an existing project. */
export interface ConnectorAnswers {
  className: string;
  template: Template;
  capabilities: Capability[];
  loading: LoadingStyle;
}

/** Fills defaults and validates; throws `InvalidAnswersError` listing every problem. */
export function resolveConnectorAnswers(partial: Partial<Record<keyof ConnectorAnswers, unknown>>): ConnectorAnswers {
  const problems = classNameProblems(partial.className);
  let rest: ConnectorAnswers | null = null;
  try {
    const resolved = resolveAnswers({
      name: "placeholder",
      className: "Placeholder",
      template: partial.template as string | undefined,
      capabilities: partial.capabilities as string[] | string | undefined,
      loading: partial.loading as string | undefined,
    });
    rest = { className: String(partial.className), template: resolved.template, capabilities: resolved.capabilities, loading: resolved.loading };
  } catch (error) {
    if (!(error instanceof InvalidAnswersError)) throw error;
    problems.push(...error.problems);
  }
  if (problems.length > 0 || rest === null) throw new InvalidAnswersError(problems);
  return rest;
}

/**
 * The files {@link renderConnectorClass} derives from the project's own copy (it parses them and
 * adds an entry), so writing them back loses nothing of the author's: callers may overwrite them
 * without asking.
 */
export const CONNECTOR_MERGED_FILES: ReadonlySet<string> = new Set([".vscode/launch.json", "package.json", "pyproject.toml"]);

/**
 * The files that add a connector class to an existing generated project: the module, its
 * conformance test and LMCache config, plus `package.json` (when the template needs a dependency
 * the project lacks) and `.vscode/launch.json` (a "Run against local cache (<Class>)" entry) when
 * those need changing; for the redis template also the class's existsSync test (its blocking
 * calls use the runtime's RedisSyncBridge, so there is no bridge file to add). In a Python project
 * (`pyproject.toml`) the class is Python: see `renderPythonConnectorClass`. Throws
 * `InvalidAnswersError` when the folder is not a connector project or the class's module already exists.
 */
export function renderConnectorClass(partial: Partial<Record<keyof ConnectorAnswers, unknown>>, project: ExistingProject): RenderedFiles {
  const answers = resolveConnectorAnswers(partial);
  const mod = moduleName(answers.className);
  const problems: string[] = [];
  // A Python project's package.json only installs the kit's CLI: its classes are Python too.
  if (project.read(PYTHON_PROJECT_MARKER) !== null) return renderPythonConnectorClass(answers, project);
  const pkgText = project.read("package.json");
  let pkg: Record<string, any> | null = null;
  try {
    pkg = pkgText === null ? null : (JSON.parse(pkgText) as Record<string, any>);
  } catch {
    problems.push("package.json is not valid JSON.");
  }
  if (pkgText === null) problems.push("No package.json here: run `yo lmcache-connector` first, or run this inside a generated project.");
  else if (pkg && !(pkg.dependencies?.[RUNTIME_PACKAGE] || pkg.devDependencies?.[RUNTIME_PACKAGE] || pkg.peerDependencies?.[RUNTIME_PACKAGE])) {
    problems.push(`package.json does not depend on ${RUNTIME_PACKAGE}: this is not an LMCache connector project.`);
  }
  if (project.read(`src/${mod}.ts`) !== null) problems.push(`src/${mod}.ts already exists: choose another class name.`);
  if (problems.length > 0) throw new InvalidAnswersError(problems);

  const ref = { className: answers.className, template: answers.template };
  const files: RenderedFiles = new Map();
  const launch = withLaunchEntry(project.read(".vscode/launch.json"), runLaunchConfig(ref, false));
  if (launch !== null) files.set(".vscode/launch.json", launch);
  files.set(`lmcache/${mod}.yaml`, lmcacheConfigYaml(ref, answers.loading));
  if (answers.template === "redis" && pkg && !pkg.dependencies?.redis) {
    pkg.dependencies = { ...pkg.dependencies, redis: VERSIONS.redis };
    files.set("package.json", JSON.stringify(pkg, null, 2) + "\n");
  }
  files.set(`src/${mod}.ts`, connectorSource(answers));
  files.set(`test/${mod}.conformance.test.ts`, conformanceTest(ref));
  if (answers.template === "redis") files.set(`test/${mod}.exists_sync.test.ts`, existsSyncTest(ref));
  return files;
}

export { CAPABILITIES, DEFAULTS, LOADING_STYLES, TEMPLATES, RUNTIME_TARBALL_PATH };
