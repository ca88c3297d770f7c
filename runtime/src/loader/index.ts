/** The kit's `importlib`: module paths → files, esbuild on the fly, connector brand and ABC checks. */
export { CONNECTOR_BRAND } from "./brand";
export * from "./connector-class";
export * from "./resolve";
export { classifyModuleName, isIdentifier, type ModuleNameKind } from "./module-name";
export { defaultCompileCacheDir, ensurePrivateDir, userCacheRoot } from "./cache-dir";
export { compileModule, formatBuildMessages, RUNTIME_PACKAGE, type CompiledModule } from "./compile";
export * from "./load-module";
