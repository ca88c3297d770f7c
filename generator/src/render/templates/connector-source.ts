/** The generated `src/<module>.ts`: a working connector class for each template and capability set. */
import { type Capability, type Template, externalUrl, moduleName } from "../answers.js";

/** What one connector class is generated from. */
export interface ConnectorSpec {
  className: string;
  template: Template;
  capabilities: readonly Capability[];
}

const TEMPLATE_SUMMARY: Record<Template, string> = {
  memory: "keeps chunks in a Map inside the process",
  fs: "stores one file per chunk under a directory",
  redis: "stores chunks in a Redis server through node-redis",
};

function header(spec: ConnectorSpec): string {
  const mod = moduleName(spec.className);
  return `/**
 * ${spec.className}: an LMCache remote storage connector that ${TEMPLATE_SUMMARY[spec.template]}
 * (generated from the \`${spec.template}\` template of generator-lmcache-connector).
 *
 * LMCache loads it either from a URL (see lmcache/${mod}.yaml)
 *   remote_url: "${externalUrl(spec.className)}"
 * or through the Remote Storage Plugin Framework
 *   remote_storage_plugins: ["${mod}"]
 *   extra_config:
 *     remote_storage_plugin.${mod}.module_path: src.${mod}
 *     remote_storage_plugin.${mod}.class_name: ${spec.className}
 *
 * The rules LMCache relies on, which \`npm test\` (the conformance suite) checks:
 * - \`get\` returns a FRESH object from \`localCpuBackend.allocate(...)\` filled with the stored bytes,
 *   or \`null\` on a miss. If anything fails after allocating, release it (\`refCountDown()\`).
 * - \`put\` must NOT call \`obj.refCountDown()\`: LMCache releases the object after \`put\` settles.
 * - \`existsSync\`, \`removeSync\` and \`batchedContains\` are called synchronously.
 * - After \`close()\`, calls reject instead of hanging or succeeding.
 */
`;
}

function imports(spec: ConnectorSpec): string {
  const runtime = [
    "RemoteConnector",
    "RuntimeError",
    ...(spec.capabilities.includes("batched") ? ["ValueError"] : []),
    ...(spec.template === "memory" ? [] : ["RemoteMetadata", "getExtraConfigValue", "remoteMetadataBytes", "stripShapePadding"]),
    ...(spec.template === "redis" ? ["RedisSyncBridge", "redactUrl"] : []),
    "getLogger",
    "type CacheEngineKey",
    "type ConnectorInit",
    "type DType",
    "type EventLoop",
    "type LocalCPUBackend",
    "type MemoryFormat",
    "type MemoryObj",
  ];
  const node: Record<Template, string> = {
    memory: "",
    fs: `import { randomUUID } from "node:crypto";
import { mkdirSync, rmSync, statSync, writeFileSync${spec.capabilities.includes("removeSync") ? ", unlinkSync" : ""} } from "node:fs";
import * as fsp from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
`,
    redis: `import { RESP_TYPES, createClient } from "redis";
`,
  };
  return `${node[spec.template]}import {
${runtime.map((r) => `  ${r},`).join("\n")}
} from "lmcache-connector-runtime";
`;
}

