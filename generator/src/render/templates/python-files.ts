/** The generated Python project's files other than the connector module, one function per file. */
import { type LoadingStyle, type ProjectAnswers, type Template, moduleName } from "../answers.js";
import { RUNTIME_PACKAGE, RUNTIME_TARBALL_PATH, VERSIONS } from "../versions.js";
import { ciWorkflowYaml } from "./ci-workflow.js";
import type { ConnectorRef } from "./project-files.js";

/** The file that marks a generated project as a Python one. */
export const PYTHON_PROJECT_MARKER = "pyproject.toml";

const json = (value: unknown): string => JSON.stringify(value, null, 2) + "\n";

/** The store clients each template needs at run time (LMCache itself supplies torch). */
const RUNTIME_REQUIREMENTS: Record<Template, string[]> = {
  memory: [],
  fs: ["aiofiles"],
  // redis.asyncio is in redis-py from 4.2 on.
  redis: ["redis>=4.2"],
};

/** What the tests import from a system package manager, for the README (Debian names). */
const DEBIAN_PACKAGES: Record<Template, string> = {
  memory: "python3-torch python3-pytest",
  fs: "python3-torch python3-pytest python3-aiofiles",
  redis: "python3-torch python3-pytest python3-redis redis-server",
};

/** The requirements a template's connector needs at run time (beyond the LMCache it runs in). */
export function pythonRequirements(template: Template): readonly string[] {
  return RUNTIME_REQUIREMENTS[template];
}

/**
 * `pyproject.toml`: a plain setuptools package in the src layout, so `pip install -e .` makes
 * `<package>.<module>` importable where LMCache runs. `lmcache` and `torch` are not dependencies:
 * the connector runs inside the LMCache (and vLLM) you install, which brings both.
 */
export function pyprojectToml(answers: ProjectAnswers, pkg: string): string {
  const deps = RUNTIME_REQUIREMENTS[answers.template].map((d) => `"${d}"`).join(", ");
  return `[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "${answers.name}"
version = "0.1.0"
description = "An LMCache remote storage connector (${answers.className})."
license = { text = "Apache-2.0" }
requires-python = ">=3.10"
# lmcache and torch come with the LMCache you run the connector in.
dependencies = [${deps}]

[project.optional-dependencies]
test = ["pytest"]

[tool.setuptools.packages.find]
where = ["src"]
include = ["${pkg}*"]

[tool.pytest.ini_options]
testpaths = ["tests"]
`;
}

/** `src/<package>/__init__.py`: nothing is imported here, so importing the package stays cheap. */
export function pythonInit(answers: ProjectAnswers, mod: string): string {
  return `# SPDX-License-Identifier: Apache-2.0
"""${answers.name}: the LMCache remote storage connector ${answers.className} (in ${mod}.py)."""

__version__ = "0.1.0"
`;
}

/** `.gitignore`. */
export function pythonGitignore(): string {
  return "__pycache__/\n*.py[cod]\n*.egg-info/\n.pytest_cache/\nbuild/\ndist/\nnode_modules/\n";
}

/**
 * `package.json`: only the kit's `lmcache-connector` CLI, from the vendored tarball (offline), for
 * the tests and the launch configurations. The connector itself is the Python package.
 */
export function pythonPackageJson(answers: ProjectAnswers, url: string): string {
  return json({
    name: answers.name,
    version: "0.1.0",
    private: true,
    description: `The LMCache Connector Kit's CLI for ${answers.className}'s tests (the connector is the Python package in src/).`,
    license: "Apache-2.0",
    scripts: {
      check: `lmcache-connector check '${url}' --search-path src`,
      "run-local": `lmcache-connector run '${url}' --search-path src`,
    },
    devDependencies: { [RUNTIME_PACKAGE]: `file:${RUNTIME_TARBALL_PATH}` },
    engines: { node: ">=20" },
  });
}

/** The `tests/test_conformance.py` setup each template needs around the suite's run. */
function conformanceSetup(ref: ConnectorRef): { imports: string; run: string } {
  const mod = moduleName(ref.className);
  const call = (extra: string, indent: string) =>
    `${indent}test_conformance = conformance_suite(\n${indent}    URL,\n${indent}    cwd=PROJECT_ROOT,\n${indent}    search_paths=[PROJECT_ROOT / "src"],\n${indent}    config=CONFIG,${extra}\n${indent})`;
  if (ref.template === "fs") {
    return {
      imports: "import shutil\nimport tempfile\n",
      run: `# A fresh directory for the run, removed afterwards.
_base_path = tempfile.mkdtemp(prefix="${mod}-")
try:
${call(`\n        extra={"remote_storage_plugin.${mod}.base_path": _base_path},`, "    ")}
finally:
    shutil.rmtree(_base_path, ignore_errors=True)
`,
    };
  }
  if (ref.template === "redis") {
    return {
      imports: "import os\nimport time\n",
      run: `# A real redis-server on loopback for the run ($REDIS_URL instead, when set), stopped afterwards.
# A key prefix of the run's own, so a shared server's other keys are neither seen nor touched.
with redis_for_tests() as _redis_url:
${call(`\n        extra={\n            "remote_storage_plugin.${mod}.url": _redis_url,\n            "remote_storage_plugin.${mod}.key_prefix": f"conformance-{os.getpid()}-{time.time_ns()}:",\n        },`, "    ")}
`,
    };
  }
  return { imports: "", run: call("", "") + "\n" };
}

