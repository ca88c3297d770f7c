# SPDX-License-Identifier: Apache-2.0
"""The bridge process (ours): serves the TypeScript engine's calls to Python connectors.

Channels (file descriptors and FIFOs the engine opened before starting this process):

- ``--fd N``: a socket carrying frames both ways for everything asynchronous — ``open`` (load a
  connector as LMCache loads it), ``call`` of a coroutine method (run on the asyncio loop in its
  own thread through ``asyncio.run_coroutine_threadsafe``, as LMCache's ``RemoteBackend`` does),
  the engine's ``reply`` to our callbacks (``local_cpu_backend.allocate``) and ``drop``.
- ``--sync-req`` / ``--sync-resp``: FIFOs for the synchronous methods (``exists_sync``,
  ``remove_sync``, ``support_*``, ``batched_contains`` …), which LMCache calls directly from the
  caller's thread: here one caller thread, never the loop thread. The engine blocks on the answer
  with a deadline of its own (and stops the bridge past it: a Python thread cannot be stopped).
  The engine's loop watchdog asks here where the loop thread is (``stack``), which works while
  the loop is stuck.

The process exits when the engine's end of ``--fd`` closes, and (Linux) when its parent dies.
"""
import argparse
import asyncio
import importlib
import inspect
import itertools
import os
import select
import sys
import threading
import time
import traceback

from .errors import describe_exception
from .frames import ChannelClosed, FrameWriter
from .spin import SpinningSelector, read_polling

#: How long a callback into the engine (``allocate``) may wait for its answer.
CALLBACK_TIMEOUT_S = 30.0


def _die_with_parent() -> None:
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - not Linux: the closed channel still ends us
        pass


def select_lmcache(mode: str, kit_path: str) -> dict:
    """Imports ``lmcache`` per ``--lmcache``: ``installed`` (must be importable), ``kit`` (the
    kit's package first on ``sys.path``) or ``auto`` (installed if importable, else the kit's)."""
    kit_path = os.path.abspath(kit_path)
    if mode == "kit":
        sys.path.insert(0, kit_path)
        import lmcache
    elif mode == "installed":
        try:
            import lmcache
        except ImportError as e:
            raise RuntimeError(f"--lmcache installed: this interpreter cannot import lmcache ({e}); install LMCache (pip install lmcache) or use --lmcache kit") from e
    else:
        try:
            import lmcache

            if getattr(lmcache, "__file__", None) is None:
                # A namespace package: a folder named lmcache/ without __init__.py on sys.path
                # (e.g. a project's lmcache/<module>.yaml configs), not LMCache. A real,
                # installed LMCache would win over it; without one, the kit's must.
                raise ImportError("lmcache is only a namespace package here")
        except ImportError:
            for name in [m for m in sys.modules if m == "lmcache" or m.startswith("lmcache.")]:
                del sys.modules[name]
            sys.path.append(kit_path)
            import lmcache
    where = os.path.dirname(os.path.abspath(getattr(lmcache, "__file__", "") or ""))
    source = "kit" if where.startswith(kit_path + os.sep) or where == os.path.join(kit_path, "lmcache") else "installed"
    version = getattr(lmcache, "__version__", None)
    if version is None:
        try:
            from importlib.metadata import version as dist_version

            version = dist_version("lmcache")
        except Exception:  # noqa: BLE001
            version = "unknown"
    return {"source": source, "version": str(version), "path": where}


def make_config(fields: dict):
    """An ``LMCacheEngineConfig`` from the engine's config (snake_case keys)."""
    from lmcache.v1 import config as config_module

    cls = config_module.LMCacheEngineConfig
    for factory in ("from_dict", "from_defaults"):
        fn = getattr(cls, factory, None)
        if fn is None:
            continue
        try:
            return fn(fields) if factory == "from_dict" else fn(**fields)
        except TypeError:
            continue
    return cls(**fields)


