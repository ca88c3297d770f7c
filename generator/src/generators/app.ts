/**
 * `yo lmcache-connector`: a new connector project in `<name>/`. Answers come from options, then
 * prompts (`--yes` takes the defaults); they are validated before anything is written, and
 * existing files that differ are settled before the first write (`./conflicts`): never
 * overwritten silently, and never a half-written tree.
 */
import Generator from "yeoman-generator";
import { type ProjectAnswers, PROMPTS, RUNTIME_TARBALL_PATH, projectFolder, renderProject, resolveAnswers, vendoredRuntimeTarball } from "../render/index.js";
import { type SettledFiles, settleConflicts, writeSettled } from "./conflicts.js";
import { collectAnswers, declareOptions, printVersionAndStop, resolveOrExplain } from "./options.js";

export default class AppGenerator extends Generator {
  private answers!: ProjectAnswers;
  private files!: Map<string, string | Uint8Array>;
  private settled!: SettledFiles;

  constructor(args: string[], options: ConstructorParameters<typeof Generator>[1]) {
    super(args, options, { customInstallTask: true });
    declareOptions(this, PROMPTS);
  }

  initializing(): void {
    printVersionAndStop(this);
  }

  async prompting(): Promise<void> {
    const raw = await collectAnswers(this, PROMPTS);
    this.answers = resolveOrExplain(() => resolveAnswers(raw));
  }

  async configuring(): Promise<void> {
    this.destinationRoot(this.destinationPath(projectFolder(this.answers.name)));
    this.files = new Map<string, string | Uint8Array>(renderProject(this.answers));
    this.files.set(RUNTIME_TARBALL_PATH, vendoredRuntimeTarball());
    this.settled = await settleConflicts(this, this.files);
  }

  writing(): void {
    writeSettled(this, this.files, this.settled);
  }

  end(): void {
    const folder = projectFolder(this.answers.name);
    const next = this.answers.language === "python" ? "npm install --offline   # the kit's CLI for the tests\n  python3 -m pytest" : "npm install --prefer-offline\n  npm test";
    this.log(`\n${this.answers.className} is ready in ${folder}/. Next:\n  cd ${folder}\n  ${next}\n`);
  }
}
