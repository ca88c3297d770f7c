/** Glue between the shared PROMPTS and yeoman: options, one-at-a-time prompting, `--yes`. */
import type Generator from "yeoman-generator";
import { InvalidAnswersError } from "../render/answers.js";
import type { PromptSpec } from "../render/prompts.js";
import { VERSIONS } from "../render/versions.js";
import generatorPackage from "../../package.json";

/** Declares one yeoman option per prompt, plus `--yes` and `--force`. No defaults: an absent option means "ask". */
export function declareOptions(generator: Generator, prompts: readonly PromptSpec[]): void {
  for (const spec of prompts) {
    generator.option(spec.option, { type: spec.kind === "confirm" ? Boolean : String, description: spec.description });
  }
  generator.option("yes", { type: Boolean, alias: "y", description: "accept the default of every question not given as an option; stop, writing nothing, if an existing file would be overwritten" });
  generator.option("force", { type: Boolean, alias: "f", description: "overwrite existing files that differ, without asking" });
  generator.option("version", { type: Boolean, description: "print the generator's version and the runtime it vendors, and stop" });
}

/** The value of `spec`'s option (`--class-name` arrives as `class-name` or `className`), or undefined. */
export function optionValue(generator: Generator, spec: PromptSpec): unknown {
  const options = generator.options as Record<string, unknown>;
  const value = options[spec.option] ?? options[spec.name];
  return value === null ? undefined : value;
}

/** The inquirer question for `spec`, with its default computed from the answers so far. */
function question(spec: PromptSpec, earlier: Record<string, unknown>): Record<string, unknown> {
  const q: Record<string, unknown> = { type: spec.kind, name: spec.name, message: spec.message, default: spec.default(earlier) };
  if (spec.choices) q.choices = spec.choices.map((c) => ({ name: `${c.label} (${c.description})`, value: c.value, short: c.label }));
  if (spec.kind === "checkbox" && Array.isArray(q.default)) {
    const selected = new Set(q.default as string[]);
    q.choices = (q.choices as { value: string }[]).map((c) => ({ ...c, checked: selected.has(c.value) }));
  }
  if (spec.validate) q.validate = spec.validate;
  return q;
}

/**
 * Collects answers: options first; then, unless `--yes`, one prompt per question not given.
 * Returns the raw answers (validation happens in `resolveAnswers`).
 */
export async function collectAnswers(generator: Generator, prompts: readonly PromptSpec[]): Promise<Record<string, unknown>> {
  const collected: Record<string, unknown> = {};
  const yes = Boolean((generator.options as Record<string, unknown>).yes);
  for (const spec of prompts) {
    const given = optionValue(generator, spec);
    if (given !== undefined) {
      collected[spec.name] = given;
    } else if (!yes) {
      const answer = await generator.prompt([question(spec, collected) as never]);
      collected[spec.name] = (answer as Record<string, unknown>)[spec.name];
    }
  }
  return collected;
}

/**
 * Runs `resolve` (answer validation, and for a new class the reading of the project), turning an
 * `InvalidAnswersError` into the error yeoman shows: "Nothing was written:" and one line per problem.
 */
export function resolveOrExplain<T>(resolve: () => T): T {
  try {
    return resolve();
  } catch (error) {
    if (error instanceof InvalidAnswersError) throw new Error(`Nothing was written:\n${error.problems.map((p) => `  - ${p}`).join("\n")}`);
    throw error;
  }
}

/** The text `--version` prints: the generator's version and the runtime version it vendors. */
export function versionText(): string {
  return `generator-lmcache-connector ${generatorPackage.version}\nlmcache-connector-runtime ${VERSIONS.runtime} (vendored)`;
}

/**
 * `yo lmcache-connector --version` (yo hands the flag to the generator): prints {@link versionText}
 * and cancels the generator's remaining tasks, so nothing is asked or written. Returns whether it did.
 */
export function printVersionAndStop(generator: Generator): boolean {
  if (!(generator.options as Record<string, unknown>).version) return false;
  generator.log(versionText());
  generator.cancelCancellableTasks();
  return true;
}
