/** The Python lane (ours): run the Python connector classes LMCache loads, through the same engine. */
export { findInterpreter, PythonSetupError, INSTALL_HINT, type PythonInterpreter } from "./interpreter";
export { connectorLanguage, languageSetting, pythonSearchRoots, resolvePythonModuleFile, pythonConnectorFile, installedPythonModuleFile, type ConnectorLanguage } from "./resolve";
export { createPythonConnector, probePythonClass, lmcacheSetting, runningBridges, stopBridges, type PythonLoadRequest } from "./host";
export { PythonDynamicConnectorAdapter } from "./plugin-adapter";
export { PythonRemoteConnector, type PythonConnectorInfo } from "./python-connector";
export type { PayloadTransport } from "./shared-arena";
export { PythonException, BridgeError, type PythonExceptionInfo } from "./errors";
export type { BridgeHello, LmcacheMode } from "./bridge-process";
export { kitPythonDir, findKitPythonDir } from "./kit-python-dir";
