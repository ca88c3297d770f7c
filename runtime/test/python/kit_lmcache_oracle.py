# SPDX-License-Identifier: Apache-2.0
"""Oracle for kit-lmcache-parity.test.ts: reads one JSON request on stdin, answers every item with
the kit's ``lmcache`` package (runtime/python), prints one JSON reply. Each item's answer is
``{"ok": value}`` or ``{"error": <Python exception type>, "message": str(e)}``."""
# Standard
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python"))

# Third Party
import torch  # noqa: E402

# First Party
import lmcache  # noqa: E402
from lmcache import kit_compat  # noqa: E402
from lmcache.utils import CacheEngineKey, LayerCacheEngineKey  # noqa: E402
from lmcache.v1 import protocol  # noqa: E402
from lmcache.v1.config import LMCacheEngineConfig  # noqa: E402
from lmcache.v1.memory_management import MemoryFormat, TensorMemoryAllocator, tensor_from_buffer  # noqa: E402
from lmcache.v1.protocol import RemoteMetadata  # noqa: E402
from lmcache.v1.storage_backend.connector import parse_remote_url  # noqa: E402
from lmcache.v1.storage_backend.connector.base_connector import RemoteConnector  # noqa: E402
from lmcache.v1.storage_backend.local_cpu_backend import LocalCPUBackend  # noqa: E402


class ParityConnector(RemoteConnector):
    """The smallest connector that calls ``super().__init__`` as LMCache's own do."""

    def __init__(self, loop, local_cpu_backend, config):
        super().__init__(local_cpu_backend.config, local_cpu_backend.metadata)

    async def exists(self, key):
        return False

    def exists_sync(self, key):
        return False

    async def get(self, key):
        return None

    async def put(self, key, memory_obj):
        pass

    async def list(self):
        return []

    async def close(self):
        pass


def answer(fn):
    try:
        return {"ok": fn()}
    except Exception as e:  # noqa: BLE001 - the type and text are the answer
        return {"error": type(e).__name__, "message": str(e)}


def dtype(name):
    return kit_compat.dtype_from_kit_name(name)


def dname(d):
    return kit_compat.kit_name_of_dtype(d)


def request_configs(item):
    configs = {"lmcache.tag." + k: v for k, v in item.get("tags", [])}
    configs.update({k: v for k, v in item.get("configs", [])})
    return configs or None


def chunk_hash(item):
    return bytes.fromhex(item["hashBytes"]) if item.get("hashBytes") is not None else int(item["hash"])


def key_fields(key):
    out = {
        "modelName": key.model_name,
        "worldSize": key.world_size,
        "workerId": key.worker_id,
        "chunkHash": str(key.chunk_hash),
        "dtype": dname(key.dtype),
        "requestConfigs": key.request_configs,
    }
    if isinstance(key, LayerCacheEngineKey):
        out["layerId"] = key.layer_id
    return out


def key_to_string(item):
    fields = dict(
        model_name=item["model"], world_size=item["ws"], worker_id=item["wid"],
        chunk_hash=chunk_hash(item), dtype=dtype(item["dtype"]), request_configs=request_configs(item),
    )
    if item.get("layer") is None:
        return CacheEngineKey(**fields).to_string()
    return LayerCacheEngineKey(**fields, layer_id=item["layer"]).to_string()


def key_from_string(s, layer):
    return key_fields((LayerCacheEngineKey if layer else CacheEngineKey).from_string(s))


def era_to_string(item):
    return kit_compat.format_key(
        item["layout"], model_name=item["model"], world_size=item["ws"], worker_id=item["wid"],
        chunk_hash=int(item["hash"]) if item["layout"] != "2024" else item["hash"],
        dtype=dtype(item.get("dtype")), request_configs=request_configs(item), fmt=item["fmt"],
        layer_id=item.get("layer"),
    )


def era_from_string(s, layout, layer):
    fields = kit_compat.parse_key(s, layout, layer)
    out = {k: (str(v) if k == "chunk_hash" else v) for k, v in fields.items() if k != "dtype"}
    if "dtype" in fields:
        out["dtype"] = dname(fields["dtype"])
    return out


def header_serialize(item):
    protocol.init_remote_metadata_info(len(item["shapes"]))
    meta = RemoteMetadata(
        item["length"], [torch.Size(s) for s in item["shapes"]], [dtype(d) for d in item["dtypes"]], MemoryFormat(item["fmt"])
    )
    return meta.serialize().hex()


def header_deserialize(hex_bytes, groups):
    protocol.init_remote_metadata_info(groups)
    meta = RemoteMetadata.deserialize(bytes.fromhex(hex_bytes))
    return {
        "length": meta.length,
        "shapes": [list(s) for s in meta.shapes],
        "dtypes": [dname(d) for d in meta.dtypes],
        "fmt": meta.fmt.value,
    }