def make_metadata(fields: dict):
    """``LMCacheMetadata`` (newest module), else the older ``LMCacheEngineMetadata``."""
    from .memory import torch_dtype

    values = dict(fields)
    values["kv_dtype"] = torch_dtype(values["kv_dtype"])
    values["kv_shape"] = tuple(values["kv_shape"])
    try:
        from lmcache.v1.metadata import LMCacheMetadata
    except ImportError:
        from lmcache.config import LMCacheEngineMetadata as LMCacheMetadata
    accepted = inspect.signature(LMCacheMetadata).parameters
    return LMCacheMetadata(**{k: v for k, v in values.items() if k in accepted})


#: RemoteConnector.__init__(config, metadata)'s fields, mirrored on the engine's proxy (the
#: RemoteBackend health check reads them; a connector that never called it has none, as in LMCache).
_CHUNK_META = ("save_chunk_meta", "meta_shapes", "meta_dtypes", "meta_fmt", "full_chunk_size_bytes", "single_token_size", "remote_metadata_bytes")


def _chunk_meta(connector) -> dict:
    from .memory import dtype_name

    out = {}
    for name in _CHUNK_META:
        try:
            value = getattr(connector, name)
        except Exception:  # noqa: BLE001 - absent, or a lazy property that cannot be computed
            continue
        if value is None:
            continue
        if name == "meta_shapes":
            value = [list(s) for s in value]
        elif name == "meta_dtypes":
            value = [dtype_name(d) for d in value]
        elif name == "meta_fmt":
            value = value.value
        elif name == "save_chunk_meta":
            value = bool(value)
        out[name] = value
    return out


def _add_roots(roots) -> None:
    """Puts a connector project's search roots first on ``sys.path`` (first root first)."""
    for root in reversed(roots):
        if root not in sys.path:
            sys.path.insert(0, root)


class SourceTimes:
    """An edited connector source is imported afresh on the next load (ours; LMCache keeps the
    first import for the life of its process): modules under the search roots whose file changed
    since they were imported are dropped from ``sys.modules`` before the next ``open``."""

    def __init__(self):
        self.times = {}

    def remember(self, roots) -> None:
        prefixes = tuple(os.path.join(os.path.abspath(r), "") for r in roots)
        for name, module in list(sys.modules.items()):
            path = getattr(module, "__file__", None)
            if path and os.path.abspath(path).startswith(prefixes) and name not in self.times:
                try:
                    self.times[name] = (path, os.stat(path).st_mtime_ns)
                except OSError:
                    pass

    def forget_edited(self) -> None:
        edited = []
        for name, (path, mtime) in self.times.items():
            try:
                changed = os.stat(path).st_mtime_ns != mtime
            except OSError:
                changed = True
            if changed:
                edited.append(name)
        if edited:
            # drop every module from the roots, so a module importing an edited one is rebuilt too
            for name in list(self.times):
                sys.modules.pop(name, None)
            self.times.clear()
            importlib.invalidate_caches()


class Instance:
    """One connector instance and the engine-side backend it belongs to."""

    def __init__(self, bridge, iid, arena, full_chunk_size_bytes):
        from .memory import BridgeAllocator

        self.bridge = bridge
        self.iid = iid
        self.arena = arena
        self.table = bridge.table
        self.allocator = BridgeAllocator(bridge.table)
        self.full_chunk_size_bytes = full_chunk_size_bytes
        self.connector = None

    def ask(self, method, args):
        return self.bridge.ask(self.iid, method, args)


