/**
 * `yo lmcache-connector`: a new connector project in `<name>/`. Answers come from options, then
 * prompts (`--yes` takes the defaults); they are validated before anything is written, and the
 * files go through yeoman's conflict handling, so an existing file is never overwritten silently.
 */
import Generator from "yeoman-generator";
import { type ProjectAnswers, PROMPTS, RUNTIME_TARBALL_PATH, projectFolder, renderProject, resolveAnswers, vendoredRuntimeTarball } from "../render/index.js";
import { collectAnswers, declareOptions, resolveOrExplain } from "./options.js";

export default class AppGenerator extends Generator {
  private answers!: ProjectAnswers;

  constructor(args: string[], options: ConstructorParameters<typeof Generator>[1]) {
    super(args, options, { customInstallTask: true });
    declareOptions(this, PROMPTS);
  }

  async prompting(): Promise<void> {
    const raw = await collectAnswers(this, PROMPTS);
    this.answers = resolveOrExplain(() => resolveAnswers(raw));
  }

  configuring(): void {
    this.destinationRoot(this.destinationPath(projectFolder(this.answers.name)));
  }

  writing(): void {
    for (const [relative, contents] of renderProject(this.answers)) this.fs.write(this.destinationPath(relative), contents);
    this.fs.write(this.destinationPath(RUNTIME_TARBALL_PATH), Buffer.from(vendoredRuntimeTarball()));
  }

  end(): void {
    const folder = projectFolder(this.answers.name);
    this.log(`\n${this.answers.className} is ready in ${folder}/. Next:\n  cd ${folder}\n  npm install --prefer-offline\n  npm test\n`);
  }
}
