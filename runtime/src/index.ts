/**
 * lmcache-connector-runtime: LMCache's remote connector layer in TypeScript.
 * Connector authors import `RemoteConnector`, `MemoryObj`, `CacheEngineKey` and friends from here.
 */
export * from "./errors";
export * from "./logging";
export * from "./memory/dtypes";
export * from "./memory/memory-format";
export * from "./memory/memory-obj";
export * from "./memory/allocator";
export * from "./keys/cache-engine-key";
export * from "./metadata";
export * from "./protocol/remote-metadata";
export * from "./storage-backend/cache-policy";
export * from "./storage-backend/local-cpu-backend";
export * from "./connector/url";
export { redactSecrets, redactUrl, REDACTED } from "./connector/redact";
export * from "./connector/external-url";
export * from "./config";
export * from "./loader";
export * from "./connector/event-loop";
export * from "./connector/base-connector";
export * from "./connector/context";
export * from "./connector/adapter";
export * from "./connector/dynamic-adapter";
export * from "./connector/external-adapter";
export * from "./connector/instrumented-connector";
export * from "./connector/manager";
export * from "./connector/create-connector";
export * from "./connector/adapters/memory-connector";
export * from "./connector/adapters/memory-adapter";
export * from "./connector/adapters/mock-connector";
export * from "./connector/adapters/mock-adapter";
export * from "./connector/adapters/blackhole-connector";
export * from "./connector/adapters/blackhole-adapter";
export * from "./connector/adapters/fs-connector";
export * from "./connector/adapters/fs-adapter";
export * from "./connector/adapters/audit-connector";
export * from "./connector/adapters/audit-adapter";
export * from "./lint";
export * from "./conformance/engine";
export { CaseFailure, CaseSkip, DEFAULT_CAPACITY_BYTES, type CaseResult, type ConformanceCase, type ConformanceSummary } from "./conformance/types";
export { renderReport, REPORT_FORMATS, type ReportFormat } from "./conformance/report";
export * from "./python";
