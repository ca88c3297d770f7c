/**
 * Every URL LMCache serves reaches an adapter: the kit's port, or a stand-in that applies the
 * upstream adapter's URL rules and then names LMCache's connector — never "No adapter found".
 */
import { beforeEach, describe, expect, it } from "vitest";
import { createConnector } from "../../src/connector/create-connector";
import { UPSTREAM_SCHEMES, upstreamSchemeFor } from "../../src/connector/upstream-schemes";
import { clearLogRecords, getLogRecords } from "../../src/logging";
import { makeBackend } from "./helpers";

beforeEach(() => clearLogRecords());

/** One URL each upstream adapter the kit does not port accepts (from LMCache's docs and examples). */
const SERVED_UPSTREAM: [string, string][] = [
  ["azure://lmcache-container", "AzureConnector"],
  ["benchmark://100/?peeking_latency=1&read_throughput=2&write_throughput=2", "BenchmarkConnector"],
  ["couchbase://cb.local:8091?bucket=kv", "CouchbaseConnector"],
  ["couchbases://cb.local:18091", "CouchbaseConnector"],
  ["cuobj+s3://bucket.s3.us-east-1.amazonaws.com", "CuObjectS3Connector"],
  ["eic://10.0.0.1:8888", "EICConnector"],
  ["hf3fs:///mnt/3fs/lmcache", "HF3fsConnector"],
  ["infinistore://127.0.0.1:12345?device=mlx5_0", "InfinistoreConnector"],
  ["lm://localhost:65432", "LMCServerConnector"],
  ["mooncakestore://127.0.0.1:50051", "MooncakestoreConnector"],
  ["redis-sentinel://user:pw@sentinel1:26379,sentinel2:26379", "RedisSentinelConnector"],
  ["redis-cluster://host1:7000,host2:7000", "RedisClusterConnector"],
  ["resp://127.0.0.1:6379", "RESPConnector"],
  ["s3://fakefile--use1-az4--x-s3.s3express-use1-az4.us-east-1.amazonaws.com", "S3Connector"],
  ["s3-rdma://bucket/prefix?endpoint=http://10.0.0.1:9000", "S3RdmaConnector"],
  ["sagemaker-hyperpod://127.0.0.1:9200", "SageMakerHyperPodConnector"],
  ["shmfile://localhost:0/dev/shm/lmcache?shm_name=kv", "ShmFileConnector"],
  ["valkey://127.0.0.1:6379", "ValkeyConnector"],
  ["plugin://gcs", "GCSConnector"],
  ["plugin://hf3fs.a", "HF3fsConnector"],
  ["plugin://mooncakestore", "MooncakestoreConnector"],
];

describe("URLs LMCache serves without a local port", () => {
  for (const [url, connector] of SERVED_UPSTREAM) {
    it(`${url} → ${connector}, no local implementation`, async () => {
      const b = makeBackend();
      const error = await createConnector(url, { localCpuBackend: b.backend, config: b.config, metadata: b.metadata }).then(
        () => null,
        (e: Error) => e,
      );
      expect(error).not.toBeNull();
      expect(error!.name).toBe("NotImplementedError");
      expect(error!.message).toContain(`with ${connector} (lmcache.v1.storage_backend.connector.`);
      expect(error!.message).toContain("the kit has no local implementation");
      expect(error!.message).not.toContain("No adapter found");
      expect(upstreamSchemeFor(url)!.connectorClass).toBe(connector);
    });
  }

  it("applies the upstream adapter's URL rules first, with LMCache's errors", async () => {
    const b = makeBackend();
    const make = (url: string) => createConnector(url, { localCpuBackend: b.backend, config: b.config });
    await expect(make("lm://localhost")).rejects.toMatchObject({ name: "AssertionError", message: "Invalid URL lm://localhost: missing port" });
    await expect(make("lm://localhost:99999")).rejects.toMatchObject({ name: "ValueError", message: "Port out of range 0-65535" });
    await expect(make("benchmark:///?x=1")).rejects.toThrow("benchmark connector requires capacity in GB as netloc, e.g. benchmark://100/?...");
    await expect(make("benchmark://ten/")).rejects.toMatchObject({
      name: "ValueError",
      message: "(\"Invalid capacity 'ten' for\", ' benchmark connector; must be an integer (GB).')",
    });
    await expect(make("infinistore://a:1,b:2")).rejects.toThrow("Only one host is supported for infinistore, but got ['infinistore://a:1', 'b:2']");
    await expect(make("redis-sentinel://s1:26379,s2")).rejects.toMatchObject({ name: "AssertionError", message: "Invalid URL redis-sentinel://s2: missing port" });
    await expect(make("azure:///")).rejects.toThrow("Azure url must include a container: azure://<container_name>");
    await expect(make("valkey://h:port")).rejects.toThrow("invalid literal for int() with base 10: 'port'");
    const chunkMeta = makeBackend({ save_chunk_meta: true });
    await expect(createConnector("resp://h:1", { localCpuBackend: chunkMeta.backend, config: chunkMeta.config })).rejects.toThrow(
      "save_chunk_meta must be False for RESP",
    );
  });

  it("discovers one adapter per upstream adapter class, in LMCache's order, and logs upstream class names", async () => {
    const b = makeBackend();
    await createConnector("memory://", { localCpuBackend: b.backend, config: b.config });
    const discovered = getLogRecords()
      .map((r) => /^Discovered adapter: (\w+)$/.exec(r.message)?.[1])
      .filter((n): n is string => n !== undefined);
    expect(discovered).toEqual(UPSTREAM_SCHEMES.map((e) => e.adapterClass));
    expect(discovered).toContain("RESPConnectorAdapter");
    const modules = UPSTREAM_SCHEMES.map((e) => e.adapterModule);
    expect([...modules].sort()).toEqual(modules); // pkgutil order
  });

  it("an unknown scheme is still LMCache's 'No adapter found'", async () => {
    const b = makeBackend();
    await expect(createConnector("nosuch://x", { localCpuBackend: b.backend })).rejects.toThrow("No adapter found for URL: nosuch://x");
  });
});
