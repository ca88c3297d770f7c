/** Which scanner a file gets, from its name (or an explicit language id). */
import * as path from "node:path";

/** The document kinds the linter understands. */
export type LintLanguage = "yaml" | "json" | "env" | "typescript" | "python";

/** Language of a file, or null when the linter does not look at such files. */
export function detectLanguage(file: string, languageId?: string): LintLanguage | null {
  switch (languageId) {
    case "yaml": return "yaml";
    case "json": case "jsonc": return "json";
    case "env": case "dotenv": case "shellscript": case "shell": return "env";
    case "typescript": case "javascript": case "typescriptreact": case "javascriptreact": return "typescript";
    case "python": return "python";
  }
  const base = path.basename(file);
  if (base.startsWith(".env") || base.endsWith(".env")) return "env";
  const ext = path.extname(base).toLowerCase();
  if (ext === ".yaml" || ext === ".yml") return "yaml";
  if (ext === ".json") return "json";
  if (ext === ".sh" || ext === ".bash") return "env";
  if ([".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs", ".jsx"].includes(ext)) return "typescript";
  if (ext === ".py") return "python";
  return null;
}
