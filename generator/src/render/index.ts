/**
 * generator-lmcache-connector/render: the renderer shared by `yo lmcache-connector` and the VS Code
 * extension's "New Connector" command. Same answers → byte-identical files.
 */
export * from "./answers.js";
export * from "./prompts.js";
export * from "./versions.js";
export { CONNECTOR_MERGED_FILES, renderProject, renderConnectorClass, resolveConnectorAnswers, type RenderedFiles, type ExistingProject, type ConnectorAnswers } from "./project.js";
export { connectorSource, type ConnectorSpec } from "./templates/connector-source.js";
export { vendoredRuntimePath, vendoredRuntimeTarball } from "./vendor.js";
