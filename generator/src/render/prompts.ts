/**
 * The questions of "new connector project", shared by `yo lmcache-connector` (as inquirer
 * questions and yeoman options) and the VS Code extension (as QuickPick/InputBox steps).
 */
import {
  CAPABILITIES,
  DEFAULTS,
  DEFAULT_NAME,
  type Capability,
  type Language,
  type LoadingStyle,
  type ProjectAnswers,
  type Template,
  defaultClassName,
  validateClassName,
  validateName,
} from "./answers.js";

/** One choice of a list or checkbox prompt. */
export interface PromptChoice<V extends string = string> {
  value: V;
  label: string;
  description: string;
}

/** One question. `default` may depend on earlier answers (the class name on the project name). */
export interface PromptSpec {
  /** The answer key, also the yeoman option name (`--name`, `--class-name` for `className`). */
  name: keyof ProjectAnswers;
  /** The yeoman option spelling. */
  option: string;
  kind: "input" | "list" | "checkbox" | "confirm";
  message: string;
  /** One line for `--help`. */
  description: string;
  choices?: PromptChoice[];
  default: (earlier: Partial<ProjectAnswers>) => string | boolean | string[];
  /** Inquirer-style: `true` or the message to show. */
  validate?: (value: unknown) => true | string;
}

const LANGUAGE_CHOICES: PromptChoice<Language>[] = [
  { value: "typescript", label: "TypeScript", description: "A class for the kit's TypeScript runtime of LMCache's connector layer." },
  { value: "python", label: "Python", description: "The class LMCache itself loads: a pip-installable package, tested with pytest." },
];

const TEMPLATE_CHOICES: PromptChoice<Template>[] = [
  { value: "memory", label: "memory", description: "An in-process store (a Map, a dict): the smallest correct connector." },
  { value: "fs", label: "fs", description: "One file per chunk under a directory, in LMCache's FSConnector format, written atomically." },
  { value: "redis", label: "redis", description: "A real Redis server (node-redis; for Python, redis-py's asyncio client)." },
];

const CAPABILITY_CHOICES: PromptChoice<Capability>[] = [
  { value: "batched", label: "batched get/put", description: "batchedGet, batchedPut and batchedContains, with LMCache's prefix rules." },
  { value: "ping", label: "ping", description: "supportPing/ping for LMCache's health monitor." },
  { value: "removeSync", label: "removeSync", description: "Synchronous removal when LMCache evicts or invalidates a chunk." },
];

const LOADING_CHOICES: PromptChoice<LoadingStyle>[] = [
  { value: "external", label: "external:// URL", description: "remote_url: external://host:0/<module>/?connector_name=<Class>" },
  { value: "plugin", label: "remote_storage_plugins", description: "The Remote Storage Plugin Framework config (module_path + class_name)." },
];

/** The questions, in the order they are asked. */
export const PROMPTS: readonly PromptSpec[] = [
  {
    name: "language",
    option: "language",
    kind: "list",
    message: "Language of the connector",
    description: "typescript | python",
    choices: LANGUAGE_CHOICES,
    default: () => DEFAULTS.language,
  },
  {
    name: "name",
    option: "name",
    kind: "input",
    message: "Project name (npm package name)",
    description: "npm package name of the new project (Python: the distribution name, its package the name with _ for -); the folder is its unscoped part",
    default: () => DEFAULT_NAME,
    validate: validateName,
  },
  {
    name: "className",
    option: "class-name",
    kind: "input",
    message: "Connector class name",
    description: "name of the RemoteConnector subclass (PascalCase)",
    default: (earlier) => defaultClassName(earlier.name ?? DEFAULT_NAME),
    validate: validateClassName,
  },
  {
    name: "template",
    option: "template",
    kind: "list",
    message: "Template",
    description: "memory | fs | redis",
    choices: TEMPLATE_CHOICES,
    default: () => DEFAULTS.template,
  },
  {
    name: "capabilities",
    option: "capabilities",
    kind: "checkbox",
    message: "Optional capabilities to implement",
    description: `comma-separated: ${CAPABILITIES.join(",")}`,
    choices: CAPABILITY_CHOICES,
    default: () => [...DEFAULTS.capabilities],
  },
  {
    name: "loading",
    option: "loading",
    kind: "list",
    message: "How should LMCache load the connector?",
    description: "external | plugin",
    choices: LOADING_CHOICES,
    default: () => DEFAULTS.loading,
  },
  {
    name: "ci",
    option: "ci",
    kind: "confirm",
    message: "Include a CI workflow?",
    description: "write .github/workflows/ci.yml",
    default: () => DEFAULTS.ci,
  },
];
