/**
 * Connector URL linting (ours, the kit's): a pure core shared by the `lmcache-connector lint`
 * command and the VS Code extension.
 */
export * from "./types";
export { ALL_LINT_CODES, LINT_CODES, lintCodeAnchor, type LintCodeInfo, type LintCodeKey } from "./codes";
export { lintDocument, forgetDocument, scanDocument, dependencyFiles } from "./linter";
export { detectLanguage, type LintLanguage } from "./language";
export { SKIPPED_FOLDERS, isWalkedFileName, isWalkedPath, walkLintableFiles, isConfigFile } from "./lint-files";
export { declaredPluginNames, pluginNamesForSources } from "./declared-plugins";
export { describeUrl, completeConnectorNames, completeModulePaths, findUrlLinks, type UrlDescription, type UrlLink } from "./editor";
export { clearModuleAnalysisCache } from "./modules/analysis-cache";
export { redactSecrets, redactUrl } from "../connector/redact";
export { LineIndex } from "./positions";
