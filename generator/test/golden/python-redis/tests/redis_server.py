# SPDX-License-Identifier: Apache-2.0
"""A real Redis for the tests: $REDIS_URL when set (e.g. a CI service), else a `redis-server`
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
            s.sendall(b"PING\r\n")
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