/**
 * `tests/test_conformance.py`: one pytest item per conformance case, through the kit's CLI. The
 * class is loaded as `lmcache/<module>.yaml` loads it (the config is passed too, so the test
 * checks that file): from its `external://` URL, or as `plugin://<name>` for the plugin style.
 */
export function pythonConformanceTest(ref: ConnectorRef, url: string, loading: LoadingStyle): string {
  const mod = moduleName(ref.className);
  const setup = conformanceSetup(ref);
  const how =
    loading === "plugin"
      ? `# Loaded as lmcache/${mod}.yaml loads it: through the Remote Storage Plugin Framework.\nURL = "plugin://${mod}"`
      : `# Loaded as lmcache/${mod}.yaml loads it: from its external:// URL.\nURL = "${url}"`;
  return `# SPDX-License-Identifier: Apache-2.0
"""The LMCache connector conformance suite against ${ref.className}, one test per case.

The kit's CLI (\`lmcache-connector check --format json\`; conftest.py says how it is found) loads
the class the way LMCache loads it, with lmcache/${mod}.yaml and the package found in src/ (as
after \`pip install -e .\`), in this interpreter, and runs every case against LMCache's local CPU
cache. A failing case fails its test with what was expected, what happened, the line in src/ and
the operations that led there; a case for a capability the class does not declare is skipped.
"""
${setup.imports}from pathlib import Path

from lmcache_connector_kit.pytest_plugin import conformance_suite
${ref.template === "redis" ? "from redis_server import redis_for_tests\n" : ""}
PROJECT_ROOT = Path(__file__).resolve().parents[1]
${how}
CONFIG = PROJECT_ROOT / "lmcache" / "${mod}.yaml"

${setup.run}`;
}

/** `tests/conftest.py`: finds the kit's runtime (CLI + pytest helper) and puts the helper on sys.path. */
export function pythonConftest(): string {
  return `# SPDX-License-Identifier: Apache-2.0
"""Finds the LMCache Connector Kit for the tests: its \`lmcache-connector\` CLI and, in the same npm
package (${RUNTIME_PACKAGE}), the pytest helper lmcache_connector_kit.pytest_plugin. In order:

1. $LMCACHE_CONNECTOR_CLI, the CLI itself (e.g. /path/to/kit/runtime/bin/lmcache-connector.js;
   the helper is in the first python/ folder above it, or in $LMCACHE_KIT_PYTHON_DIR);
2. node_modules/${RUNTIME_PACKAGE} here or in a parent folder, what \`npx lmcache-connector\`
   runs: \`npm install --offline\` in this folder installs it from ${RUNTIME_TARBALL_PATH};
3. \`lmcache-connector\` on PATH (\`npm install -g ${RUNTIME_PACKAGE}\`).
"""

import os
import shutil
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RUNTIME_PACKAGE = "${RUNTIME_PACKAGE}"
HOW_TO_INSTALL = (
    "The LMCache Connector Kit's CLI was not found. Run \`npm install --offline\` in "
    f"{PROJECT_ROOT} (it installs ${RUNTIME_TARBALL_PATH}), or \`npm install -g {RUNTIME_PACKAGE}\`, "
    "or set LMCACHE_CONNECTOR_CLI to the lmcache-connector command."
)


def _kit_python_near(cli: str) -> Path:
    """The kit's python/ folder for a CLI: the first python/lmcache_connector_kit above the CLI's
    real file (npm's bin links resolved), as the runtime itself looks for it."""
    for folder in Path(cli).resolve().parents:
        if (folder / "python" / "lmcache_connector_kit").is_dir():
            return folder / "python"
    raise pytest.UsageError(f"{cli} has no python/lmcache_connector_kit above it: is it the LMCache Connector Kit's CLI? {HOW_TO_INSTALL}")


def find_kit_python() -> Path:
    """The python/ folder of the ${RUNTIME_PACKAGE} npm package the tests use."""
    if os.environ.get("LMCACHE_KIT_PYTHON_DIR", "").strip():
        return Path(os.environ["LMCACHE_KIT_PYTHON_DIR"].strip())
    explicit = os.environ.get("LMCACHE_CONNECTOR_CLI", "").strip()
    if explicit:
        cli = explicit if os.path.exists(explicit) else shutil.which(explicit)
        if cli is None:
            raise pytest.UsageError(f"LMCACHE_CONNECTOR_CLI={explicit!r} is neither a file nor a command on PATH")
        return _kit_python_near(cli)
    for folder in (PROJECT_ROOT, *PROJECT_ROOT.parents):
        candidate = folder / "node_modules" / RUNTIME_PACKAGE
        if (candidate / "package.json").is_file():
            return candidate.resolve() / "python"
    cli = shutil.which("lmcache-connector")
    if cli is not None:
        return _kit_python_near(cli)
    raise pytest.UsageError(HOW_TO_INSTALL)


def pytest_configure(config):
    kit_python = find_kit_python()
    if not (kit_python / "lmcache_connector_kit" / "pytest_plugin.py").is_file():
        raise pytest.UsageError(f"{kit_python} has no lmcache_connector_kit/pytest_plugin.py: the kit's runtime is too old for these tests. {HOW_TO_INSTALL}")
    # Appended, not prepended: the tests import only lmcache_connector_kit from there, and the
    # kit's own lmcache package beside it must not shadow an installed LMCache.
    if str(kit_python) not in sys.path:
        sys.path.append(str(kit_python))
`;
}

