/**
 * `yo lmcache-connector:connector`: one more connector class in an existing generated project
 * (module, conformance test, LMCache config, launch entry). Run it inside the project folder.
 */
import Generator from "yeoman-generator";
import { type ConnectorAnswers, PROMPTS, renderConnectorClass, resolveConnectorAnswers } from "../render/index.js";
import { collectAnswers, declareOptions, resolveOrExplain } from "./options.js";

/** The project-level questions that do not apply to one more class. */
const CONNECTOR_PROMPTS = PROMPTS.filter((p) => p.name !== "name" && p.name !== "ci").map((p) =>
  p.name === "className" ? { ...p, default: () => "" } : p,
);

export default class ConnectorGenerator extends Generator {
  private answers!: ConnectorAnswers;
  private files!: Map<string, string>;

  constructor(args: string[], options: ConstructorParameters<typeof Generator>[1]) {
    super(args, options, { customInstallTask: true });
    declareOptions(this, CONNECTOR_PROMPTS);
  }

  async prompting(): Promise<void> {
    const raw = await collectAnswers(this, CONNECTOR_PROMPTS);
    this.answers = resolveOrExplain(() => resolveConnectorAnswers(raw));
    this.files = resolveOrExplain(() =>
      renderConnectorClass(this.answers, {
        read: (relative) => (this.fs.exists(this.destinationPath(relative)) ? this.fs.read(this.destinationPath(relative)) : null),
      }),
    );
  }

  writing(): void {
    for (const [relative, contents] of this.files) this.fs.write(this.destinationPath(relative), contents);
  }

  end(): void {
    this.log(`\n${this.answers.className} added. Run \`npm install --prefer-offline\` if package.json changed, then \`npm test\`.\n`);
  }
}