const CHUNK_CODEC = `
/**
 * A stored chunk is LMCache's layout: its \`RemoteMetadata\` header (\`lmcache/v1/protocol.py\`;
 * little-endian int32s \`length, fmt, dtype code, shape[0..3]\` — 28 bytes for one group) followed
 * by the raw bytes, as LMCache's FSConnector and RedisConnector write it with the default
 * \`save_chunk_meta: true\`. (With \`save_chunk_meta: false\` LMCache stores the bytes alone and
 * re-allocates from \`meta_shapes\`; this template always writes the header, so \`get\` can restore
 * any shape.)
 */
function encodeChunk(obj: MemoryObj): Uint8Array {
  const bytes = obj.byteArray;
  const header = RemoteMetadata.forMemoryObj(obj);
  if (header.length !== bytes.length) throw new RuntimeError(\`object reports \${header.length} bytes but holds \${bytes.length}\`);
  const head = header.serialize();
  const out = new Uint8Array(head.length + bytes.length);
  out.set(head, 0);
  out.set(bytes, head.length);
  return out;
}

/**
 * Splits a stored chunk into its header and bytes; throws on anything truncated. The number of
 * groups follows from the sizes (header = stored size - payload length), so chunks of one-group and
 * multi-group models both read back. Shapes lose the 4-D padding for every format: LMCache keeps
 * \`[n, 0, 0, 0]\` for BINARY formats, which would allocate zero elements for \`n\` stored bytes.
 */
function decodeChunk(data: Uint8Array): { shapes: number[][]; dtypes: (DType | null)[]; fmt: MemoryFormat; bytes: Uint8Array } {
  if (data.length < remoteMetadataBytes(1)) throw new RuntimeError(\`stored chunk is truncated (\${data.length} bytes, less than a RemoteMetadata header)\`);
  const length = new DataView(data.buffer, data.byteOffset, 4).getInt32(0, true);
  const groups = ((data.length - length) / 4 - 2) / 5;
  if (length < 0 || !Number.isInteger(groups) || groups < 1) {
    throw new RuntimeError(\`stored chunk of \${data.length} bytes does not fit its header (payload length \${length})\`);
  }
  const header = RemoteMetadata.deserialize(data, groups);
  const shapes = header.shapes.map((shape) => stripShapePadding(shape));
  return { shapes, dtypes: header.dtypes, fmt: header.fmt, bytes: data.subarray(data.length - length) };
}
`;

const MEMORY_CHUNK = `
/** What is kept per chunk: a private copy of the bytes, and how \`get\` re-allocates the object. */
interface StoredChunk {
  bytes: Uint8Array;
  shapes: number[][];
  dtypes: (DType | null)[];
  fmt: MemoryFormat;
}
`;

const ALLOCATE_FILLED = `
  /** Allocates the object \`get\` returns and copies \`bytes\` in; releases it again if that fails. */
  private allocateFilled(shapes: number[][], dtypes: (DType | null)[], fmt: MemoryFormat, bytes: Uint8Array): MemoryObj | null {
    const single = shapes.length === 1;
    const obj = this.localCpuBackend.allocate(single ? shapes[0]! : shapes, (single ? dtypes[0] : dtypes) as DType | DType[], fmt);
    if (obj === null) {
      // The local CPU cache is full: a miss, as LMCache's own connectors report it.
      logger.warning("Failed to allocate memory during remote receive");
      return null;
    }
    try {
      if (obj.byteArray.length !== bytes.length) {
        throw new RuntimeError(\`allocated \${obj.byteArray.length} bytes for a \${bytes.length}-byte chunk\`);
      }
      obj.byteArray.set(bytes);
      return obj;
    } catch (error) {
      logger.error(\`Failed to read chunk: \${(error as Error).message}\`);
      obj.refCountDown(); // our own allocation: nobody else will release it
      return null;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new RuntimeError(\`\${this.constructor.name} is closed\`);
  }
`;

/** Fields every template's class declares first: what LMCache's connector constructor receives. */
const BASE_FIELDS = `  readonly loop: EventLoop;
  readonly localCpuBackend: LocalCPUBackend;
`;

/** The start of every template's constructor, as LMCache's connectors begin theirs. */
const BASE_INIT = `    // LMCache: super().__init__(local_cpu_backend.config, local_cpu_backend.metadata)
    super(localCpuBackend.config, localCpuBackend.metadata);
    this.loop = loop;
    this.localCpuBackend = localCpuBackend;
`;

/** The end of \`get\` for templates that store encoded chunks: \`data\` back into a fresh object, or a miss. */
const DECODE_STORED = `    try {
      const { shapes, dtypes, fmt, bytes } = decodeChunk(data);
      return this.allocateFilled(shapes, dtypes, fmt, bytes);
    } catch (error) {
      logger.error(\`Corrupt chunk for \${key.toString()}: \${(error as Error).message}\`);
      return null;
    }
`;

/** The helpers every class shares, its optional methods, and its closing brace. */
function classEnd(spec: ConnectorSpec): string {
  return `${ALLOCATE_FILLED}${optional(spec)}}
`;
}

