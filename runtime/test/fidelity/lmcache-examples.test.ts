/**
 * LMCache's own example configs (`examples/**.yaml` in LMCache/LMCache), written out here from
 * their contents — not copied files — and run through the kit: `lint` reports no error on any of
 * them (warnings only where LMCache itself warns: keys it does not know), the runtime's loader
 * reads every one, and every remote_url reaches an adapter (the kit's port, or the stand-in that
 * names LMCache's connector) — never "No adapter found".
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lintDocument } from "../../src/lint";
import { loadConfigFromFile } from "../../src/config/load";
import { upstreamSchemeFor } from "../../src/connector/upstream-schemes";

interface Example {
  /** Where it lives in LMCache/LMCache. */
  path: string;
  lines: string[];
  /** Keys LMCache warns "Unknown configuration key" about (so LMC026 is right, not false). */
  unknownKeys?: string[];
}

const EXAMPLES: Example[] = [
  {
    path: "examples/kv_cache_reuse/remote_backends/benchmark/example.yaml",
    lines: ["chunk_size: 256", "local_cpu: False", "max_local_cpu_size: 10", 'remote_url: "benchmark://100/?peeking_latency=1&read_throughput=2&write_throughput=2"'],
  },
  {
    path: "examples/kv_cache_reuse/remote_backends/resp/resp.yaml",
    lines: [
      "chunk_size: 256", "local_cpu: false", "max_local_cpu_size: 20.0", 'remote_url: "resp://localhost:6379"',
      "async_loading: false # LMCache RESP also support async loading", 'remote_serde: "naive"', "blocking_timeout_secs: 120",
      "extra_config:", "  resp_num_threads: 8 # default is 8 if not specified", "  save_chunk_meta: False # make sure we have fixed size payloads",
      '  username: "default"', '  password: "YOUR_REDIS_PASSWORD"',
    ],
    unknownKeys: ["async_loading"],
  },
  {
    path: "examples/kv_cache_reuse/remote_backends/s3/example.yaml",
    lines: [
      "chunk_size: 256", "local_cpu: False", "max_local_cpu_size: 10", "save_unfull_chunk: False", "",
      'remote_url: "s3://{BUCKET_NAME}.s3express-{AZ_ID}.{REGION}.amazonaws.com"', 'remote_serde: "naive"', "", "blocking_timeout_secs: 100", "",
      "extra_config:", "  s3_num_io_threads: 64", "  s3_prefer_http2: True", '  s3_region: "{REGION}"', "  s3_enable_s3express: True",
      '  aws_access_key_id: "{AWS_ACCESS_KEY_ID}"', '  aws_secret_access_key: "{AWS_SECRET_ACCESS_KEY}"',
    ],
  },
  {
    path: "examples/kv_cache_reuse/remote_backends/tigris/example.yaml",
    lines: [
      "chunk_size: 256", "local_cpu: False", "max_local_cpu_size: 10", "save_unfull_chunk: False", "", 'remote_url: "s3://{BUCKET_NAME}.t3.storage.dev"',
      'remote_serde: "naive"', "", "blocking_timeout_secs: 100", "", "extra_config:", "  save_chunk_meta: False", "  s3_num_io_threads: 64",
      "  s3_prefer_http2: True", '  s3_region: "auto"', "  s3_enable_s3express: False",
    ],
  },
  {
    path: "examples/storage_backends/cpu_redis.yaml",
    lines: ["chunk_size: 256", 'local_device: "cpu"', 'remote_url: "redis://localhost:65432"', 'remote_serde: "cachegen"', "", "# Whether retrieve() is pipelined or not", "pipelined_backend: False"],
    unknownKeys: ["local_device", "pipelined_backend"],
  },
  {
    path: "examples/kv_cache_reuse/share_across_instances/centralized_sharing/example.yaml",
    lines: ["chunk_size: 256", 'local_device: "cpu"', 'remote_url: "lm://localhost:65432"', 'remote_serde: "cachegen"', "", "pipelined_backend: False"],
    unknownKeys: ["local_device", "pipelined_backend"],
  },
  {
    path: "examples/experimental/storage_backends/mooncakestore/backend_type.yaml",
    lines: ["chunk_size: 256", 'remote_url: "mooncakestore://127.0.0.1:50051"'],
  },
  { path: "examples/example.yaml", lines: ["chunk_size: 256", 'local_device: "cpu"', 'remote_url: "lm://localhost:65432"'], unknownKeys: ["local_device"] },
  {
    path: "examples/blend_kv_v1/blending.yaml",
    lines: ["chunk_size: 256", "enable_blending: true", "use_layerwise: true", "local_cpu: true", "max_local_cpu_size: 5", 'blend_special_str: " # # "'],
  },
  {
    path: "examples/cache_by_tags/example.yaml",
    lines: ["chunk_size: 256", 'local_device: "cpu"', "local_cpu: True", "max_local_cpu_size: 10", "extra_config:", '  tag_keys: ["user"]'],
    unknownKeys: ["local_device"],
  },
  {
    path: "examples/disk_offline_inference/example.yaml",
    lines: ["chunk_size: 256", 'local_device: "file:///local/qinyuyang2003/local_disk/"', '# local_device: "disk_url://localhost:4322"', "pipelined_backend: False"],
    unknownKeys: ["local_device", "pipelined_backend"],
  },
  // From CreateConnector's docstring examples (connector/__init__.py) and the redis adapter's tests.
  { path: "(docstring) redis", lines: ["chunk_size: 256", 'remote_url: "redis://localhost:6379"'] },
  { path: "(docstring) rediss", lines: ['remote_url: "rediss://user:password@redis.example.com:6380/0"'] },
  { path: "(tests) unix socket", lines: ['remote_url: "unix:///tmp/redis.sock"'] },
  { path: "(docstring) sentinel", lines: ['remote_url: "redis-sentinel://user:password@sentinel1:26379,sentinel2:26379/mymaster"'] },
  { path: "(docstring) infinistore", lines: ['remote_url: "infinistore://127.0.0.1:12345?device=mlx5_0"'] },
  { path: "(docstring) blackhole", lines: ['remote_url: "blackhole://"'] },
  { path: "(docstring) audit", lines: ['remote_url: "audit://localhost:8080?verify=true"', "extra_config:", '  audit_actual_remote_url: "lm://localhost:65432"'] },
  { path: "(docstring) fs", lines: ['remote_url: "fs:///tmp/lmcache"'] },
  { path: "(docstring) mock", lines: ['remote_url: "mock://100/?peeking_latency=1&read_throughput=2&write_throughput=2"'] },
  { path: "(plugin framework) fs plugin", lines: ["remote_storage_plugins: [fs]", "extra_config:", "  remote_storage_plugin.fs.base_path: /tmp/lmcache"] },
];