/** `tests/redis_server.py` (redis template): a real redis-server on loopback for the tests. */
export function redisServerHelper(): string {
  return `# SPDX-License-Identifier: Apache-2.0
"""A real Redis for the tests: $REDIS_URL when set (e.g. a CI service), else a \`redis-server\`
started on a free 127.0.0.1 port without persistence and stopped afterwards."""

import contextlib
import os
import shutil
import socket
import subprocess
import time


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
            s.sendall(b"PING\\r\\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.contextmanager
def redis_for_tests(start_timeout: float = 10.0):
    """Yields a redis:// URL; a server this started is stopped when the block ends."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    exe = shutil.which("redis-server")
    if exe is None:
        raise RuntimeError("redis-server is not installed (Debian: apt-get install redis-server); or set REDIS_URL")
    port = _free_loopback_port()
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + start_timeout
        while not _accepts(port):
            if proc.poll() is not None:
                raise RuntimeError(f"redis-server exited with {proc.returncode} before accepting connections")
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not accept connections within {start_timeout:g} s")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
`;
}

/**
 * The debug configuration attributes the kit's \`lmcache-connector\` debug type reads for a
 * Python connector: \`language: "python"\` (the Python side runs under debugpy) and \`command\`
 * (\`run\` = the local-cache workload, \`check\` = the conformance suite). PYTHONPATH makes src/
 * importable, as \`pip install -e .\` would.
 */
export function pythonLaunchConfig(ref: ConnectorRef, url: string, name: string, command: "run" | "check"): Record<string, unknown> {
  return {
    type: "lmcache-connector",
    request: "launch",
    name,
    language: "python",
    command,
    url,
    cwd: "${workspaceFolder}",
    env: { PYTHONPATH: "${workspaceFolder}/src", ...(ref.template === "redis" ? { REDIS_URL: "redis://127.0.0.1:6379" } : {}) },
  };
}

/** `.vscode/launch.json`: "Run against local cache" and "Debug conformance" through the kit's extension. */
export function pythonLaunchJson(ref: ConnectorRef, url: string): string {
  return json({
    version: "0.2.0",
    configurations: [pythonLaunchConfig(ref, url, "Run against local cache", "run"), pythonLaunchConfig(ref, url, "Debug conformance", "check")],
  });
}

/** `.github/workflows/ci.yml`. */
export function pythonCiWorkflow(answers: ProjectAnswers): string {
  return ciWorkflowYaml(
    answers,
    `      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
`,
    `      # The kit's CLI, from ${RUNTIME_TARBALL_PATH}.
      - run: npm install --no-audit --no-fund
      - run: pip install torch --index-url https://download.pytorch.org/whl/cpu
      - run: pip install -e ".[test]"
      - run: python -m pytest
`,
  );
}

/** What the README needs to know about the project's names. */
export interface PythonNames {
  pkg: string;
  mod: string;
  url: string;
  modulePath: string;
}

