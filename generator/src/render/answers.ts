/**
 * The answers a project is generated from, their defaults, and their validation (ours). Both
 * `yo lmcache-connector` and the VS Code extension's "New Connector" flow collect these, then
 * call `resolveAnswers` before anything is written, so a bad name is reported, not scaffolded.
 */

/**
 * The language the connector is written in: `python` = the class LMCache itself loads (a package
 * installable with `pip install -e .`), `typescript` = a class for the kit's TypeScript runtime.
 */
export const LANGUAGES = ["typescript", "python"] as const;
/** A connector language. */
export type Language = (typeof LANGUAGES)[number];

/** Connector templates: an in-process store (Map / dict), files on disk, or a real Redis server. */
export const TEMPLATES = ["memory", "fs", "redis"] as const;
/** A connector template. */
export type Template = (typeof TEMPLATES)[number];

/**
 * Optional `RemoteConnector` capabilities the generated class implements: `batched` =
 * `batchedGet`/`batchedPut`/`batchedContains`, `ping` = `supportPing`/`ping`, `removeSync`.
 */
export const CAPABILITIES = ["batched", "ping", "removeSync"] as const;
/** An optional capability. */
export type Capability = (typeof CAPABILITIES)[number];

/**
 * How LMCache loads the class: `external` = `remote_url: external://…` (deprecated upstream, due
 * for removal in LMCache v0.5.0, still the most used), `plugin` = the Remote Storage Plugin
 * Framework (`remote_storage_plugins` + `extra_config.remote_storage_plugin.<name>.*`).
 */
export const LOADING_STYLES = ["external", "plugin"] as const;
/** A loading style. */
export type LoadingStyle = (typeof LOADING_STYLES)[number];

/** Everything a project is generated from. */
export interface ProjectAnswers {
  /** What the connector is written in (the wizard's first question). */
  language: Language;
  /** npm package name (Python: the distribution name); the project folder is its unscoped part. */
  name: string;
  /** The connector class name (PascalCase identifier). */
  className: string;
  template: Template;
  /** Optional capabilities, kept in {@link CAPABILITIES} order. */
  capabilities: Capability[];
  loading: LoadingStyle;
  /** Whether to write `.github/workflows/ci.yml`. */
  ci: boolean;
}

/** Answers as collected: any field may be missing (then its default applies) or a raw string. */
export type PartialAnswers = { [K in keyof ProjectAnswers]?: ProjectAnswers[K] | string | string[] | boolean | undefined };

/** Thrown by {@link resolveAnswers}: `problems` holds one message per bad answer. */
export class InvalidAnswersError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "InvalidAnswersError";
  }
}

/** The default project name. */
export const DEFAULT_NAME = "my-lmcache-connector";

/** Default answers (the connector class name is derived from the project name). */
export const DEFAULTS: Omit<ProjectAnswers, "className" | "name"> = {
  language: "typescript",
  template: "memory",
  capabilities: [],
  loading: "external",
  ci: true,
};

const RESERVED = new Set(
  ("break case catch class const continue debugger default delete do else enum export extends false finally for function if " +
    "import in instanceof new null return super switch this throw true try typeof var void while with yield let static " +
    "implements interface package private protected public await arguments eval undefined NaN Infinity " +
    // Names the generated module imports or declares itself.
    "RemoteConnector CacheEngineKey ConnectorInit DType EventLoop LocalCPUBackend MemoryFormat MemoryObj StoredChunk Object Map Set Promise Error")
    .split(" "),
);

/** `acme-store` / `@acme/store` → the project folder (`acme-store` / `store`). */
export function projectFolder(name: string): string {
  return name.startsWith("@") ? name.slice(name.indexOf("/") + 1) : name;
}

/** `acme-store` → `AcmeStoreConnector` (the default class name for a project name). */
export function defaultClassName(name: string): string {
  const words = projectFolder(name).split(/[^A-Za-z0-9]+/).filter(Boolean);
  let base = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
  if (base === "" || /^[0-9]/.test(base)) base = "My" + base;
  return base.endsWith("Connector") ? base : base + "Connector";
}

