/**
 * The brand that marks LMCache connector base classes. It is a registered symbol (`Symbol.for`),
 * so the subclass check holds even when a connector was compiled against a different copy of
 * `lmcache-connector-runtime` than the loader's — where `instanceof` would fail.
 */
export const CONNECTOR_BRAND: unique symbol = Symbol.for("lmcache-connector-runtime.RemoteConnector") as never;