def backend_for(item):
    config = kit_compat.engine_config_from_kit(item["config"])
    metadata = kit_compat.metadata_from_kit(item["metadata"])
    allocator = TensorMemoryAllocator(tensor_from_buffer(bytearray(item.get("capacity", 1 << 22))))
    return LocalCPUBackend(config, metadata, memory_allocator=allocator)


def chunk_meta(item):
    backend = backend_for(item)
    c = ParityConnector(loop=None, local_cpu_backend=backend, config=backend.config)
    return {
        "saveChunkMeta": c.save_chunk_meta,
        "metaShapes": [list(s) for s in c.meta_shapes],
        "metaDtypes": [dname(d) for d in c.meta_dtypes],
        "metaFmt": c.meta_fmt.value,
        "fullChunkSizeBytes": c.full_chunk_size_bytes,
        "singleTokenSize": c.single_token_size,
        "remoteMetadataBytes": c.remote_metadata_bytes,
        "backendFullChunkSizeBytes": backend.get_full_chunk_size_bytes(),
    }


def reshape(item):
    backend = backend_for(item)
    c = ParityConnector(loop=None, local_cpu_backend=backend, config=backend.config)
    obj = backend.allocate(c.meta_shapes, c.meta_dtypes, c.meta_fmt)
    try:
        out = c.reshape_partial_chunk(obj, item["bytesRead"])
        return {"shape": list(out.get_shape()), "size": out.get_size(), "bytes": len(out.byte_array), "tokens": out.get_num_tokens()}
    finally:
        obj.ref_count_down()


def jsonable(value):
    if isinstance(value, float) and value == float("inf"):
        return "inf"
    return value


def config_defaults():
    defaults = LMCacheEngineConfig.from_defaults().to_dict()
    return {k: jsonable(v) for k, v in defaults.items()}


def config_via_seam(ts_json):
    return {k: jsonable(v) for k, v in kit_compat.engine_config_from_kit(ts_json).to_dict().items()}


def url_fields(url):
    p = parse_remote_url(url)
    return {"host": p.host, "port": p.port, "path": p.path, "username": p.username, "password": p.password, "queryParams": p.query_params}


def divergences():
    """Where LMCache's Python errors and the TS runtime's own differ (asserted by the test)."""
    protocol.init_remote_metadata_info(1)
    cases = (
        lambda: RemoteMetadata(4, [torch.Size([4])], [torch.int32], MemoryFormat.KV_2LTD).serialize(),
        lambda: RemoteMetadata.deserialize(bytes.fromhex("00000000010000000900000001000000010000000100000001000000")),
        lambda: RemoteMetadata.deserialize(b"x" * 10),
    )
    out = []
    for case in cases:
        a = answer(case)
        out.append([a["error"], a["message"]] if "error" in a else None)
    return out


def main():
    req = json.load(sys.stdin)
    reply = {
        "python": {
            "executable": sys.executable,
            "torch": torch.__version__,
            "lmcacheFile": lmcache.__file__,
            "kit": kit_compat.is_kit_lmcache(),
            "version": lmcache.__version__,
            "dtypes": list(kit_compat.KIT_DTYPES),
        },
        "keyStrings": [answer(lambda i=i: key_to_string(i)) for i in req["keys"]],
        "keyParses": [answer(lambda p=p: key_from_string(p["s"], p["layer"])) for p in req["keyParses"]],
        "eraStrings": [answer(lambda i=i: era_to_string(i)) for i in req["eraKeys"]],
        "eraParses": [answer(lambda p=p: era_from_string(p["s"], p["layout"], p["layer"])) for p in req["eraParses"]],
        "headers": [answer(lambda i=i: header_serialize(i)) for i in req["headers"]],
        "headerParses": [answer(lambda p=p: header_deserialize(p["hex"], p["groups"])) for p in req["headerParses"]],
        "chunkMeta": [answer(lambda i=i: chunk_meta(i)) for i in req["chunkMeta"]],
        "reshape": [answer(lambda i=i: reshape(i)) for i in req["reshape"]],
        "tokenDims": [answer(lambda n=n: MemoryFormat(n).token_dim()) for n in req["formats"]],
        "configDefaults": config_defaults(),
        "configViaSeam": config_via_seam(req["tsConfig"]),
        "divergences": divergences(),
        "urls": [answer(lambda u=u: url_fields(u)) for u in req["urls"]],
    }
    json.dump(reply, sys.stdout)


if __name__ == "__main__":
    main()
