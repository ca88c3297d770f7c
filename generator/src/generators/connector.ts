/**
 * `yo lmcache-connector:connector`: one more connector class in an existing generated project
 * (module, conformance test, LMCache config, launch entry), in the project's language (a
 * `pyproject.toml` makes it Python). Run it inside the project folder. `package.json`,
 * `pyproject.toml` and `.vscode/launch.json` are the author's files with an entry added, so they
 * are rewritten without a question; any other conflict is settled before the first write
 * (`./conflicts`: `--force` overwrites, `--yes` stops with nothing written).
 */
import Generator from "yeoman-generator";
import { type ConnectorAnswers, CONNECTOR_MERGED_FILES, PROMPTS, renderConnectorClass, resolveConnectorAnswers } from "../render/index.js";
import { type SettledFiles, settleConflicts, writeSettled } from "./conflicts.js";
import { collectAnswers, declareOptions, printVersionAndStop, resolveOrExplain } from "./options.js";

/** The project-level questions that do not apply to one more class (it takes its project's language: see renderConnectorClass). */
const CONNECTOR_PROMPTS = PROMPTS.filter((p) => p.name !== "name" && p.name !== "ci" && p.name !== "language").map((p) =>
  p.name === "className" ? { ...p, default: () => "" } : p,
);

export default class ConnectorGenerator extends Generator {
  private answers!: ConnectorAnswers;
  private files!: Map<string, string>;
  private settled!: SettledFiles;

  constructor(args: string[], options: ConstructorParameters<typeof Generator>[1]) {
    super(args, options, { customInstallTask: true });
    declareOptions(this, CONNECTOR_PROMPTS);
  }

  initializing(): void {
    printVersionAndStop(this);
  }

  async prompting(): Promise<void> {
    const raw = await collectAnswers(this, CONNECTOR_PROMPTS);
    this.answers = resolveOrExplain(() => resolveConnectorAnswers(raw));
    this.files = resolveOrExplain(() =>
      renderConnectorClass(this.answers, {
        read: (relative) => (this.fs.exists(this.destinationPath(relative)) ? this.fs.read(this.destinationPath(relative)) : null),
      }),
    );
    this.settled = await settleConflicts(this, this.files, CONNECTOR_MERGED_FILES);
  }

  writing(): void {
    writeSettled(this, this.files, this.settled);
  }

  end(): void {
    const python = [...this.files.keys()].some((f) => f.endsWith(".py"));
    this.log(
      python
        ? `\n${this.answers.className} added. Run \`pip install -e .\` if pyproject.toml changed, then \`python3 -m pytest\`.\n`
        : `\n${this.answers.className} added. Run \`npm install --prefer-offline\` if package.json changed, then \`npm test\`.\n`,
    );
  }
}