/** `AcmeStoreConnector` → `acme_store_connector`: the module file under `src/` and the plugin name. */
export function moduleName(className: string): string {
  return className
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

/** The `external://` URL LMCache (and the kit's CLI) loads the class with, from the project root. */
export function externalUrl(className: string): string {
  return `external://host:0/src.${moduleName(className)}/?connector_name=${className}`;
}

/** Names a generated Python package must not take: they would shadow what the connector imports. */
const PYTHON_RESERVED_PACKAGES = new Set(["lmcache", "lmcache_connector_kit", "torch", "redis", "aiofiles", "pytest", "tests", "src", "test"]);

/** Python's keywords (a package or class named like one cannot be imported). */
const PYTHON_KEYWORDS = new Set(
  ("False None True and as assert async await break class continue def del elif else except finally for from global if " +
    "import in is lambda nonlocal not or pass raise return try while with yield").split(" "),
);

/** Names the generated Python module imports or declares itself (a class named so would clash). */
const PYTHON_RESERVED_CLASSES = new Set(["RemoteConnector", "RemoteMetadata", "CacheEngineKey", "MemoryObj", "MemoryFormat", "LocalCPUBackend", "Optional", "List"]);

/**
 * `acme-store` → `acme_store`: the import name of a generated Python package (the folder under
 * `src/`): the project folder, lower-cased, with every run of characters other than letters and
 * digits turned into one `_` (PEP 503 normalisation, then an identifier).
 */
export function pythonPackageName(name: string): string {
  return projectFolder(name).toLowerCase().replace(/[^a-z0-9]+/g, "_");
}

/** `acme_store.acme_store_connector`: the dotted module LMCache imports for a Python project. */
export function pythonModulePath(name: string, className: string): string {
  return `${pythonPackageName(name)}.${moduleName(className)}`;
}

/**
 * The `external://` URL LMCache (and the kit's CLI) loads a Python project's class with. The
 * module resolves once `src/` is importable: `pip install -e .`, or `PYTHONPATH=src`.
 */
export function pythonExternalUrl(name: string, className: string): string {
  return `external://host:0/${pythonModulePath(name, className)}/?connector_name=${className}`;
}

/** Problems a project name has only as a Python distribution and package (empty when fine). */
function pythonNameProblems(name: string): string[] {
  const quoted = JSON.stringify(name);
  if (name.startsWith("@")) return [`The project name ${quoted} is scoped: a Python distribution name cannot be (use e.g. ${JSON.stringify(projectFolder(name))}).`];
  const pkg = pythonPackageName(name);
  if (!/^[a-z_][a-z0-9_]*$/.test(pkg) || pkg.replace(/_/g, "") === "") {
    return [`The project name ${quoted} gives the Python package name ${JSON.stringify(pkg)}, which is not an identifier: start it with a letter.`];
  }
  if (PYTHON_KEYWORDS.has(pkg)) return [`The project name ${quoted} gives the Python package name ${JSON.stringify(pkg)}, a Python keyword.`];
  if (PYTHON_RESERVED_PACKAGES.has(pkg)) return [`The project name ${quoted} gives the Python package name ${JSON.stringify(pkg)}, which would shadow a package the connector or its tests import.`];
  return [];
}

/** Problems a class name has only in a Python module (empty when fine). */
export function pythonClassNameProblems(className: string): string[] {
  if (PYTHON_KEYWORDS.has(className) || PYTHON_RESERVED_CLASSES.has(className)) {
    return [`The connector class name ${JSON.stringify(className)} is reserved or clashes with a name the generated Python module uses.`];
  }
  return [];
}

/** Problems with an npm package name (empty when valid): npm's own rules, in plain words. */
export function packageNameProblems(name: unknown): string[] {
  if (typeof name !== "string" || name.trim() === "") return ["The project name must not be empty."];
  const problems: string[] = [];
  const quoted = JSON.stringify(name);
  if (name !== name.trim()) problems.push(`The project name ${quoted} must not start or end with spaces.`);
  if (name.length > 214) problems.push(`The project name ${quoted} is longer than npm's 214 characters.`);
  if (name !== name.toLowerCase()) problems.push(`The project name ${quoted} must be lower case (npm package names are).`);
  const scoped = /^@([^/]+)\/([^/]+)$/.exec(name);
  const parts = scoped ? [scoped[1]!, scoped[2]!] : [name];
  if (name.startsWith("@") && !scoped) problems.push(`The project name ${quoted} is not a valid scoped name (@scope/name).`);
  for (const part of parts) {
    if (/^[._]/.test(part)) problems.push(`The project name ${quoted} must not start with "." or "_".`);
    if (!/^[a-zA-Z0-9._~-]+$/.test(part)) {
      problems.push(`The project name ${quoted} may only contain letters, digits, "-", ".", "_" and "~" (npm package name rules).`);
    }
  }
  if (["node_modules", "favicon.ico"].includes(name)) problems.push(`The project name ${quoted} is reserved by npm.`);
  return [...new Set(problems)];
}

/** Problems with a connector class name (empty when valid). */
export function classNameProblems(className: unknown): string[] {
  if (typeof className !== "string" || className === "") return ["The connector class name must not be empty."];
  const quoted = JSON.stringify(className);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(className)) {
    return [`The connector class name ${quoted} must be an identifier of ASCII letters, digits and "_" (it goes into the URL's connector_name=).`];
  }
  if (!/^[A-Z]/.test(className)) return [`The connector class name ${quoted} must start with an upper-case letter (PascalCase, like LMCache's connectors).`];
  if (RESERVED.has(className)) return [`The connector class name ${quoted} is reserved or clashes with a name the generated module uses.`];
  return [];
}

