# SPDX-License-Identifier: Apache-2.0
"""Spin briefly before sleeping (ours). On these machines a process woken from ``epoll_wait``
takes about 17 µs to run again, a third of a bridge round trip; the engine's next frame usually
comes within tens of µs of our answer, so the waits first poll for :data:`SPIN_S` (the cost: at
most that much CPU each time the bridge goes idle) and only then block."""
import os
import selectors
import time

#: How long a wait polls before it blocks.
SPIN_S = 0.0002


class SpinningSelector(selectors.DefaultSelector):
    """The asyncio loop's selector: polls (timeout 0) for up to :data:`SPIN_S`, then blocks."""

    def select(self, timeout=None):
        if timeout is None or timeout > 0:
            until = time.perf_counter() + (SPIN_S if timeout is None else min(SPIN_S, timeout))
            while True:
                ready = super().select(0)
                if ready:
                    return ready
                if time.perf_counter() >= until:
                    break
            if timeout is not None:
                timeout = max(0.0, timeout - SPIN_S)
        return super().select(timeout)


def read_polling(fd: int, size: int):
    """``os.read`` of a non-blocking ``fd``, polled for up to :data:`SPIN_S`; None if nothing came."""
    until = time.perf_counter() + SPIN_S
    while True:
        try:
            return os.read(fd, size)
        except BlockingIOError:
            if time.perf_counter() >= until:
                return None
