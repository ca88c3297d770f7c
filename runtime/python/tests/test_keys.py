# SPDX-License-Identifier: Apache-2.0
# Third Party
import pytest
import torch

# First Party
from lmcache.kit_compat import format_key, parse_key
from lmcache.utils import CacheEngineKey, LayerCacheEngineKey, parse_cache_key


def key(**kw):
    fields = dict(model_name="llama", world_size=2, worker_id=1, chunk_hash=0xABC, dtype=torch.bfloat16)
    fields.update(kw)
    return CacheEngineKey(**fields)


def test_exact_strings():
    assert key().to_string() == "llama@2@1@abc@bfloat16"
    assert key(chunk_hash=-26, dtype=torch.float16).to_string() == "llama@2@1@-1a@half"
    assert key(dtype=torch.float32).to_string() == "llama@2@1@abc@float"
    assert key(dtype=torch.float64).to_string() == "llama@2@1@abc@double"
    assert key(chunk_hash=b"\x01\xff").to_string() == "llama@2@1@01ff@bfloat16"
    tagged = key(request_configs={"lmcache.tag.user": "u1", "other": "x", "lmcache.tag.n": 3})
    assert tagged.to_string() == "llama@2@1@abc@bfloat16@user%u1@n%3"
    assert key().get_first_layer().to_string() == "llama@2@1@abc@bfloat16@0"
    assert tagged.split_layers(3)[2].to_string() == "llama@2@1@abc@bfloat16@2@user%u1@n%3"


def test_round_trip_and_identity():
    k = key(request_configs={"lmcache.tag.user": "u1"})
    back = CacheEngineKey.from_string(k.to_string())
    assert back == k and hash(back) == hash(k)
    assert back.request_configs == {"lmcache.tag.user": "u1"}
    layer = LayerCacheEngineKey.from_string("llama@2@1@abc@bfloat16@5@user%u1")
    assert layer.layer_id == 5 and layer.to_string() == "llama@2@1@abc@bfloat16@5@user%u1"
    assert parse_cache_key(layer.to_string()) == layer
    assert type(parse_cache_key(k.to_string())) is CacheEngineKey


def test_equality_rules():
    assert key(request_configs={"x": 1}) == key(request_configs={"y": 2})  # only tags count
    assert key(request_configs={"lmcache.tag.a": "1"}) != key(request_configs={"lmcache.tag.a": "2"})
    assert key() != key(dtype=torch.float16)
    assert key() != key().get_first_layer()  # type(self) is type(other)
    assert key().get_first_layer() != key().split_layers(2)[1]
    assert len({key(), key(), key(worker_id=0)}) == 2
    assert type(key().get_first_layer().with_new_worker_id(3)) is CacheEngineKey


@pytest.mark.parametrize(
    "text, exc, message",
    [
        ("a@1@0@ff", ValueError, "Invalid key string: a@1@0@ff"),
        ("a@1@0@zz@half", ValueError, "invalid literal for int() with base 16: 'zz'"),
        ("a@x@0@ff@half", ValueError, "invalid literal for int() with base 10: 'x'"),
        ("a@1@0@ff@fp4", KeyError, "'fp4'"),
        ("a@1@0@ff@half@notatag", ValueError, "Invalid key string: a@1@0@ff@half@notatag"),
        ("a@b@1@0@ff@half", ValueError, "Invalid key string: a@b@1@0@ff@half"),  # "@" in a model name
        ("a@b@1@0@ff", ValueError, "invalid literal for int() with base 10: 'b'"),
    ],
)
def test_from_string_errors(text, exc, message):
    with pytest.raises(exc) as info:
        CacheEngineKey.from_string(text)
    assert str(info.value) == message


def test_unsupported_dtype():
    with pytest.raises(ValueError, match="Unsupported dtype in CacheEngineKey: torch.complex64"):
        key(dtype=torch.complex64)


def test_to_dict_round_trip():
    k = key(request_configs={"lmcache.tag.a": "b", "plain": "c"})
    d = k.to_dict()
    assert d["request_configs"] == ["lmcache.tag.a%b", "plain%c"] and d["dtype"] == "bfloat16"
    assert CacheEngineKey.from_dict(d) == k


def test_older_layouts():
    fields = dict(model_name="m", world_size=1, worker_id=0, chunk_hash=255, fmt="vllm")
    assert format_key("2024", **fields) == "vllm@m@1@0@255"
    assert format_key("E1", **fields, request_configs={"lmcache.tag.t": "v"}) == "vllm@m@1@0@ff@t%v"
    assert format_key("E2", **fields, dtype=torch.float16, layer_id=2) == "vllm@m@1@0@ff@half@2"
    assert parse_key("vllm@m@1@0@ff@half@2", "E2", layer=True)["layer_id"] == 2
    assert parse_key("vllm@m@1@0@255", "2024")["chunk_hash"] == "255"
    with pytest.raises(ValueError, match="Invalid key string: vllm@m@1@0@255@x"):
        parse_key("vllm@m@1@0@255@x", "2024")
    with pytest.raises(ValueError, match="Unknown key layout: E9"):
        parse_key("x", "E9")