function memoryClass(spec: ConnectorSpec): string {
  return `
/** ${spec.className}: see the module comment. */
export class ${spec.className} extends RemoteConnector {
${BASE_FIELDS}  /** Your store goes here: this Map stands in for the service the connector talks to. */
  private readonly store = new Map<string, StoredChunk>();
  private closed = false;

  constructor({ loop, localCpuBackend }: ConnectorInit) {
${BASE_INIT}    // Open your client here. LMCache passes no URL: read settings from config.extraConfig.
  }

  override async exists(key: CacheEngineKey): Promise<boolean> {
    return this.existsSync(key);
  }

  override existsSync(key: CacheEngineKey): boolean {
    this.assertOpen();
    return this.store.has(key.toString());
  }

  override async get(key: CacheEngineKey): Promise<MemoryObj | null> {
    this.assertOpen();
    const chunk = this.store.get(key.toString());
    if (chunk === undefined) return null;
    return this.allocateFilled(chunk.shapes, chunk.dtypes, chunk.fmt, chunk.bytes);
  }

  override async put(key: CacheEngineKey, obj: MemoryObj): Promise<void> {
    this.assertOpen();
    // Copy: obj's bytes belong to LMCache's CPU cache and are released after put settles.
    this.store.set(key.toString(), {
      bytes: obj.byteArray.slice(),
      shapes: obj.getShapes().map((shape) => [...shape]),
      dtypes: [...obj.getDtypes()],
      fmt: obj.getMemoryFormat(),
    });
  }

  override async list(): Promise<string[]> {
    this.assertOpen();
    return [...this.store.keys()];
  }

  override async close(): Promise<void> {
    // Close your client here; a second close() must be harmless.
    this.closed = true;
  }
${classEnd(spec)}`;
}

