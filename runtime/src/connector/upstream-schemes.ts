/**
 * Every URL scheme and plugin type LMCache's own adapters serve (`connector/*_adapter.py`, newest
 * upstream), with the URL rules each adapter applies before it builds its connector. One table for
 * the whole kit: the linter checks URLs against it, the connector manager uses it to tell a user
 * which LMCache connector serves a URL the kit cannot run locally, and `suggestScheme` draws its
 * did-you-mean candidates from it.
 *
 * A rule (`validate`) throws exactly what LMCache's adapter (and the parser it calls:
 * `parse_remote_url`, redis-py's `parse_url`, Python's `int`/`float`) would raise for the URL, with
 * the same error class name and text; it never connects anywhere.
 */
import { AssertionError, ValueError } from "../errors";
import { pyFloat, pyInt } from "../config/python-values";
import { netlocHostname, netlocPort, parseQsPython, parseRemoteUrl, pythonStrListRepr, pythonStrRepr, urlparsePython } from "./url";

/**
 * Settings a rule may read (the URL alone decides most rules). `extraConfig: undefined` means
 * "not known" (the linter looking at a URL in source code): rules that depend on it stay quiet.
 */
export interface UrlRuleContext {
  extraConfig?: Record<string, unknown> | null;
  /** `config.save_unfull_chunk` (undefined: not known). */
  saveUnfullChunk?: boolean;
}

/** One upstream adapter and what it claims. */
export interface UpstreamScheme {
  /** URL prefixes `can_parse` accepts (case-sensitive `startswith`), the adapter's schema first. */
  prefixes: readonly string[];
  /** Plugin types (`plugin://<type>[.instance]`) the adapter serves without module_path/class_name. */
  pluginTypes?: readonly string[];
  /** A `plugin://…` prefix the adapter claims by `startswith` (redis: `plugin://redis`). */
  pluginPrefix?: string;
  /** LMCache's adapter module file (discovery order is by this name) and class. */
  adapterModule: string;
  adapterClass: string;
  /** The connector class the adapter builds and its module. */
  connectorClass: string;
  connectorModule: string;
  /** True when the kit has a local port of this connector (`check`/`run`/`bench` can drive it). */
  kitImplements: boolean;
  /** Query keys the adapter (or the client it hands the URL to) reads. */
  queryKeys?: readonly string[];
  /** Throws LMCache's error for a URL this adapter would reject; returns quietly otherwise. */
  validate?: (url: string, ctx: UrlRuleContext) => void;
}

const CONNECTOR_PKG = "lmcache.v1.storage_backend.connector";

/** The adapters' `"Only one host is supported for <name>, but got [...]"` check. */
function singleHost(name: string, url: string): void {
  const hosts = url.split(",");
  if (hosts.length > 1) throw new ValueError(`Only one host is supported for ${name}, but got ${pythonStrListRepr(hosts)}`);
}

/** `parse_remote_url(url)`: host and port mandatory (`AssertionError`), bad port → `ValueError`. */
function remoteUrl(url: string): void {
  parseRemoteUrl(url);
}

/**
 * Sentinel / cluster adapters: strip `user:pass@` at the first `@`, split the rest on `,` and run
 * `parse_remote_url(schema + part)` on every part (each needs a host and a port).
 */
function multiHost(schema: string, url: string): void {
  let rest = url.slice(schema.length);
  const at = rest.indexOf("@");
  if (at >= 0) rest = rest.slice(at + 1);
  for (let sub of rest.split(",")) {
    if (!sub.startsWith(schema)) sub = schema + sub;
    parseRemoteUrl(sub);
  }
}

/** redis-py's `URL_QUERY_ARGUMENT_PARSERS` (typed query keys of `redis://` URLs). */
const REDIS_QUERY_PARSERS: Readonly<Record<string, "int" | "float" | "bool" | "list">> = {
  db: "int",
  socket_timeout: "float",
  socket_connect_timeout: "float",
  socket_keepalive: "bool",
  retry_on_timeout: "bool",
  retry_on_error: "list",
  max_connections: "int",
  health_check_interval: "int",
  ssl_check_hostname: "bool",
};