class Bridge:
    """Frames are read where they are served, so a call costs no thread hand-off: the asyncio
    loop thread reads the socket (``loop.add_reader``) and starts each coroutine at once; one
    caller thread reads the sync FIFO and runs each sync method itself. A thread that asks the
    engine something (``allocate``) while it is the reader of its channel reads the answer inline;
    any other thread (a constructor running in an ``open`` thread, a connector's own thread) waits
    for the loop thread to hand it over."""

    def __init__(self, fd: int, sync_req: str, sync_resp: str):
        from .frames import FrameBuffer
        from .memory import ObjectTable

        self.table = ObjectTable()
        self.sources = SourceTimes()
        self.instances = {}
        self.adapters = {}
        self.in_flight = set()
        self.waiters = {}
        self.waiters_lock = threading.Lock()
        self.callback_ids = itertools.count(1)
        self.async_fd = fd
        self.async_frames = FrameBuffer()
        self.async_deferred = []
        self.async_out = FrameWriter(fd, self.table.attach_events)
        # Open order matches the engine's (it holds both FIFOs open read-write, so neither blocks).
        self.sync_in_fd = os.open(sync_req, os.O_RDONLY)
        self.sync_out = FrameWriter(os.open(sync_resp, os.O_WRONLY), self.table.attach_events)
        self.sync_frames = FrameBuffer()
        self.sync_deferred = []
        self.loop = asyncio.SelectorEventLoop(SpinningSelector())
        os.set_blocking(fd, False)
        self.loop.add_reader(fd, self._on_async_readable)
        self.table.on_pending = lambda: self.loop.call_soon_threadsafe(self._flush_events)
        self.loop_thread = threading.main_thread()  # serve() runs the loop on this thread
        self.sync_thread = threading.Thread(target=self._serve_sync, name="lmcache-caller", daemon=True)

    # ---- callbacks into the engine -----------------------------------------------------------
    def ask(self, iid, method, args):
        cid = next(self.callback_ids)
        frame = {"t": "cb", "id": cid, "inst": iid, "m": method, "args": args}
        current = threading.current_thread()
        if current is self.loop_thread:
            reply = self._ask_inline(self.async_out, self.async_fd, self.async_frames, self.async_deferred, frame, method)
            if self.async_deferred:
                self.loop.call_soon(self._drain_async)
        elif current is self.sync_thread:
            reply = self._ask_inline(self.sync_out, self.sync_in_fd, self.sync_frames, self.sync_deferred, frame, method)
        else:
            done = threading.Event()
            slot = {}
            with self.waiters_lock:
                self.waiters[cid] = (done, slot)
            self.async_out.write(frame)
            if not done.wait(CALLBACK_TIMEOUT_S):
                with self.waiters_lock:
                    self.waiters.pop(cid, None)
                raise RuntimeError(f"the engine did not answer {method}() within {CALLBACK_TIMEOUT_S:.0f} s")
            reply = slot["reply"]
        if not reply.get("ok", True):
            error = reply["error"]
            exc_type = __builtins__.get(error["type"]) if isinstance(__builtins__, dict) else getattr(__builtins__, error["type"], None)
            if not (isinstance(exc_type, type) and issubclass(exc_type, Exception)):
                exc_type = RuntimeError
            raise exc_type(error["message"])
        return reply.get("value")

    def _ask_inline(self, writer, fd, frames, deferred, frame, method):
        """Sends ``frame`` and reads this channel until its reply: other replies are handed to
        their waiters, everything else is kept for after."""
        writer.write(frame)
        until = time.monotonic() + CALLBACK_TIMEOUT_S
        while True:
            chunk = read_polling(fd, 1 << 16) if fd == self.async_fd else None  # the sync FIFO blocks
            if chunk is None:
                remaining = until - time.monotonic()
                if remaining <= 0:
                    raise RuntimeError(f"the engine did not answer {method}() within {CALLBACK_TIMEOUT_S:.0f} s")
                ready, _, _ = select.select([fd], [], [], remaining)
                if not ready:
                    continue
                try:
                    chunk = os.read(fd, 1 << 16)
                except BlockingIOError:
                    continue
            if not chunk:
                os._exit(0)
            found = None
            for msg in frames.push(chunk):
                if msg.get("t") == "reply" and msg.get("id") == frame["id"] and found is None:
                    found = msg
                elif msg.get("t") == "reply":
                    self._resolve(msg)
                else:
                    deferred.append(msg)
            if found is not None:
                return found

    def _resolve(self, msg):
        with self.waiters_lock:
            waiter = self.waiters.pop(msg["id"], None)
        if waiter is None:
            return
        done, slot = waiter
        slot["reply"] = msg
        done.set()

    # ---- results -------------------------------------------------------------------------------
    def _send_result(self, writer, call_id, fn):
        from .values import encode

        try:
            message = {"t": "result", "id": call_id, "ok": True, "value": encode(fn())}
        except BaseException as e:  # noqa: BLE001 - every failure is the connector's answer
            message = {"t": "result", "id": call_id, "ok": False, "error": describe_exception(e)}
        writer.write(message)

    def _instance(self, msg):
        inst = self.instances.get(msg["inst"])
        if inst is None:
            raise RuntimeError(f"connector instance {msg['inst']} is not open in the bridge")
        return inst

    # ---- async channel (served on the loop thread) ---------------------------------------------
    def serve(self) -> None:
        self.sync_thread.start()
        self.loop.run_forever()

    def _on_async_readable(self):
        try:
            chunk = os.read(self.async_fd, 1 << 16)
        except BlockingIOError:
            return
        except OSError:
            os._exit(0)
        if not chunk:
            os._exit(0)
        try:
            self.async_deferred.extend(self.async_frames.push(chunk))
        except ChannelClosed:
            os._exit(0)
        self._drain_async()

    def _flush_events(self):
        """Sends ownership events no other frame carried (``attach_events`` fills ``ev``)."""
        with self.table.lock:
            pending = bool(self.table.events)
        if pending:
            self.async_out.write({"t": "ev"})

    def _drain_async(self):
        while self.async_deferred:
            self._dispatch_async(self.async_deferred.pop(0))

    def _dispatch_async(self, msg):
        if "freed" in msg:
            self.table.freed(msg["freed"])
        kind = msg.get("t")
        if kind == "reply":
            self._resolve(msg)
        elif kind == "call":
            self._call_async(msg)
        elif kind == "open":
            threading.Thread(target=self._open, args=(msg,), name="lmcache-open", daemon=True).start()
        elif kind == "probe":
            threading.Thread(target=self._probe, args=(msg,), name="lmcache-probe", daemon=True).start()
        elif kind == "adapter":
            threading.Thread(target=self._make_adapter, args=(msg,), name="lmcache-adapter", daemon=True).start()
        elif kind == "drop":
            self.instances.pop(msg["inst"], None)
        elif kind == "exit":
            os._exit(0)

    def _call_async(self, msg):
        from .values import decode

        try:
            inst = self._instance(msg)
            args = decode(msg["args"], inst)
            method = getattr(inst.connector, msg["m"])
        except BaseException as e:  # noqa: BLE001
            self.async_out.write({"t": "result", "id": msg["id"], "ok": False, "error": describe_exception(e)})
            return

        async def invoke():
            # LMCache awaits these methods: a plain `def` returning a bool fails right here with
            # "object bool can't be used in 'await' expression", as it does under LMCache.
            return await method(*args)

        task = self.loop.create_task(invoke())
        # A call that never finishes stays referenced: asyncio would otherwise log "Task was
        # destroyed but it is pending!" when its connector instance is dropped.
        self.in_flight.add(task)
        task.add_done_callback(self.in_flight.discard)
        task.add_done_callback(lambda t: self._send_result(self.async_out, msg["id"], t.result))

    def _loop_stack(self):
        """Where the loop thread is: idle in the selector, or busy in some frame (the engine's
        watchdog stops a bridge whose loop stays busy, naming the innermost frame)."""
        frame = sys._current_frames().get(self.loop_thread.ident)
        if frame is None:
            return {"idle": True, "frames": []}
        frames = traceback.extract_stack(frame)
        inner = frames[-1]
        idle = os.path.basename(inner.filename) == "selectors.py" or inner.name in ("select", "poll", "epoll")
        return {"idle": idle, "frames": [[f.filename, f.lineno, f.name] for f in frames[-8:]]}

    def _open(self, msg):
        def run():
            from lmcache.v1.storage_backend.local_cpu_backend import LocalCPUBackend

            from .backend import make_backend_class
            from .loading import create_external_connector, create_plugin_connector
            from .memory import SharedArena

            _add_roots(msg.get("roots", []))
            self.sources.forget_edited()
            shm = msg["shm"]
            inst = Instance(self, msg["inst"], SharedArena(shm["path"], shm["size"]), msg.get("fullChunkSizeBytes"))
            config = make_config(msg["config"])
            metadata = make_metadata(msg["metadata"])
            backend = make_backend_class(LocalCPUBackend)(config, metadata, inst)
            kind = msg.get("kind", "external")
            try:
                if kind == "adapter":
                    connector = self._adapter_connector(msg, backend, config, metadata)
                else:
                    create = create_external_connector if kind == "external" else create_plugin_connector
                    connector = create(msg["module"], msg["cls"], self.loop, backend, config)
            finally:
                self.sources.remember(msg.get("roots", []))  # also a module whose class then failed
            inst.connector = connector
            self.instances[msg["inst"]] = inst
            cls = type(connector)
            try:
                source = inspect.getsourcefile(cls)
                line = inspect.getsourcelines(cls)[1]
            except (TypeError, OSError):
                source, line = None, None
            return {"repr": repr(connector), "class": cls.__name__, "file": source, "line": line, "chunkMeta": _chunk_meta(connector)}

        self._send_result(self.async_out, msg["id"], run)

    def _make_adapter(self, msg):
        """A Python ``ConnectorAdapter`` plugin class, instantiated with no arguments as LMCache's
        plugin launcher does; the engine then asks it ``can_parse`` and ``create_connector``."""

        def run():
            _add_roots(msg.get("roots", []))
            cls = getattr(importlib.import_module(msg["module"]), msg["cls"])
            adapter = cls()
            self.adapters[msg["aid"]] = adapter
            return {"schema": getattr(adapter, "schema", "")}

        self._send_result(self.async_out, msg["id"], run)

    def _adapter_connector(self, msg, backend, config, metadata):
        """``adapter.create_connector(ConnectorContext(url, loop, local_cpu_backend, config,
        metadata, plugin_name))``, as ``ConnectorManager.create_connector`` calls it."""
        from lmcache.v1.storage_backend.connector import ConnectorContext

        adapter = self.adapters[msg["aid"]]
        context = ConnectorContext(msg["url"], self.loop, backend, config, metadata, msg.get("pluginName"))
        return adapter.create_connector(context)

    def _probe(self, msg):
        """What a ``remote_storage_plugin.<name>.class_name`` names (the plugin launcher's sort)."""

        def run():
            from .loading import plugin_class_kind

            _add_roots(msg.get("roots", []))
            return plugin_class_kind(msg["module"], msg["cls"])

        self._send_result(self.async_out, msg["id"], run)

    # ---- sync channel (served on the caller thread) --------------------------------------------
    def _serve_sync(self) -> None:
        while True:
            while not self.sync_deferred:
                try:
                    chunk = os.read(self.sync_in_fd, 1 << 16)
                except OSError:
                    os._exit(0)
                if not chunk:
                    os._exit(0)
                self.sync_deferred.extend(self.sync_frames.push(chunk))
            msg = self.sync_deferred.pop(0)
            if "freed" in msg:
                self.table.freed(msg["freed"])
            kind = msg.get("t")
            if kind == "reply":
                self._resolve(msg)
            elif kind == "call":
                self._call_sync(msg)
            elif kind == "stack":
                self._send_result(self.sync_out, msg["id"], self._loop_stack)
            elif kind == "acall":
                self._send_result(self.sync_out, msg["id"], lambda m=msg: getattr(self.adapters[m["aid"]], m["m"])(*m["args"]))

    def _call_sync(self, msg):
        from .values import decode

        def run():
            inst = self._instance(msg)
            args = decode(msg["args"], inst)
            return getattr(inst.connector, msg["m"])(*args)

        self._send_result(self.sync_out, msg["id"], run)


