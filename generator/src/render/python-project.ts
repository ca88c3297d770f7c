/** `renderPythonProject`: the tree of a Python connector project. Pure: no I/O, no clock, no randomness. */
import { InvalidAnswersError, type ProjectAnswers, moduleName, pythonClassNameProblems, pythonExternalUrl, pythonModulePath, pythonPackageName } from "./answers.js";
import type { ConnectorAnswers, ExistingProject, RenderedFiles } from "./project.js";
import { lmcacheConfigYaml, withLaunchEntry } from "./templates/project-files.js";
import { pythonConnectorSource } from "./templates/python-connector.js";
import {
  PYTHON_PROJECT_MARKER,
  pythonCiWorkflow,
  pythonConftest,
  pythonConformanceTest,
  pythonGitignore,
  pythonInit,
  pythonLaunchConfig,
  pythonLaunchJson,
  pythonPackageJson,
  pythonReadme,
  pyprojectToml,
  pythonRequirements,
  redisServerHelper,
} from "./templates/python-files.js";

export { PYTHON_PROJECT_MARKER };

const RESOLVES = "the module resolves once the package is importable (pip install -e . or PYTHONPATH=src).";

/**
 * Every file of a new Python project (answers already resolved, `language: "python"`): a
 * setuptools src-layout package with the connector class, its LMCache config, pytest tests that
 * run the kit's conformance suite through the CLI, and a `package.json` that installs that CLI
 * from the vendored runtime tarball (which callers add, as for TypeScript projects).
 */
export function renderPythonProject(answers: ProjectAnswers): Map<string, string> {
  const pkg = pythonPackageName(answers.name);
  const mod = moduleName(answers.className);
  const url = pythonExternalUrl(answers.name, answers.className);
  const modulePath = pythonModulePath(answers.name, answers.className);
  const ref = { className: answers.className, template: answers.template };
  const files = new Map<string, string>();
  files.set(".gitignore", pythonGitignore());
  files.set(".vscode/launch.json", pythonLaunchJson(ref, url));
  if (answers.ci) files.set(".github/workflows/ci.yml", pythonCiWorkflow(answers));
  files.set("README.md", pythonReadme(answers, { pkg, mod, url, modulePath }));
  files.set(
    `lmcache/${mod}.yaml`,
    lmcacheConfigYaml(ref, answers.loading, { url, modulePath, resolves: RESOLVES }),
  );
  files.set("package.json", pythonPackageJson(answers, url));
  files.set(PYTHON_PROJECT_MARKER, pyprojectToml(answers, pkg));
  files.set(`src/${pkg}/__init__.py`, pythonInit(answers, mod));
  files.set(`src/${pkg}/${mod}.py`, pythonConnectorSource({ ...answers, modulePath, url }));
  files.set("tests/conftest.py", pythonConftest());
  if (answers.template === "redis") files.set("tests/redis_server.py", redisServerHelper());
  files.set("tests/test_conformance.py", pythonConformanceTest(ref, url, answers.loading));
  return files;
}

/** `[project] name = "…"` of a pyproject.toml, or null. */
function distributionName(pyproject: string): string | null {
  const project = /^\[project\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(pyproject)?.[1] ?? "";
  return /^name\s*=\s*"([^"]+)"\s*$/m.exec(project)?.[1] ?? null;
}

/**
 * `pyproject.toml` with `requirements` added to its one-line `dependencies = [...]` (those it
 * lacks, by distribution name); null when it has no such line to add to.
 */
function withRequirements(pyproject: string, requirements: readonly string[]): string | null {
  const line = /^dependencies[ \t]*=[ \t]*\[(.*)\][ \t]*$/m.exec(pyproject);
  if (!line) return null;
  const present = [...line[1]!.matchAll(/"([A-Za-z0-9._-]+)/g)].map((m) => m[1]!.toLowerCase());
  const missing = requirements.filter((r) => !present.includes(/^[A-Za-z0-9._-]+/.exec(r)![0].toLowerCase()));
  if (missing.length === 0) return pyproject;
  const items = [line[1]!.trim(), ...missing.map((r) => `"${r}"`)].filter(Boolean).join(", ");
  return pyproject.slice(0, line.index) + `dependencies = [${items}]` + pyproject.slice(line.index + line[0].length);
}

/**
 * One more connector class in an existing Python project (`pyproject.toml`): the module
 * `src/<package>/<module>.py`, its conformance test `tests/test_<module>_conformance.py` and
 * `lmcache/<module>.yaml`, a "Run against local cache (<Class>)" entry in `.vscode/launch.json`,
 * and for the templates that need them the requirement in `pyproject.toml` and the redis test
 * helper. Throws `InvalidAnswersError` when the folder is not such a project or the module exists.
 */
export function renderPythonConnectorClass(answers: ConnectorAnswers, project: ExistingProject): RenderedFiles {
  const mod = moduleName(answers.className);
  const problems = pythonClassNameProblems(answers.className);
  const pyproject = project.read(PYTHON_PROJECT_MARKER) ?? "";
  const name = distributionName(pyproject);
  const pkg = name === null ? null : pythonPackageName(name);
  if (name === null) problems.push(`${PYTHON_PROJECT_MARKER} has no [project] name: this is not a project \`yo lmcache-connector --language python\` wrote.`);
  else if (project.read(`src/${pkg}/__init__.py`) === null) problems.push(`src/${pkg}/__init__.py is missing: the package of ${PYTHON_PROJECT_MARKER}'s name ${JSON.stringify(name)} is not in src/.`);
  else if (project.read(`src/${pkg}/${mod}.py`) !== null) problems.push(`src/${pkg}/${mod}.py already exists: choose another class name.`);
  const updatedPyproject = withRequirements(pyproject, pythonRequirements(answers.template));
  if (updatedPyproject === null) problems.push(`${PYTHON_PROJECT_MARKER} has no one-line \`dependencies = [...]\` to add ${pythonRequirements(answers.template).join(", ")} to.`);
  if (problems.length > 0 || name === null || pkg === null || updatedPyproject === null) throw new InvalidAnswersError(problems);

  const url = pythonExternalUrl(name, answers.className);
  const modulePath = pythonModulePath(name, answers.className);
  const ref = { className: answers.className, template: answers.template };
  const files: RenderedFiles = new Map();
  const launch = withLaunchEntry(project.read(".vscode/launch.json"), pythonLaunchConfig(ref, url, `Run against local cache (${answers.className})`, "run"));
  if (launch !== null) files.set(".vscode/launch.json", launch);
  files.set(`lmcache/${mod}.yaml`, lmcacheConfigYaml(ref, answers.loading, { url, modulePath, resolves: RESOLVES }));
  if (updatedPyproject !== pyproject) files.set(PYTHON_PROJECT_MARKER, updatedPyproject);
  files.set(`src/${pkg}/${mod}.py`, pythonConnectorSource({ ...answers, modulePath, url }));
  if (answers.template === "redis" && project.read("tests/redis_server.py") === null) files.set("tests/redis_server.py", redisServerHelper());
  files.set(`tests/test_${mod}_conformance.py`, pythonConformanceTest(ref, url, answers.loading));
  return files;
}