function fsClass(spec: ConnectorSpec): string {
  const mod = moduleName(spec.className);
  return `
/** extra_config key naming the directory chunks are stored in. */
export const BASE_PATH_KEY = "remote_storage_plugin.${mod}.base_path";

/** The directory used when \`BASE_PATH_KEY\` is not set. */
export const DEFAULT_BASE_PATH = path.join(os.tmpdir(), "${mod}");

/**
 * The file name stem of a key string. LMCache's FSConnector writes \`<key string>.data\` with "/"
 * replaced by "-SEP-" ("-" in older copies): "org/model" and "org-SEP-model" then share a file,
 * and its list() returns the escaped stems, not key strings. Here "%", "/" and control characters
 * are percent-encoded instead (and capitals too where the file system ignores case), so a usual
 * key's file name is exactly LMCache's, distinct keys never share a file, and list() gives back
 * every key string unchanged (the conformance suite checks both).
 */
export function fileStem(key: string, foldsCase = false): string {
  const unsafe = foldsCase ? /[%/\\x00-\\x1f\\x7fA-Z]/g : /[%/\\x00-\\x1f\\x7f]/g;
  return key.replace(unsafe, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0"));
}

/** The key string of a file name stem (the inverse of \`fileStem\`). */
export function keyOfStem(stem: string): string {
  return stem.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Whether \`dir\` is on a case-insensitive file system (macOS and Windows defaults). */
function foldsCase(dir: string): boolean {
  const name = \`.case-probe-\${randomUUID()}\`;
  const probe = path.join(dir, name);
  writeFileSync(probe, "");
  try {
    return statSync(path.join(dir, name.toUpperCase()), { throwIfNoEntry: false }) !== undefined;
  } finally {
    rmSync(probe, { force: true });
  }
}

/**
 * ${spec.className}: see the module comment. LMCache's FSConnector format: one file per chunk,
 * \`<base>/<key>.data\` = RemoteMetadata header + bytes, written to a temporary file and renamed.
 */
export class ${spec.className} extends RemoteConnector {
${BASE_FIELDS}  /** Your store goes here: this directory stands in for the service the connector talks to. */
  readonly basePath: string;
  private readonly foldsCase: boolean;
  private closed = false;

  constructor({ loop, localCpuBackend, config }: ConnectorInit) {
${BASE_INIT}    // LMCache passes no URL: settings come from config.extraConfig.
    const configured = getExtraConfigValue<string>(config, BASE_PATH_KEY, null);
    this.basePath = configured === null || configured === "" ? DEFAULT_BASE_PATH : String(configured);
    mkdirSync(this.basePath, { recursive: true });
    this.foldsCase = foldsCase(this.basePath);
    logger.info(\`${spec.className} stores chunks in \${this.basePath}\`);
  }

  /** Where \`key\` is stored: \`<base>/<fileStem(key)>.data\`. */
  filePath(key: CacheEngineKey): string {
    return path.join(this.basePath, fileStem(key.toString(), this.foldsCase) + ".data");
  }

  override async exists(key: CacheEngineKey): Promise<boolean> {
    this.assertOpen();
    try {
      await fsp.access(this.filePath(key));
      return true;
    } catch {
      return false;
    }
  }

  override existsSync(key: CacheEngineKey): boolean {
    this.assertOpen();
    return statSync(this.filePath(key), { throwIfNoEntry: false }) !== undefined;
  }

  override async get(key: CacheEngineKey): Promise<MemoryObj | null> {
    this.assertOpen();
    let data: Uint8Array;
    try {
      data = await fsp.readFile(this.filePath(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") logger.error(\`Failed to read \${key.toString()}: \${(error as Error).message}\`);
      return null;
    }
${DECODE_STORED}  }

  override async put(key: CacheEngineKey, obj: MemoryObj): Promise<void> {
    this.assertOpen();
    // Write a temporary file and rename it, so readers never see half a chunk. LMCache's temp file
    // is "<key>.tmp"; a unique name keeps two puts of the same key from writing one temp file.
    const file = this.filePath(key);
    const tmp = \`\${file}.\${randomUUID()}.tmp\`;
    try {
      await fsp.writeFile(tmp, encodeChunk(obj));
      await fsp.rename(tmp, file);
    } catch (error) {
      await fsp.rm(tmp, { force: true });
      throw error;
    }
  }

  /** Key strings of the stored chunks (LMCache lists the escaped file stems; see \`fileStem\`). */
  override async list(): Promise<string[]> {
    this.assertOpen();
    const names = await fsp.readdir(this.basePath);
    return names.filter((name) => name.endsWith(".data") && !name.startsWith(".")).map((name) => keyOfStem(name.slice(0, -".data".length)));
  }

  override async close(): Promise<void> {
    this.closed = true;
  }
${classEnd(spec)}`;
}