#: What the bridge prints on stderr once debugpy listens (the editor attaches to the port in it).
DEBUGPY_BANNER = "lmcache-kit: debugpy listening on 127.0.0.1:{port} (pid {pid})"


def _start_debugpy(writer: FrameWriter) -> None:
    """Ours: with ``LMCACHE_KIT_DEBUGPY=PORT`` (``0``: any free port) this process listens for a
    debugger with debugpy on 127.0.0.1 (never another interface), prints :data:`DEBUGPY_BANNER`
    on stderr, appends ``{"port": P, "pid": N}`` as one JSON line to the file named by
    ``LMCACHE_KIT_DEBUGPY_ANNOUNCE`` (the runner captures stderr until the run ends, so the editor
    watches that file), and waits until the IDE has attached (``initialize`` + ``attach``), so
    breakpoints in the connector's module are set before it is imported. Each bridge process of a
    run (a new one starts after one was stopped) announces itself."""
    spec = os.environ.get("LMCACHE_KIT_DEBUGPY", "")
    if not spec:
        return
    try:
        port = int(spec.rpartition(":")[2])
        # Debian's CPython uses frozen stdlib modules; pydevd's warning about them is noise here
        os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
        import debugpy
    except (ImportError, ValueError) as e:
        writer.write({"t": "fatal", "kind": "no-debugpy", "message": f"cannot debug the connector ({type(e).__name__}: {e}): {sys.executable} needs debugpy (Debian/Ubuntu: apt-get install python3-debugpy; elsewhere: pip install debugpy)"})
        os._exit(3)
    _, bound = debugpy.listen(("127.0.0.1", port))
    print(DEBUGPY_BANNER.format(port=bound, pid=os.getpid()), file=sys.stderr, flush=True)
    announce = os.environ.get("LMCACHE_KIT_DEBUGPY_ANNOUNCE")
    if announce:
        import json

        with open(announce, "a", encoding="utf-8") as f:
            f.write(json.dumps({"port": bound, "pid": os.getpid()}) + "\n")
    debugpy.wait_for_client()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="lmcache_connector_kit.bridge")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--sync-req", required=True)
    parser.add_argument("--sync-resp", required=True)
    parser.add_argument("--lmcache", choices=["installed", "kit", "auto"], default="auto")
    parser.add_argument("--kit-path", required=True)
    args = parser.parse_args(argv)
    _die_with_parent()
    # Connector prints go to stderr: stdout may carry the engine's report (--format json).
    os.dup2(2, 1)
    hello = FrameWriter(args.fd)
    if sys.version_info < (3, 10):
        hello.write({"t": "fatal", "kind": "python-too-old", "message": f"Python {sys.version.split()[0]} is too old: LMCache needs Python >= 3.10"})
        os._exit(3)
    _start_debugpy(hello)
    try:
        import torch
    except Exception as e:  # noqa: BLE001
        hello.write({"t": "fatal", "kind": "no-torch", "message": f"{type(e).__name__}: {e}"})
        os._exit(3)
    try:
        lmcache_info = select_lmcache(args.lmcache, args.kit_path)
        bridge = Bridge(args.fd, args.sync_req, args.sync_resp)
    except Exception as e:  # noqa: BLE001
        hello.write({"t": "fatal", "kind": "lmcache", "message": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()})
        os._exit(3)
    bridge.async_out.write(
        {
            "t": "hello",
            "pid": os.getpid(),
            "python": {"executable": sys.executable, "version": sys.version.split()[0]},
            "torch": torch.__version__,
            "lmcache": lmcache_info,
        }
    )
    bridge.serve()
