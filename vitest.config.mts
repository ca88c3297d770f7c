import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["runtime/test/**/*.test.ts", "generator/test/**/*.test.ts", "extension/test/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
