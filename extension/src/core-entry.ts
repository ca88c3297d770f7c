/**
 * The lazily loaded core (bundled as dist/lint-core.js): the pure lint core plus the pieces of
 * static analysis and the conformance catalogue the extension needs. One file, so the TypeScript
 * parser is bundled once.
 */
export * from "../../runtime/src/lint/index";
export { analyzeTsModule } from "../../runtime/src/lint/modules/ts-module";
export { classVerdict } from "../../runtime/src/lint/modules/module-info";
export { selectCases, caseInfo } from "../../runtime/src/conformance/engine";
