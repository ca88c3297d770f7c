# SPDX-License-Identifier: Apache-2.0
"""The kit's conformance suite as pytest items (ours, not LMCache's).

A generated Python connector project's ``tests/test_conformance.py`` does::

    from lmcache_connector_kit.pytest_plugin import conformance_suite

    test_conformance = conformance_suite(
        "external://host:0/acme_store.acme_store_connector/?connector_name=AcmeStoreConnector",
        cwd=PROJECT_ROOT, search_paths=[PROJECT_ROOT / "src"],
    )

``conformance_suite`` runs ``lmcache-connector check <url> --format json`` once, while the module
is collected, and returns a test function parametrised with one item per conformance case: a
passed case passes, a failed case fails with the case's explanation (message, expected, actual,
the connector's ``.py`` location and traceback, the operations that led there), a case the
engine skipped is skipped with its reason. A connector that cannot be loaded gives one failing
item, ``load``, with LMCache's exception; a crash or hang (exit 3) fails the item of the case in
flight and a ``run`` item with the CLI's report.

The connector runs in the interpreter running pytest (``--python sys.executable``) unless
``LMCACHE_PYTHON`` names another. ``LMCACHE_CONNECTOR_CASES`` (a glob list, e.g.
``"roundtrip.*,refs"``) runs only the matching cases. The CLI is ``LMCACHE_CONNECTOR_CLI`` when set, else the one
shipped next to this file (``<lmcache-connector-runtime>/bin/lmcache-connector.js``).

Nothing here imports ``lmcache`` or torch: the test process only reads the CLI's report. The
suite runs when the test module is imported, so ``pytest --collect-only`` runs it too.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional

import pytest

#: The CLI shipped in the same npm package as this module.
BUNDLED_CLI = Path(__file__).resolve().parents[2] / "bin" / "lmcache-connector.js"

#: How long the whole ``check`` may take before it is killed (the CLI has per-case deadlines too).
DEFAULT_TIMEOUT_SECS = 600.0

#: How many of a failing case's last operations are shown.
SHOWN_OPS = 12


@dataclass
class ConformanceReport:
    """What one ``check`` run gave: the parsed JSON report, or why there is none."""

    exit_code: int
    command: list[str]
    report: Optional[dict] = None
    stderr: str = ""
    cases: list[dict] = field(default_factory=list)


def cli_command() -> list[str]:
    """The argv prefix that runs the kit's CLI: ``LMCACHE_CONNECTOR_CLI`` (a path, or a command on
    PATH), else the CLI next to this module. ``.js`` files run with the ``node`` on PATH."""
    explicit = os.environ.get("LMCACHE_CONNECTOR_CLI", "").strip()
    cli = explicit or str(BUNDLED_CLI)
    if explicit and not os.path.exists(cli):
        found = shutil.which(cli)
        if found is None:
            raise pytest.UsageError(f"LMCACHE_CONNECTOR_CLI={explicit!r} is neither a file nor a command on PATH")
        cli = found
    if not os.path.exists(cli):
        raise pytest.UsageError(f"the kit's CLI is missing at {cli}: reinstall lmcache-connector-runtime, or set LMCACHE_CONNECTOR_CLI")
    if cli.endswith((".js", ".mjs", ".cjs")):
        node = shutil.which("node")
        if node is None:
            raise pytest.UsageError("the kit's CLI needs Node.js >= 20 (`node` is not on PATH)")
        return [node, cli]
    return [cli]


def check_command(
    url: str,
    *,
    cwd: os.PathLike | str,
    search_paths: Iterable[os.PathLike | str] = (),
    extra: Optional[Mapping[str, Any]] = None,
    config: Optional[os.PathLike | str] = None,
    args: Iterable[str] = (),
) -> list[str]:
    """The full ``lmcache-connector check`` command line (JSON report, this interpreter)."""
    cmd = [*cli_command(), "check", url, "--cwd", str(cwd), "--format", "json"]
    for path in search_paths:
        cmd += ["--search-path", str(path)]
    if config is not None:
        cmd += ["--config", str(config)]
    for key, value in (extra or {}).items():
        cmd += ["--extra", f"{key}={value if isinstance(value, str) else json.dumps(value)}"]
    if not os.environ.get("LMCACHE_PYTHON"):
        cmd += ["--python", sys.executable]
    if os.environ.get("LMCACHE_CONNECTOR_CASES", "").strip():
        # Only the matching cases run (the engine's --cases; pytest's -k only deselects after the run).
        cmd += ["--cases", os.environ["LMCACHE_CONNECTOR_CASES"].strip()]
    return [*cmd, *args]


#: How long the CLI gets to stop its runner and bridge (SIGTERM) before it is killed.
STOP_GRACE_SECS = 5.0


def _kill_group(proc: subprocess.Popen) -> None:
    """Stops the CLI's process group: SIGTERM first, so the CLI ends its runner and Python bridge
    (they live in process groups of their own), then SIGKILL for whatever is left."""
    for sig, wait in ((signal.SIGTERM, STOP_GRACE_SECS), (signal.SIGKILL, None)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return  # already gone
        if wait is None:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            pass


def run_check(url: str, *, timeout: float = DEFAULT_TIMEOUT_SECS, **options: Any) -> ConformanceReport:
    """Runs the suite once and parses its report; never raises for a failing connector."""
    cmd = check_command(url, **options)
    # A session of its own, so a timeout kills the CLI and every process it started; so does
    # anything that ends the wait early (Ctrl-C in pytest), so nothing outlives the test run.
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        stdout, stderr = proc.communicate()
        return ConformanceReport(exit_code=-1, command=cmd, stderr=f"lmcache-connector check did not finish within {timeout:g} s and was killed\n" + stderr.decode("utf-8", "replace"))
    except BaseException:
        _kill_group(proc)
        proc.wait()
        raise
    result = ConformanceReport(exit_code=proc.returncode, command=cmd, stderr=stderr.decode("utf-8", "replace"))
    text = stdout.decode("utf-8", "replace").strip()
    if text:
        try:
            result.report = json.loads(text)
        except json.JSONDecodeError:
            result.stderr = f"{result.stderr}\n(unparsable report on stdout)\n{text[:4000]}"
    if result.report is not None:
        result.cases = list(result.report.get("cases") or [])
    return result


def _value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def explain(case: Mapping[str, Any], connector: Optional[str] = None) -> str:
    """A failing case as the text pytest shows: what failed, expected/actual, where, and how."""
    lines = [f"{case.get('id')}: {case.get('title', '')}".rstrip()]
    lines += ["  " + line for line in str(case.get("message") or "failed").splitlines()]
    for label in ("expected", "actual"):
        if case.get(label) is not None:
            first, *rest = _value(case[label]).splitlines() or [""]
            lines.append(f"  {label + ':':<9} {first}")
            lines += ["            " + line for line in rest]
    location = case.get("location")
    if isinstance(location, Mapping) and location.get("file"):
        lines.append(f"  at {location['file']}:{location.get('line', 0)}")
    for key in ("error", "traceback", "stack"):
        if case.get(key):
            text = _value(case[key])
            lines += ["", f"  {key}:", *("    " + line for line in text.rstrip().splitlines())]
    ops = case.get("ops") or []
    if ops:
        shown = ops[-SHOWN_OPS:]
        lines += ["", f"  operations ({len(ops)}{', last ' + str(len(shown)) if len(shown) < len(ops) else ''}):"]
        for op in shown:
            args = ", ".join(_value(a) for a in op.get("args") or [])
            outcome = f"-> {_value(op['result'])}" if "result" in op else f"!! {_value(op.get('error'))}"
            lines.append(f"    {op.get('op')}({args}) {outcome}")
    for key in ("output", "stdout", "stderr"):
        if case.get(key):
            lines += ["", f"  connector {key}:", *("    " + line for line in _value(case[key]).rstrip().splitlines())]
    if connector:
        lines += ["", f"  connector: {connector}"]
    return "\n".join(lines)


def check_case(case: Mapping[str, Any], connector: Optional[str] = None) -> None:
    """Passes, fails or skips as the engine decided for ``case``."""
    status = case.get("status")
    if status == "passed":
        return
    if status == "skipped":
        pytest.skip(str(case.get("message") or (case.get("skip") or {}).get("detail") or "skipped by the engine"))
    pytest.fail(explain(case, connector), pytrace=False)


_URL_PASSWORD = re.compile(r"(\w[\w+.-]*://[^/@\s:]*:)[^@\s/]*@")


def redact(text: str) -> str:
    """``text`` with the passwords of URLs in it replaced by ``***`` (secrets are never printed)."""
    return _URL_PASSWORD.sub(r"\1***@", text)


def _run_problem(result: ConformanceReport) -> Optional[str]:
    """Why the run as a whole did not give a usable verdict (load error, crash, bad usage), or None."""
    if result.exit_code in (0, 1) and result.report is not None:
        return None
    what = {
        2: "the connector could not be loaded (or the command was wrong)",
        3: "the connector crashed, exited or hung",
        -1: "the run timed out",
    }.get(result.exit_code, f"lmcache-connector check exited with {result.exit_code}")
    return redact(f"{what}:\n{result.stderr.strip()}\n\ncommand: {' '.join(result.command)}")


def conformance_params(result: ConformanceReport) -> list:
    """One ``pytest.param`` per case (id = case id), plus ``load``/``run`` when the run itself failed."""
    params = [pytest.param(case, id=str(case.get("id"))) for case in result.cases]
    problem = _run_problem(result)
    if problem is not None:
        item = "load" if result.exit_code == 2 else "run"
        params.append(pytest.param({"id": item, "status": "failed", "message": problem}, id=item))
    return params


def conformance_suite(url: str, **options: Any):
    """Runs the suite on ``url`` now and returns the parametrised test function (see the module
    docstring). ``options``: ``cwd``, ``search_paths``, ``extra`` (extra_config entries),
    ``config`` (an LMCache YAML), ``args`` (more CLI flags), ``timeout`` (seconds)."""
    result = run_check(url, **options)
    header = (result.report or {}).get("connector")

    @pytest.mark.parametrize("case", conformance_params(result))
    def test_conformance(case: dict) -> None:
        check_case(case, header)

    test_conformance.report = result  # type: ignore[attr-defined]
    return test_conformance