function redisClass(spec: ConnectorSpec): string {
  const mod = moduleName(spec.className);
  return `
/** extra_config keys naming the Redis URL, in order of precedence. */
export const URL_KEYS = ["remote_storage_plugin.${mod}.url", "redis_url"] as const;

/** Used when no URL key is set and the \`REDIS_URL\` environment variable is empty. */
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/** extra_config key of the prefix put before every Redis key (default \`lmcache:\`). */
export const KEY_PREFIX_KEY = "remote_storage_plugin.${mod}.key_prefix";

/** extra_config key: how long a synchronous call (existsSync, removeSync) waits for Redis, in ms. */
export const SYNC_TIMEOUT_KEY = "remote_storage_plugin.${mod}.sync_timeout_ms";

/** The Redis URL from \`config.extraConfig\` (see \`URL_KEYS\`), else \`$REDIS_URL\`, else \`DEFAULT_REDIS_URL\`. */
export function redisUrl(config: ConnectorInit["config"]): string {
  for (const key of URL_KEYS) {
    const value = getExtraConfigValue<string>(config, key, null);
    if (value !== null && value !== "") return String(value);
  }
  return process.env.REDIS_URL || DEFAULT_REDIS_URL;
}

function openClients(url: string) {
  // Give up after a few reconnects, so calls fail instead of waiting forever for a dead server.
  const base = createClient({ url, socket: { reconnectStrategy: (retries: number) => (retries >= 3 ? new Error(\`Redis at \${url} is unreachable\`) : 100) } });
  // The same connection, answering binary values as Buffers instead of strings.
  return { base, buffers: base.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }) };
}

/** Escapes Redis glob characters so the key prefix matches literally in SCAN. */
function globEscape(text: string): string {
  return text.replace(/[*?[\\]\\\\]/g, (c) => "\\\\" + c);
}

/**
 * ${spec.className}: see the module comment. Each chunk is ONE Redis string value under
 * \`<prefix><key string>\`: the RemoteMetadata header followed by the bytes. LMCache's
 * RedisConnector writes the same two parts under two keys (\`<key>metadata\`, \`<key>kv_bytes\`);
 * one value makes a put atomic, so a reader never finds a header without its bytes.
 *
 * \`existsSync\`${spec.capabilities.includes("removeSync") ? ", `removeSync`" : ""} ask the server, like \`exists\`: node-redis has no synchronous calls, so
 * they go through the runtime's RedisSyncBridge, a worker thread with its own connection that the
 * caller blocks on (at most \`SYNC_TIMEOUT_KEY\` ms, default 5000). LMCache calls \`exists_sync\`
 * from its worker threads when \`extra_config.use_exists_sync\` is set.
 */
export class ${spec.className} extends RemoteConnector {
${BASE_FIELDS}  readonly url: string;
  readonly keyPrefix: string;
  private readonly syncTimeoutMs: number;
  private readonly clients: ReturnType<typeof openClients>;
  private readonly ready: Promise<void>;
  /** The synchronous side, started on the first synchronous call. */
  private sync: RedisSyncBridge | null = null;
  private closed = false;

  constructor({ loop, localCpuBackend, config }: ConnectorInit) {
${BASE_INIT}    this.url = redisUrl(config);
    this.keyPrefix = String(getExtraConfigValue<string>(config, KEY_PREFIX_KEY, null) ?? "lmcache:");
    this.syncTimeoutMs = Number(getExtraConfigValue<number>(config, SYNC_TIMEOUT_KEY, null) ?? 5000);
    this.clients = openClients(this.url);
    this.clients.base.on("error", (error: Error) => logger.error(\`Redis \${this.url}: \${error.message}\`));
    this.ready = this.clients.base.connect().then(() => undefined);
    this.ready.catch(() => undefined); // reported by the call that awaits it
  }

  private redisKey(key: CacheEngineKey): string {
    return this.keyPrefix + key.toString();
  }

  /** Throws after close(); otherwise waits for the connection. */
  private async connection(): Promise<void> {
    this.assertOpen();
    await this.ready;
  }

  /** One blocking Redis command (throws a TimeoutError when the server does not answer in time). */
  private callSync(command: string, ...args: string[]): unknown {
    this.assertOpen();
    this.sync ??= new RedisSyncBridge({ url: this.url, socket: { connectTimeout: 2000 } }, redactUrl(this.url), this.syncTimeoutMs);
    return this.sync.call([command, ...args]);
  }

  override async exists(key: CacheEngineKey): Promise<boolean> {
    await this.connection();
    return (await this.clients.base.exists(this.redisKey(key))) === 1;
  }

  override existsSync(key: CacheEngineKey): boolean {
    return this.callSync("EXISTS", this.redisKey(key)) === 1;
  }

  override async get(key: CacheEngineKey): Promise<MemoryObj | null> {
    await this.connection();
    const data = await this.clients.buffers.get(this.redisKey(key));
    if (data === null) return null;
${DECODE_STORED}  }

  override async put(key: CacheEngineKey, obj: MemoryObj): Promise<void> {
    await this.connection();
    const value = encodeChunk(obj);
    await this.clients.base.set(this.redisKey(key), Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }

  override async list(): Promise<string[]> {
    await this.connection();
    const keys: string[] = [];
    for await (const batch of this.clients.base.scanIterator({ MATCH: globEscape(this.keyPrefix) + "*", COUNT: 500 })) {
      for (const redisKey of batch) keys.push(String(redisKey).slice(this.keyPrefix.length));
    }
    return [...new Set(keys)]; // SCAN may return a key twice while the keyspace grows
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.sync?.close();
    // Close gracefully, but a server that accepts connections and never answers must not hang
    // close(): after the sync timeout the socket is dropped.
    const graceful = this.ready.then(() => this.clients.base.close()).then(
      () => "closed",
      () => "failed",
    );
    const gaveUp = new Promise<string>((resolve) => setTimeout(resolve, this.syncTimeoutMs, "timeout").unref());
    if ((await Promise.race([graceful, gaveUp])) !== "closed") {
      try {
        this.clients.base.destroy();
      } catch {
        // already closed
      }
    }
  }
${classEnd(spec)}`;
}

