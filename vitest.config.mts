import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // The extension's unit tests run against a fake of the VS Code API (extension/test/fake-vscode).
    alias: [{ find: /^vscode$/, replacement: fileURLToPath(new URL("./extension/test/fake-vscode/index.ts", import.meta.url)) }],
  },
  test: {
    include: ["runtime/test/**/*.test.ts", "generator/test/**/*.test.ts", "extension/test/**/*.test.ts", "test/**/*.test.ts"],
    // Golden trees and fixture workspaces hold other projects' tests; those run inside their own projects.
    exclude: ["**/node_modules/**", "generator/test/golden/**", "test/fixtures/**", "runtime/test/fixtures/**"],
    reporters: ["default", "./test/support/plain-summary-reporter.mts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
