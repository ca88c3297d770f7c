/** `renderPythonProject`: the tree of a Python connector project. Pure: no I/O, no clock, no randomness. */
import { type ProjectAnswers, moduleName, pythonExternalUrl, pythonModulePath, pythonPackageName } from "./answers.js";
import { lmcacheConfigYaml } from "./templates/project-files.js";
import { pythonConnectorSource } from "./templates/python-connector.js";
import {
  PYTHON_PROJECT_MARKER,
  pythonCiWorkflow,
  pythonConftest,
  pythonConformanceTest,
  pythonGitignore,
  pythonInit,
  pythonLaunchJson,
  pythonPackageJson,
  pythonReadme,
  pyprojectToml,
  redisServerHelper,
} from "./templates/python-files.js";

export { PYTHON_PROJECT_MARKER };

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
    lmcacheConfigYaml(ref, answers.loading, { url, modulePath, resolves: "the module resolves once the package is importable (pip install -e . or PYTHONPATH=src)." }),
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
