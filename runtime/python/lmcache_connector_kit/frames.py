# SPDX-License-Identifier: Apache-2.0
"""Frames on the bridge's channels (ours): a little-endian u32 byte length, then a UTF-8 JSON
header. Payload bytes never travel in a frame: they live in the shared-memory file of the
connector instance (see :mod:`lmcache_connector_kit.memory`); a frame names objects by id."""
import json
import os
import struct
import threading

_LEN = struct.Struct("<I")

#: Largest header accepted (a header names keys and object ids only).
MAX_FRAME_BYTES = 64 * 1024 * 1024


class ChannelClosed(Exception):
    """The other end closed the channel (the engine went away)."""


class FrameWriter:
    """Writes frames to a file descriptor; safe to call from any thread."""

    def __init__(self, fd: int, before_send=None):
        self.fd = fd
        self.lock = threading.Lock()
        # called under the lock with the outgoing message: attaches pending ownership events
        self.before_send = before_send

    def write(self, message: dict) -> None:
        with self.lock:
            if self.before_send is not None:
                self.before_send(message)
            body = json.dumps(message, separators=(",", ":"), default=str).encode("utf-8")
            data = _LEN.pack(len(body)) + body
            view = memoryview(data)
            while view:
                written = os.write(self.fd, view)
                view = view[written:]


class FrameBuffer:
    """Reassembles frames from chunks read off a non-blocking descriptor."""

    def __init__(self):
        self.buffer = bytearray()

    def push(self, chunk: bytes) -> list:
        self.buffer += chunk
        out = []
        while len(self.buffer) >= 4:
            (length,) = _LEN.unpack_from(self.buffer, 0)
            if length > MAX_FRAME_BYTES:
                raise ChannelClosed()
            if len(self.buffer) < 4 + length:
                break
            out.append(json.loads(bytes(self.buffer[4 : 4 + length])))
            del self.buffer[: 4 + length]
        return out
