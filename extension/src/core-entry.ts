/**
 * The lazily loaded core (bundled as dist/lint-core.js, ~0.4 MB): the pure lint core plus the pieces
 * of static analysis and the conformance catalogue the extension needs. TypeScript is not in it:
 * extension/build.mjs binds `typescript` to a stand-in that requires the shared dist/typescript.js
 * on first use, i.e. when a TS/JS source is first scanned (linting YAML, JSON or .env never loads it).
 */
export * from "../../runtime/src/lint/index";
export { analyzeTsModule } from "../../runtime/src/lint/modules/ts-module";
export { classVerdict } from "../../runtime/src/lint/modules/module-info";
export { selectCases, caseInfo } from "../../runtime/src/conformance/engine";
export { pythonConnectorClasses } from "../../runtime/src/lint/modules/python-connector-classes";
export { parseExternalUrl } from "../../runtime/src/connector/external-url";
export { connectorLanguage } from "../../runtime/src/python/resolve";
export { findInterpreter } from "../../runtime/src/python/interpreter";
