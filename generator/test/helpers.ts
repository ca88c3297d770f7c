/** Shared test helpers: golden answers, tree reading (a redis-server: test/support/redis-server). */
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import type { PartialAnswers } from "../src/render/index.js";

/** The answers each golden tree is generated from (one per template and language). */
export const GOLDEN_ANSWERS: Record<string, PartialAnswers> = {
  memory: { name: "acme-store", template: "memory" },
  fs: { name: "acme-files", className: "AcmeFileStore", template: "fs", capabilities: ["batched", "removeSync"], loading: "plugin" },
  redis: { name: "@acme/redis-store", template: "redis", capabilities: ["batched", "ping", "removeSync"], ci: true },
  "python-memory": { language: "python", name: "acme-store", template: "memory", capabilities: ["ping"] },
  "python-fs": { language: "python", name: "acme-files", className: "AcmeFileStore", template: "fs", capabilities: ["batched", "removeSync"], loading: "plugin", ci: false },
  "python-redis": { language: "python", name: "acme-redis-store", template: "redis", capabilities: ["batched", "ping", "removeSync"], ci: true },
};

/** Every file under `dir` as relative POSIX path → bytes (sorted). */
export function readTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (sub: string): void => {
    for (const name of readdirSync(path.join(dir, sub)).sort()) {
      const rel = sub ? `${sub}/${name}` : name;
      if (statSync(path.join(dir, rel)).isDirectory()) walk(rel);
      else out.set(rel, readFileSync(path.join(dir, rel)));
    }
  };
  walk("");
  return out;
}
