/**
 * Conflicts settled before anything is written (ours). Yeoman's conflicter asks "Overwrite X?"
 * file by file while it commits, so a prompt that fails (no terminal) or is interrupted leaves
 * the files before it written. Here every file is classified first, the questions (if any) are
 * asked together before the commit, and each file is then marked `force` or `skip` so the
 * conflicter never asks:
 * - a new or identical file is written as usual;
 * - a file the renderer *merged* (it read the author's file and added an entry, e.g. a launch
 *   configuration) is written without a question: nothing of the author's is lost;
 * - any other existing file that differs is a conflict: `--force` overwrites every conflict;
 *   `--yes` (no questions) stops with "Nothing was written" naming them; otherwise one checkbox
 *   question asks which to overwrite (none by default).
 */
import { existsSync, readFileSync } from "node:fs";
import type Generator from "yeoman-generator";

/** How the files of one run are settled: which ones to overwrite and which to keep. */
export interface SettledFiles {
  /** Paths (relative to the destination root) that exist, differ, and were not chosen for overwriting. */
  kept: string[];
  /** Conflicting paths that will be overwritten (chosen, `--force`, or merged by the renderer). */
  overwritten: string[];
}

/** The thrown error lists every conflict, so the author can resolve them all at once. */
function nothingWritten(conflicts: readonly string[]): Error {
  return new Error(`Nothing was written:\n${conflicts.map((c) => `  - ${c} exists and differs from what would be written`).join("\n")}\n  Re-run with --force to overwrite, or without --yes to choose.`);
}

/**
 * Classifies `files` (destination-relative path → contents), asks about conflicts if allowed,
 * and throws before any write when `--yes` meets a conflict. Call it from `prompting`/`configuring`;
 * then write with {@link writeSettled}.
 */
export async function settleConflicts(generator: Generator, files: ReadonlyMap<string, string | Uint8Array>, merged: ReadonlySet<string> = new Set()): Promise<SettledFiles> {
  const options = generator.options as Record<string, unknown>;
  const conflicts: string[] = [];
  const overwritten: string[] = [];
  for (const [relative, contents] of files) {
    const target = generator.destinationPath(relative);
    if (!existsSync(target)) continue; // what the conflicter compares against: the file on disk
    if (readFileSync(target).equals(Buffer.from(contents))) continue;
    if (merged.has(relative)) overwritten.push(relative);
    else conflicts.push(relative);
  }
  if (conflicts.length === 0 || options.force) return { kept: [], overwritten: [...overwritten, ...conflicts] };
  if (options.yes) throw nothingWritten(conflicts);
  const answer = (await generator.prompt([
    {
      type: "checkbox",
      name: "overwrite",
      message: "These files exist and differ. Overwrite which? (none keeps them all)",
      choices: conflicts.map((c) => ({ name: c, value: c, checked: false })),
    } as never,
  ])) as { overwrite?: string[] };
  const chosen = new Set(answer.overwrite ?? []);
  return { kept: conflicts.filter((c) => !chosen.has(c)), overwritten: [...overwritten, ...conflicts.filter((c) => chosen.has(c))] };
}

/** Writes `files` into yeoman's in-memory file system, marked so the conflicter does not ask again. */
export function writeSettled(generator: Generator, files: ReadonlyMap<string, string | Uint8Array>, settled: SettledFiles): void {
  const kept = new Set(settled.kept);
  const overwritten = new Set(settled.overwritten);
  for (const [relative, contents] of files) {
    if (kept.has(relative)) continue;
    const target = generator.destinationPath(relative);
    generator.fs.write(target, typeof contents === "string" ? contents : Buffer.from(contents));
    // @yeoman/conflicter honours a status set in advance: 'force' writes without a question.
    if (overwritten.has(relative)) (generator.env.sharedFs.get(target) as { conflicter?: string }).conflicter = "force";
  }
  for (const relative of settled.kept) generator.log.info(`kept ${relative} (unchanged)`);
}