/**
 * redis-py `parse_url` as `ConnectionPool.from_url` runs it: typed query values must convert
 * (`ValueError("Invalid value for `<name>` in connection URL.")`), a port must be an integer in
 * 0-65535 (Python's `urlparse().port`); the port is optional (6379) and the `/db` path is read
 * with `int()` but ignored when it is not a number. Other query keys are passed on as connection
 * keyword arguments (redis-py rejects unknown ones on the first command).
 */
export function parseRedisUrl(url: string): { host: string | null; port: number | null; db: number | null; path: string | null; query: Record<string, string[]> } {
  const parsed = urlparsePython(url);
  const query = parseQsPython(parsed.query);
  for (const [name, values] of Object.entries(query)) {
    const kind = REDIS_QUERY_PARSERS[name];
    if (kind !== "int" && kind !== "float") continue;
    try {
      if (kind === "int") pyInt(values[0]);
      else pyFloat(values[0]);
    } catch {
      throw new ValueError(`Invalid value for \`${name}\` in connection URL.`);
    }
  }
  if (parsed.scheme === "unix") return { host: null, port: null, db: null, path: parsed.path || null, query };
  if (parsed.scheme !== "redis" && parsed.scheme !== "rediss") {
    throw new ValueError("Redis URL must specify one of the following schemes (redis://, rediss://, unix://)");
  }
  const port = netlocPort(parsed.netloc);
  const host = netlocHostname(parsed.netloc);
  let db: number | null = query.db ? pyInt(query.db[0]) : null;
  if (db === null && parsed.path) {
    try {
      db = pyInt(decodeURIComponent(parsed.path).replace(/\//g, ""));
    } catch {
      db = null;
    }
  }
  return { host, port, db, path: null, query };
}

/** `benchmark://<capacityGB>/?peeking_latency=&read_throughput=&write_throughput=` (like `mock://`). */
function capacityUrl(name: string, url: string): void {
  const parsed = urlparsePython(url);
  if (!parsed.netloc) throw new ValueError(`${name} connector requires capacity in GB as netloc, e.g. ${name}://100/?...`);
  try {
    pyInt(parsed.netloc);
  } catch {
    // LMCache passes two strings to ValueError: the message is a tuple repr.
    const parts = [`Invalid capacity '${parsed.netloc}' for`, ` ${name} connector; must be an integer (GB).`];
    throw new ValueError(`(${parts.map(pythonStrRepr).join(", ")})`);
  }
  const params = parsed.query ? parseQsPython(parsed.query) : {};
  for (const key of ["peeking_latency", "read_throughput", "write_throughput"]) {
    if (params[key]) pyFloat(params[key][0]);
  }
}

/**
 * The upstream adapters, in LMCache's discovery order (module file name), plus the kit's own
 * `memory://` (not upstream; marked by `adapterModule: "memory_adapter"`).
 */
export const UPSTREAM_SCHEMES: readonly UpstreamScheme[] = [
  {
    prefixes: ["audit://"], adapterModule: "audit_adapter", adapterClass: "AuditConnectorAdapter",
    connectorClass: "AuditConnector", connectorModule: "audit_connector", kitImplements: true, queryKeys: ["verify"],
  },
  {
    prefixes: ["azure://"], adapterModule: "azure_adapter", adapterClass: "AzureConnectorAdapter",
    connectorClass: "AzureConnector", connectorModule: "azure_connector", kitImplements: false,
    validate: (url) => {
      if (!stripSlashes(url.slice("azure://".length))) throw new ValueError("Azure url must include a container: azure://<container_name>");
    },
  },
  {
    prefixes: ["benchmark://"], adapterModule: "benchmark_adapter", adapterClass: "BenchmarkConnectorAdapter",
    connectorClass: "BenchmarkConnector", connectorModule: "benchmark_connector", kitImplements: false,
    queryKeys: ["peeking_latency", "read_throughput", "write_throughput"],
    validate: (url) => capacityUrl("benchmark", url),
  },
  {
    prefixes: ["blackhole://"], adapterModule: "blackhole_adapter", adapterClass: "BlackholeConnectorAdapter",
    connectorClass: "BlackholeConnector", connectorModule: "blackhole_connector", kitImplements: true,
  },
  {
    prefixes: ["couchbase://", "couchbases://"], adapterModule: "couchbase_adapter", adapterClass: "CouchbaseConnectorAdapter",
    connectorClass: "CouchbaseConnector", connectorModule: "couchbase_connector", kitImplements: false,
    queryKeys: ["bucket", "scope", "collection"], validate: remoteUrl,
  },
  {
    prefixes: ["cuobj+s3://"], adapterModule: "cuobject_s3_adapter", adapterClass: "CuObjectS3ConnectorAdapter",
    connectorClass: "CuObjectS3Connector", connectorModule: "cuobject_s3_connector", kitImplements: false,
  },
  {
    prefixes: ["eic://"], adapterModule: "eic_adapter", adapterClass: "EICConnectorAdapter",
    connectorClass: "EICConnector", connectorModule: "eic_connector", kitImplements: false,
  },
  {
    prefixes: ["external://"], adapterModule: "external_adapter", adapterClass: "ExternalConnectorAdapter",
    connectorClass: "(the class named by connector_name)", connectorModule: "(the module in the URL's path)", kitImplements: true,
    queryKeys: ["connector_name"],
  },
  {
    prefixes: ["fs://"], pluginTypes: ["fs"], adapterModule: "fs_adapter", adapterClass: "FsConnectorAdapter",
    connectorClass: "FSConnector", connectorModule: "fs_connector", kitImplements: true,
    // Legacy URL mode (no plugin name: every fs:// URL, and a plugin:// one given as remote_url).
    validate: (url) => {
      if (!urlparsePython(url).path) {
        throw new ValueError(`Invalid fs URL '${url}': no path. Expected fs://[host:port]/path, for example fs:///var/lmcache`);
      }
    },
  },
  {
    prefixes: [], pluginTypes: ["gcs"], adapterModule: "gcs_adapter", adapterClass: "GCSConnectorAdapter",
    connectorClass: "GCSConnector", connectorModule: "gcs_connector", kitImplements: false,
  },
  {
    prefixes: ["hf3fs://"], pluginTypes: ["hf3fs"], adapterModule: "hf3fs_adapter", adapterClass: "HF3fsConnectorAdapter",
    connectorClass: "HF3fsConnector", connectorModule: "hf3fs_connector", kitImplements: false,
  },
  {
    prefixes: ["infinistore://"], adapterModule: "infinistore_adapter", adapterClass: "InfinistoreConnectorAdapter",
    connectorClass: "InfinistoreConnector", connectorModule: "infinistore_connector", kitImplements: false,
    queryKeys: ["device"],
    validate: (url) => {
      singleHost("infinistore", url);
      remoteUrl(url);
    },
  },
  {
    prefixes: ["lm://"], adapterModule: "lm_adapter", adapterClass: "LMServerConnectorAdapter",
    connectorClass: "LMCServerConnector", connectorModule: "lm_connector", kitImplements: false, validate: remoteUrl,
  },
  {
    prefixes: ["memory://"], adapterModule: "memory_adapter", adapterClass: "MemoryConnectorAdapter",
    connectorClass: "MemoryConnector (the kit's own; not in LMCache)", connectorModule: "(none)", kitImplements: true,
  },
  {
    prefixes: ["mock://"], adapterModule: "mock_adapter", adapterClass: "MockConnectorAdapter",
    connectorClass: "MockConnector", connectorModule: "mock_connector", kitImplements: true,
    queryKeys: ["peeking_latency", "read_throughput", "write_throughput"],
  },
  {
    prefixes: ["mooncakestore://"], pluginTypes: ["mooncakestore"], adapterModule: "mooncakestore_adapter",
    adapterClass: "MooncakestoreConnectorAdapter", connectorClass: "MooncakestoreConnector",
    connectorModule: "mooncakestore_connector", kitImplements: false, queryKeys: ["device"],
    validate: (url) => {
      if (url.startsWith("plugin://")) return;
      singleHost("mooncakestore", url);
      remoteUrl(url);
    },
  },
  // redis_adapter.py holds four adapters; inspect.getmembers lists a module's classes by name
  // ("RESP…" < "RedisCluster…" < "RedisConnector…" < "RedisSentinel…").
  {
    prefixes: ["resp://"], adapterModule: "redis_adapter", adapterClass: "RESPConnectorAdapter",
    connectorClass: "RESPConnector", connectorModule: "redis_connector", kitImplements: false,
    validate: (url, ctx) => {
      const extra = ctx.extraConfig ?? {};
      if (extra["save_chunk_meta"]) throw new AssertionError("save_chunk_meta must be False for RESP");
      if (ctx.saveUnfullChunk) throw new AssertionError("save_unfull_chunk must be False for RESP");
      remoteUrl(url);
    },
  },
  {
    prefixes: ["redis-cluster://"], adapterModule: "redis_adapter", adapterClass: "RedisClusterConnectorAdapter",
    connectorClass: "RedisClusterConnector", connectorModule: "redis_connector", kitImplements: false,
    validate: (url) => multiHost("redis-cluster://", url),
  },
  {
    prefixes: ["redis://", "rediss://", "unix://"], pluginPrefix: "plugin://redis", adapterModule: "redis_adapter",
    adapterClass: "RedisConnectorAdapter", connectorClass: "RedisConnector", connectorModule: "redis_connector",
    kitImplements: true, queryKeys: Object.keys(REDIS_QUERY_PARSERS),
    validate: (url) => {
      if (!url.startsWith("plugin://")) parseRedisUrl(url);
    },
  },
  {
    prefixes: ["redis-sentinel://"], adapterModule: "redis_adapter", adapterClass: "RedisSentinelConnectorAdapter",
    connectorClass: "RedisSentinelConnector", connectorModule: "redis_connector", kitImplements: false,
    validate: (url) => multiHost("redis-sentinel://", url),
  },
  {
    prefixes: ["s3://"], adapterModule: "s3_adapter", adapterClass: "S3ConnectorAdapter",
    connectorClass: "S3Connector", connectorModule: "s3_connector", kitImplements: false,
  },
  {
    prefixes: ["s3-rdma://"], adapterModule: "s3_rdma_adapter", adapterClass: "S3RdmaConnectorAdapter",
    connectorClass: "S3RdmaConnector", connectorModule: "s3_rdma_connector", kitImplements: false,
    queryKeys: ["endpoint", "region", "profile", "max_parallel_requests", "max_segment_size"],
    validate: (url, ctx) => {
      const parsed = urlparsePython(url);
      if (!parsed.netloc) throw new ValueError("RDMA S3 URL must include a bucket name (netloc)");
      const query = parseQsPython(parsed.query);
      if (ctx.extraConfig === undefined) return;
      const extra = ctx.extraConfig;
      if (!query["endpoint"] && !(extra && ("endpoint" in extra || "s3_rdma_endpoint" in extra))) {
        throw new ValueError(
          "RDMA S3 connector requires an 'endpoint' parameter either in the URL query or LMCache extra_config under 's3_rdma_endpoint'.",
        );
      }
    },
  },
  {
    prefixes: ["sagemaker-hyperpod://"], adapterModule: "sagemaker_hyperpod_adapter", adapterClass: "SageMakerHyperPodConnectorAdapter",
    connectorClass: "SageMakerHyperPodConnector", connectorModule: "sagemaker_hyperpod_connector", kitImplements: false,
    validate: (url) => {
      if (!url.slice("sagemaker-hyperpod://".length)) {
        throw new AssertionError("SageMaker HyperPod URL must contain host information after 'sagemaker-hyperpod://'");
      }
    },
  },
  {
    prefixes: ["shmfile://"], adapterModule: "shmfile_adapter", adapterClass: "ShmFileConnectorAdapter",
    connectorClass: "ShmFileConnector", connectorModule: "shmfile_connector", kitImplements: false,
    queryKeys: ["shm_name", "worker_bin"], validate: remoteUrl,
  },
  {
    prefixes: ["valkey://"], adapterModule: "valkey_adapter", adapterClass: "ValkeyConnectorAdapter",
    connectorClass: "ValkeyConnector", connectorModule: "valkey_connector", kitImplements: false,
    validate: (url, ctx) => {
      if (ctx.extraConfig?.["valkey_mode"] === "cluster") {
        multiHost("valkey://", url);
        return;
      }
      if (ctx.extraConfig === undefined && url.includes(",")) return; // cluster mode not ruled out
      // Standalone: ValkeyConnector splits "host:port" at the first ':' and reads the port with int().
      const rest = url.slice("valkey://".length);
      const colon = rest.indexOf(":");
      if (colon >= 0) pyInt(rest.slice(colon + 1));
    },
  },
];

function stripSlashes(s: string): string {
  return s.replace(/^\/+|\/+$/g, "");
}

/** LMCache's `extract_plugin_type`. */
function pluginType(name: string): string {
  const dot = name.indexOf(".");
  return dot < 0 ? name : name.slice(0, dot);
}

/** Whether `entry`'s adapter `can_parse(url)`. */
export function entryClaims(entry: UpstreamScheme, url: string): boolean {
  if (entry.prefixes.some((p) => url.startsWith(p))) return true;
  if (entry.pluginPrefix && url.startsWith(entry.pluginPrefix)) return true;
  if (entry.pluginTypes && url.startsWith("plugin://")) {
    return entry.pluginTypes.includes(pluginType(url.slice("plugin://".length)));
  }
  return false;
}

/** The first upstream adapter that claims `url` (LMCache's first-match order), or null. */
export function upstreamSchemeFor(url: string): UpstreamScheme | null {
  return UPSTREAM_SCHEMES.find((e) => entryClaims(e, url)) ?? null;
}

/** Every URL prefix some built-in adapter claims (`plugin://` excluded). */
export const ALL_UPSTREAM_PREFIXES: readonly string[] = UPSTREAM_SCHEMES.flatMap((e) => e.prefixes);

/** Plugin types served by built-in adapters without module_path/class_name. */
export const BUILTIN_PLUGIN_TYPES: ReadonlySet<string> = new Set(UPSTREAM_SCHEMES.flatMap((e) => e.pluginTypes ?? []));

/** True when a built-in adapter serves `plugin://<name>` (type match, or redis's prefix claim). */
export function builtinServesPlugin(pluginName: string): boolean {
  const url = "plugin://" + pluginName;
  return UPSTREAM_SCHEMES.some((e) => entryClaims(e, url));
}

/** `lmcache.v1.storage_backend.connector.<module>` */
export function qualifiedModule(module: string): string {
  return module.startsWith("(") ? module : `${CONNECTOR_PKG}.${module}`;
}

/**
 * The error `createConnector` throws for a URL LMCache serves but the kit cannot run (ours):
 * names the LMCache adapter and connector, and says there is no local implementation.
 */
export function notImplementedLocallyMessage(entry: UpstreamScheme, shownUrl: string): string {
  return (
    `LMCache serves ${shownUrl} with ${entry.connectorClass} (${qualifiedModule(entry.connectorModule)}, ` +
    `built by ${entry.adapterClass}); the kit has no local implementation of it, so check/run/bench cannot drive it here. ` +
    `Run it inside LMCache, or point the kit at a store it implements (redis://, fs://, mock://, memory://, external://, plugin://<your plugin>).`
  );
}