function optional(spec: ConnectorSpec): string {
  let out = "";
  if (spec.capabilities.includes("batched")) {
    out += `
  override supportBatchedGet(): boolean {
    return true;
  }

  /**
   * One slot per key: the hits up to the first miss, then \`null\` for every later key. It stops
   * fetching at the first miss, so nothing is allocated that LMCache would not read (LMCache #2544).
   */
  override async batchedGet(keys: CacheEngineKey[]): Promise<(MemoryObj | null)[]> {
    const out: (MemoryObj | null)[] = [];
    let missed = false;
    for (const key of keys) {
      const obj = missed ? null : await this.get(key);
      if (obj === null) missed = true;
      out.push(obj);
    }
    return out;
  }

  override supportBatchedPut(): boolean {
    return true;
  }

  /** Same ownership rule as \`put\`: LMCache releases every object afterwards, not us. */
  override async batchedPut(keys: CacheEngineKey[], objs: MemoryObj[]): Promise<void> {
    if (keys.length !== objs.length) throw new ValueError(\`batchedPut got \${keys.length} keys but \${objs.length} objects\`);
    // Your store may have a bulk write (a pipeline, a multi-put): use it here.
    for (let i = 0; i < keys.length; i++) await this.put(keys[i]!, objs[i]!);
  }

  override supportBatchedContains(): boolean {
    return true;
  }

  /** How many leading keys are stored (LMCache's prefix rule). */
  override batchedContains(keys: CacheEngineKey[]): number {
    let hits = 0;
    while (hits < keys.length && this.existsSync(keys[hits]!)) hits++;
    return hits;
  }
`;
  }
  if (spec.capabilities.includes("ping")) {
    const body: Record<Template, string> = {
      memory: `    this.assertOpen();
    return 0; // your store's health check goes here: 0 = healthy, anything else = an error code`,
      fs: `    this.assertOpen();
    try {
      await fsp.access(this.basePath);
      return 0;
    } catch {
      return 1; // the directory is gone: LMCache's monitor switches to its fallback
    }`,
      redis: `    await this.connection();
    try {
      return (await this.clients.base.ping()) === "PONG" ? 0 : 1;
    } catch {
      return 1; // unreachable: LMCache's monitor switches to its fallback
    }`,
    };
    out += `
  override supportPing(): boolean {
    return true;
  }

  /** LMCache's health monitor: 0 means healthy, any other number is an error code. */
  override async ping(): Promise<number> {
${body[spec.template]}
  }
`;
  }
  if (spec.capabilities.includes("removeSync")) {
    const body: Record<Template, string> = {
      memory: `    this.assertOpen();
    return this.store.delete(key.toString());`,
      fs: `    this.assertOpen();
    try {
      unlinkSync(this.filePath(key));
      return true;
    } catch {
      return false;
    }`,
      redis: `    return this.callSync("DEL", this.redisKey(key)) === 1;`,
    };
    out += `
  /** Removes \`key\` synchronously (LMCache calls it on eviction); \`true\` when it was stored. */
  override removeSync(key: CacheEngineKey): boolean {
${body[spec.template]}
  }
`;
  }
  return out;
}

/** The source of \`src/<module>.ts\`. */
export function connectorSource(spec: ConnectorSpec): string {
  const mod = moduleName(spec.className);
  const body = spec.template === "memory" ? MEMORY_CHUNK + memoryClass(spec) : spec.template === "fs" ? CHUNK_CODEC + fsClass(spec) : CHUNK_CODEC + redisClass(spec);
  return `${header(spec)}${imports(spec)}
const logger = getLogger("${mod}");
${body}`;
}
