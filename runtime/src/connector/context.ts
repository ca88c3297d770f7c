/**
 * LMCache's `ConnectorContext` and `SafeLocalCPUBackend` (`connector/__init__.py`, Era C).
 */
import { AttributeError, RuntimeError } from "../errors";
import type { LMCacheEngineConfig } from "../config/engine-config";
import type { LMCacheMetadata } from "../metadata";
import { LocalCPUBackend } from "../storage-backend/local-cpu-backend";
import type { EventLoop } from "./event-loop";

const SAFE_ALLOCATE_MESSAGE =
  "SafeLocalCPUBackend.allocate() should never be called. " +
  "This indicates a bug where scheduler role is trying to allocate memory.";

/**
 * What LMCache substitutes for a missing `local_cpu_backend` (the scheduler role): a
 * `LocalCPUBackend` whose constructor sets NOTHING and whose `allocate` throws
 * `RuntimeError("SafeLocalCPUBackend.allocate() should never be called. …")`.
 * As in Python, reading `config` or `metadata` on it fails with `AttributeError`, and other
 * methods see an uninitialised backend. `toString()` is `"SafeLocalCPUBackend(dummy)"`.
 * Create it with `SafeLocalCPUBackend.create()` (the real constructor is never run).
 */
export class SafeLocalCPUBackend extends LocalCPUBackend {
  /** A backend object that skips `LocalCPUBackend`'s constructor, like Python's empty `__init__`. */
  static create(): SafeLocalCPUBackend {
    return Object.create(SafeLocalCPUBackend.prototype) as SafeLocalCPUBackend;
  }

  override allocate(..._args: unknown[]): never {
    throw new RuntimeError(SAFE_ALLOCATE_MESSAGE);
  }

  override allocateAsync(..._args: unknown[]): never {
    throw new RuntimeError(SAFE_ALLOCATE_MESSAGE);
  }

  override toString(): string {
    return "SafeLocalCPUBackend(dummy)";
  }
}

// Python's empty __init__ leaves these attributes unset: reading them raises AttributeError.
for (const attribute of ["config", "metadata", "memoryAllocator"]) {
  Object.defineProperty(SafeLocalCPUBackend.prototype, attribute, {
    configurable: true,
    get(): never {
      throw new AttributeError(`'SafeLocalCPUBackend' object has no attribute '${toSnakeCase(attribute)}'`);
    },
  });
}

function toSnakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());
}

/** Constructor options of `ConnectorContext` (LMCache's positional arguments, by name). */
export interface ConnectorContextOptions {
  url: string;
  loop: EventLoop;
  /** `null` = scheduler role: replaced by a `SafeLocalCPUBackend`. */
  localCpuBackend: LocalCPUBackend | null;
  config?: LMCacheEngineConfig | null;
  metadata?: LMCacheMetadata | null;
  /** Era C plugin instance name (`"fs"`, `"fs.primary"`), set when the URL is `plugin://<name>`. */
  pluginName?: string | null;
}

/** Everything an adapter gets to build a connector. */
export class ConnectorContext {
  readonly url: string;
  readonly loop: EventLoop;
  /** Never null: a `SafeLocalCPUBackend` stands in for a missing backend. */
  readonly localCpuBackend: LocalCPUBackend;
  readonly config: LMCacheEngineConfig | null;
  readonly metadata: LMCacheMetadata | null;
  readonly pluginName: string | null;

  constructor(options: ConnectorContextOptions) {
    this.url = options.url;
    this.loop = options.loop;
    this.localCpuBackend = options.localCpuBackend ?? SafeLocalCPUBackend.create();
    this.config = options.config ?? null;
    this.metadata = options.metadata ?? null;
    this.pluginName = options.pluginName ?? null;
  }

  /** Bytes of a full chunk (delegates to the backend, as LMCache does). */
  getFullChunkSizeBytes(): number {
    return this.localCpuBackend.getFullChunkSizeBytes();
  }
}
