# SPDX-License-Identifier: Apache-2.0
"""The bridge's polling waits (lmcache_connector_kit.spin): they poll first, then block, and
never return early or late."""
# Standard
import selectors
import socket
import threading
import time

# First Party
from lmcache_connector_kit.spin import SPIN_S, SpinningSelector, read_polling


def _pair():
    a, b = socket.socketpair()
    a.setblocking(False)
    b.setblocking(False)
    return a, b


def test_select_returns_what_is_ready_at_once():
    a, b = _pair()
    sel = SpinningSelector()
    sel.register(a, selectors.EVENT_READ)
    b.send(b"x")
    started = time.perf_counter()
    ready = sel.select(None)
    assert [key.fileobj for key, _ in ready] == [a]
    assert time.perf_counter() - started < 0.05
    sel.close()


def test_select_waits_past_the_spin_for_the_whole_timeout():
    a, _b = _pair()
    sel = SpinningSelector()
    sel.register(a, selectors.EVENT_READ)
    started = time.perf_counter()
    assert sel.select(0.02) == []
    elapsed = time.perf_counter() - started
    assert 0.02 <= elapsed < 0.5
    assert sel.select(0) == []  # a zero timeout never spins
    sel.close()


def test_select_sees_data_that_arrives_while_blocked():
    a, b = _pair()
    sel = SpinningSelector()
    sel.register(a, selectors.EVENT_READ)
    threading.Timer(10 * SPIN_S, lambda: b.send(b"late")).start()
    ready = sel.select(5)
    assert [key.fileobj for key, _ in ready] == [a]
    sel.close()


def test_read_polling_gives_bytes_or_none_after_the_spin():
    a, b = _pair()
    started = time.perf_counter()
    assert read_polling(a.fileno(), 16) is None
    assert time.perf_counter() - started >= SPIN_S
    b.send(b"abc")
    assert read_polling(a.fileno(), 16) == b"abc"
    b.close()
    assert read_polling(a.fileno(), 16) == b""  # end of stream, as os.read says it
