/** Lint knows every scheme and plugin type LMCache serves, with each adapter's URL rules. */
import { afterAll, describe, expect, it } from "vitest";
import { lintDocument } from "../../src/lint";
import { makeWorkspace, removeWorkspace } from "./helpers";

const ws = makeWorkspace();
afterAll(() => removeWorkspace(ws));

function lint(url: string, extra = ""): { code: string; message: string }[] {
  const text = `remote_url: "${url}"\n${extra}`;
  return lintDocument({ path: `${ws}/u${Math.random()}.yaml`, text }, { cwd: ws, env: {} }).map((d) => ({ code: d.code, message: d.message }));
}
const codes = (url: string, extra = "") => lint(url, extra).map((d) => d.code);

describe("URLs LMCache's adapters accept lint clean", () => {
  const good = [
    "redis://localhost:6379",
    "redis://localhost",
    "rediss://redis.example.com:6380/0",
    "unix:///tmp/redis.sock",
    "redis-sentinel://sentinel1:26379,sentinel2:26379",
    "redis-cluster://host1:7000,host2:7000,host3:7000",
    "resp://127.0.0.1:6379",
    "valkey://127.0.0.1:6379",
    "lm://localhost:65432",
    "infinistore://127.0.0.1:12345?device=mlx5_0",
    "mooncakestore://127.0.0.1:50051",
    "benchmark://100/?peeking_latency=1&read_throughput=2&write_throughput=2",
    "mock://100/?peeking_latency=1&read_throughput=2&write_throughput=2",
    "blackhole://",
    "audit://localhost:8080?verify=true",
    "fs:///tmp/lmcache",
    "s3://fakefile--use1-az4--x-s3.s3express-use1-az4.us-east-1.amazonaws.com",
    "s3-rdma://bucket/prefix?endpoint=http://10.0.0.1:9000",
    "cuobj+s3://bucket.s3.us-east-1.amazonaws.com",
    "azure://lmcache",
    "couchbase://cb.local:8091?bucket=kv",
    "shmfile://localhost:0/dev/shm/lmcache?shm_name=kv",
    "hf3fs:///mnt/3fs/lmcache",
    "sagemaker-hyperpod://127.0.0.1:9200",
    "eic://10.0.0.1:8888",
  ];
  for (const url of good) it(url, () => expect(lint(url)).toEqual([]));

  it("built-in plugin types need no module_path/class_name (fs, gcs, hf3fs, mooncakestore, redis prefix)", () => {
    for (const p of ["fs", "gcs", "hf3fs.a", "mooncakestore", "redis", "redis.backup"]) {
      expect(codes("blackhole://", `remote_storage_plugins: [${p}]\n`), p).toEqual([]);
      if (p !== "fs") expect(codes(`plugin://${p}`, `remote_storage_plugins: [${p}]\n`), p).toEqual([]);
    }
  });
});

describe("URLs LMCache's adapters reject are caught, with LMCache's texts", () => {
  it("a bad port on redis:// and lm://", () => {
    expect(lint("redis://localhost:abc")).toEqual([{ code: "LMC006", message: "Port could not be cast to integer value as 'abc'" }]);
    expect(codes("rediss://h:65536")).toEqual(["LMC006"]);
    expect(codes("lm://localhost:99999")).toEqual(["LMC006"]);
    expect(lint("lm://localhost")).toEqual([{ code: "LMC005", message: "Invalid URL lm://localhost: missing port" }]);
  });
  it("hosts and ports of every sentinel/cluster member, single host for infinistore/mooncakestore", () => {
    expect(codes("redis-sentinel://s1:26379,s2")).toEqual(["LMC005"]);
    expect(codes("infinistore://a:1,b:2")).toEqual(["LMC003"]);
    expect(codes("mooncakestore://a:1,b:2")).toEqual(["LMC003"]);
    expect(codes("shmfile:///dev/shm/x")).toEqual(["LMC004"]);
  });
  it("typed values: benchmark capacity, redis-py query parsers, valkey port", () => {
    expect(codes("benchmark://ten/")).toEqual(["LMC009"]);
    expect(lint("redis://h:1?socket_timeout=soon")).toEqual([{ code: "LMC009", message: "Invalid value for `socket_timeout` in connection URL." }]);
    expect(codes("valkey://h:port")).toEqual(["LMC009"]);
    expect(codes("azure:///")).toEqual(["LMC009"]);
  });
  it("an unknown scheme is still LMC002 with a suggestion drawn from the same table", () => {
    const [d] = lint("valkei://h:1");
    expect(d!.code).toBe("LMC002");
    expect(d!.message).toContain("did you mean 'valkey://'?");
  });
});

describe("remote_url: plugin://… takes LMCache's legacy path (no plugin name)", () => {
  it("plugin://fs fails like the fs adapter does in legacy URL mode; fs:// without a path too", () => {
    const [d] = lint("plugin://fs", "remote_storage_plugins: [fs]\n");
    expect(d!.code).toBe("LMC009");
    expect(d!.message).toContain("Invalid fs URL 'plugin://fs': no path.");
    expect(d!.message).toContain("legacy path");
    expect(codes("fs://")).toEqual(["LMC009"]);
  });
  it("a plugin:// URL in source code is not the legacy path (the kit's harness passes the name)", () => {
    const text = `const url = "plugin://fs";\n`;
    expect(lintDocument({ path: `${ws}/src/p${Math.random()}.ts`, text }, { cwd: ws, env: {}, remoteStoragePlugins: ["fs"] })).toEqual([]);
  });
});

describe("remote_url rules that depend on the rest of the config", () => {
  it("resp:// with save_chunk_meta or save_unfull_chunk true is LMC025 on remote_url, with the RESP adapter's assertion", () => {
    const meta = lint("resp://127.0.0.1:6379", "extra_config:\n  save_chunk_meta: true\n");
    expect(meta.map((d) => d.code)).toEqual(["LMC025"]);
    expect(meta[0]!.message).toContain("AssertionError: save_chunk_meta must be False for RESP");
    expect(codes("resp://127.0.0.1:6379", "save_unfull_chunk: true\n")).toEqual(["LMC025"]);
    expect(codes("resp://127.0.0.1:6379", "save_unfull_chunk: false\nextra_config:\n  save_chunk_meta: False\n")).toEqual([]);
  });
});