const dir = mkdtempSync(join(tmpdir(), "lmcache-examples-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("LMCache's own example configs", () => {
  EXAMPLES.forEach((ex, i) => {
    it(ex.path, () => {
      const file = join(dir, `example-${i}.yaml`);
      const text = ex.lines.join("\n") + "\n";
      writeFileSync(file, text);
      const diagnostics = lintDocument({ path: file, text }, { cwd: dir, env: {} });
      // Credentials in a URL (LMC017) are a warning of ours that LMCache's docstring examples do carry.
      expect(diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`)).toEqual([]);
      const unknown = diagnostics.filter((d) => d.code === "LMC026").map((d) => /Unknown configuration key: (\S+)/.exec(d.message)?.[1]);
      expect(unknown).toEqual(ex.unknownKeys ?? []);
      const config = loadConfigFromFile(file); // the runtime reads it as LMCache does
      if (config.remoteUrl) expect(upstreamSchemeFor(config.remoteUrl), config.remoteUrl).not.toBeNull();
    });
  });

  it("the deliberately broken variants are caught (the suite can fail)", () => {
    const broken = [
      ['remote_url: "redis://localhost:6379x"', "LMC006"],
      ['remote_url: "lm://localhost"', "LMC005"],
      ['remote_url: "benchmark://lots/"', "LMC009"],
      ['chunk_size: 256\nmax_local_cpu_size: "10GB"', "LMC025"],
      ["chunk_size: 256\nremote_serde: safetensor", "LMC025"],
    ] as const;
    for (const [text, code] of broken) {
      const codes = lintDocument({ path: join(dir, `broken-${code}-${Math.random()}.yaml`), text: text + "\n" }, { cwd: dir, env: {} }).map((d) => d.code);
      expect(codes, text).toContain(code);
    }
  });
});
