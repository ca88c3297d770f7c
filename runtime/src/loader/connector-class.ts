/**
 * Python's `issubclass(cls, RemoteConnector)` and ABC instantiation check, done by brand rather
 * than `instanceof` so that they hold across different copies of `lmcache-connector-runtime`.
 */
import { TypeError } from "../errors";
import { CONNECTOR_BRAND } from "./brand";

/** The methods a concrete `RemoteConnector` must implement (LMCache's `@abstractmethod`s). */
export const ABSTRACT_CONNECTOR_METHODS = ["exists", "existsSync", "get", "put", "list", "close"] as const;

/**
 * True when `value` is a class whose constructor chain (itself, its parent class, …) includes a
 * class carrying the static `CONNECTOR_BRAND` — i.e. `RemoteConnector` or a subclass of it, from
 * any copy of the runtime. Like Python's `issubclass`, the base class itself counts.
 */
export function isRemoteConnectorClass(value: unknown): value is abstract new (...args: never[]) => object {
  if (typeof value !== "function" || value.prototype === undefined) return false;
  for (let c: unknown = value; typeof c === "function" && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    if (Object.prototype.hasOwnProperty.call(c, CONNECTOR_BRAND) && (c as unknown as Record<symbol, unknown>)[CONNECTOR_BRAND]) return true;
  }
  return false;
}

/**
 * The abstract methods `cls` leaves unimplemented, sorted like Python's ABC message. TypeScript
 * does not emit `abstract` methods, so a method counts as implemented when some class in the chain
 * puts a function of that name on its prototype.
 */
export function missingAbstractMethods(cls: Function): string[] {
  const proto = (cls as { prototype?: Record<string, unknown> }).prototype;
  return ABSTRACT_CONNECTOR_METHODS.filter((name) => typeof proto?.[name] !== "function").sort();
}

/**
 * Python 3.11's `TypeError` for instantiating an abstract class:
 * "Can't instantiate abstract class X with abstract methods a, b" ("method" when only one).
 */
export function abstractMethodsError(cls: Function, missing: readonly string[] = missingAbstractMethods(cls)): TypeError {
  const names = [...missing].sort();
  const plural = names.length === 1 ? "" : "s";
  return new TypeError(`Can't instantiate abstract class ${cls.name || "<anonymous>"} with abstract method${plural} ${names.join(", ")}`);
}