/** Inquirer-style validator: `true` or the first problem. */
export function validateName(value: unknown): true | string {
  return packageNameProblems(value)[0] ?? true;
}

/** Inquirer-style validator: `true` or the first problem. */
export function validateClassName(value: unknown): true | string {
  return classNameProblems(value)[0] ?? true;
}

function toList(value: unknown): string[] | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === "string") return value.split(",").map((s) => s.trim()).filter(Boolean);
  return null;
}

function toBool(value: unknown): boolean | null {
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "yes" || value === "1") return true;
  if (value === "false" || value === "no" || value === "0") return false;
  return null;
}

/** Every problem with `answers` (defaults filled first); empty when they can be generated. */
export function validateAnswers(answers: PartialAnswers): string[] {
  try {
    resolveAnswers(answers);
    return [];
  } catch (error) {
    if (error instanceof InvalidAnswersError) return error.problems;
    throw error;
  }
}

/**
 * Fills defaults, normalises option strings (`"batched,ping"`, `"true"`) and validates. Throws
 * {@link InvalidAnswersError} listing every problem.
 */
export function resolveAnswers(answers: PartialAnswers): ProjectAnswers {
  const problems: string[] = [];
  // `--language py` / `ts` as the kit's CLI spells them; the answer is the full name.
  const language = answers.language === "py" ? "python" : answers.language === "ts" ? "typescript" : (answers.language ?? DEFAULTS.language);
  const python = language === "python";
  if (!(LANGUAGES as readonly unknown[]).includes(language)) {
    problems.push(`Unknown language ${JSON.stringify(language)}: choose ${LANGUAGES.join(" or ")}.`);
  }
  const name = answers.name === undefined || answers.name === "" ? DEFAULT_NAME : answers.name;
  const nameProblems = packageNameProblems(name);
  problems.push(...nameProblems);
  const nameStr = String(name);
  if (python && nameProblems.length === 0) problems.push(...pythonNameProblems(nameStr));
  const className = answers.className === undefined || answers.className === "" ? defaultClassName(nameStr) : answers.className;
  const classProblems = classNameProblems(className);
  problems.push(...classProblems);
  if (python && classProblems.length === 0) problems.push(...pythonClassNameProblems(String(className)));

  const template = answers.template ?? DEFAULTS.template;
  if (!(TEMPLATES as readonly unknown[]).includes(template)) {
    problems.push(`Unknown template ${JSON.stringify(template)}: choose one of ${TEMPLATES.join(", ")}.`);
  }
  const capsRaw = answers.capabilities === undefined ? [...DEFAULTS.capabilities] : toList(answers.capabilities);
  const capabilities: Capability[] = [];
  if (capsRaw === null) {
    problems.push(`Capabilities must be a list (or a comma-separated string) of ${CAPABILITIES.join(", ")}.`);
  } else {
    for (const cap of capsRaw) {
      if (!(CAPABILITIES as readonly string[]).includes(cap)) problems.push(`Unknown capability ${JSON.stringify(cap)}: choose from ${CAPABILITIES.join(", ")}.`);
    }
    capabilities.push(...CAPABILITIES.filter((c) => capsRaw.includes(c)));
  }
  const loading = answers.loading ?? DEFAULTS.loading;
  if (!(LOADING_STYLES as readonly unknown[]).includes(loading)) {
    problems.push(`Unknown loading style ${JSON.stringify(loading)}: choose external or plugin.`);
  }
  const ci = answers.ci === undefined ? DEFAULTS.ci : toBool(answers.ci);
  if (ci === null) problems.push(`"ci" must be true or false, got ${JSON.stringify(answers.ci)}.`);
  if (problems.length > 0) throw new InvalidAnswersError(problems);
  return {
    language: language as Language,
    name: nameStr,
    className: String(className),
    template: template as Template,
    capabilities,
    loading: loading as LoadingStyle,
    ci: ci as boolean,
  };
}