/** `README.md`. */
export function pythonReadme(answers: ProjectAnswers, names: PythonNames): string {
  const { pkg, mod, url, modulePath } = names;
  const settings =
    answers.template === "redis"
      ? `
The connector reads the server URL from \`extra_config\` (\`remote_storage_plugin.${mod}.url\`, or
\`redis_url\`), else from \`$REDIS_URL\`, else uses \`redis://127.0.0.1:6379\`. The tests start their
own \`redis-server\` on a free loopback port (or use \`$REDIS_URL\` when set) and stop it afterwards.
`
      : answers.template === "fs"
        ? `
The connector stores chunks under \`extra_config["remote_storage_plugin.${mod}.base_path"]\`
(default: \`<tmpdir>/${mod}\`) in LMCache's FSConnector format. The tests use a fresh temporary
directory.
`
        : "";
  const urlForm = `the URL

   \`\`\`yaml
   remote_url: "${url}"
   \`\`\``;
  const pluginForm = `the Remote Storage Plugin Framework

   \`\`\`yaml
   remote_storage_plugins: ["${mod}"]
   extra_config:
     remote_storage_plugin.${mod}.module_path: ${modulePath}
     remote_storage_plugin.${mod}.class_name: ${answers.className}
   \`\`\``;
  const loadingText =
    answers.loading === "plugin"
      ? `It loads the class through ${pluginForm}

   and shows, commented out, the same class from its URL (\`remote_url: "${url}"\`; LMCache warns that
   \`external://\` is due for deprecation in v0.5.0).`
      : `It loads the class from ${urlForm}

   and shows, commented out, the same class through the Remote Storage Plugin Framework
   (\`remote_storage_plugins: ["${mod}"]\` with \`remote_storage_plugin.${mod}.module_path: ${modulePath}\` and
   \`.class_name: ${answers.className}\` in \`extra_config\`). LMCache warns that \`external://\` is due for
   deprecation in v0.5.0.`;
  return `# ${answers.name}

\`${answers.className}\` is an LMCache remote storage connector: the Python class LMCache loads,
subclassing LMCache's \`RemoteConnector\`. Its source is \`src/${pkg}/${mod}.py\`; the places where your
own store goes are marked with comments.
${settings}
## Test

\`\`\`sh
npm install --offline   # the kit's lmcache-connector CLI, from ${RUNTIME_TARBALL_PATH} (no registry)
python3 -m pytest       # the conformance suite: one test per case
\`\`\`

The tests need Python >= 3.10 with torch and pytest (Debian: \`apt-get install ${DEBIAN_PACKAGES[answers.template]}\`,
then use \`/usr/bin/python3\`; or \`pip install torch -e ".[test]"\` in a virtualenv). The connector runs in the
interpreter that runs pytest, against the \`lmcache\` it can import, else the kit's compatible one
(the report names which). \`tests/conftest.py\` finds the CLI: \`$LMCACHE_CONNECTOR_CLI\`, else
\`node_modules/${RUNTIME_PACKAGE}\` here or in a parent folder, else \`lmcache-connector\` on PATH
(\`npm install -g ${RUNTIME_PACKAGE}\`).

The CLI directly:

\`\`\`sh
npx lmcache-connector check '${url}' --search-path src
npx lmcache-connector run '${url}' --search-path src   # a serving-shaped workload, with a report
\`\`\`

In VS Code with the LMCache Connector Kit extension, **Run against local cache** (F5) and **Debug
conformance** (\`.vscode/launch.json\`) run the same under the debugger.

## Load it in LMCache (vLLM + LMCache)

1. Make the package importable where vLLM runs: \`pip install -e .\` in this folder (or
   \`export PYTHONPATH=$PWD/src\`). Check with \`python -c "import ${modulePath}"\`.
2. Point LMCache at the config: \`export LMCACHE_CONFIG_FILE=$PWD/lmcache/${mod}.yaml\`. ${loadingText}
3. Start vLLM with LMCache's connector, in the same environment:

   \`\`\`sh
   vllm serve <model> --kv-transfer-config '{"kv_connector":"LMCacheConnectorV1","kv_role":"kv_both"}'
   \`\`\`

LMCache builds the class as \`${answers.className}(loop=…, local_cpu_backend=…, config=…)\` and
reads its settings from the config's \`extra_config\`.

## Add another connector

\`\`\`sh
yo lmcache-connector:connector --class-name OtherConnector --template fs --yes
\`\`\`

It adds the class to \`src/${pkg}/\`, its pytest file and config, a launch entry to
\`.vscode/launch.json\` and the template's requirement to \`pyproject.toml\`; it never overwrites
another file of yours unless you pass \`--force\`.

## The kit's runtime

\`package.json\` installs \`${RUNTIME_PACKAGE}\` ${VERSIONS.runtime} from \`${RUNTIME_TARBALL_PATH}\` for the
tests and the CLI only. To move to a newer one: \`npm install -D ${RUNTIME_PACKAGE}@^${VERSIONS.runtime}\` (from the
npm registry) or \`npm install -D /path/to/kit/generator/vendor/${RUNTIME_PACKAGE}-<version>.tgz\`.
`;
}
