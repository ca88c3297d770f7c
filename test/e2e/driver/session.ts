/**
 * One real VS Code session: a fresh user-data folder and extensions folder (holding only the kit's
 * extension), code-server serving one workspace folder on loopback, and Chromium showing it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startCodeServer, tail, type CodeServer } from "./code-server";
import { installExtension } from "./extension-folder";
import { LOG_DIR } from "./paths";
import { Workbench } from "./workbench";

/** User settings of every session: no welcome pages, tips, telemetry or update checks. */
export const BASE_SETTINGS: Record<string, unknown> = {
  "workbench.startupEditor": "none",
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "security.workspace.trust.enabled": false,
  "git.enabled": false,
  "chat.disableAIFeatures": true,
  "editor.minimap.enabled": false,
  "files.autoSave": "off",
  // The DOM renderer puts the terminal's text into the page, where the tests read it.
  "terminal.integrated.gpuAcceleration": "off",
};

/** Options of {@link VsCodeSession.start}. */
export interface SessionOptions {
  /** Names the screenshot and log files. */
  name: string;
  /** The workspace folder to open. */
  folder: string;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server and the extension host. */
  env?: Record<string, string>;
}

/** A running code-server + Chromium pair; `dispose()` ends both, also after a failure. */
export class VsCodeSession {
  private constructor(
    readonly server: CodeServer,
    readonly workbench: Workbench,
    private readonly stateDir: string,
    /** Where `--install-extension` put the packaged extension. */
    readonly extensionFolder: string,
  ) {}

  static async start(opts: SessionOptions): Promise<VsCodeSession> {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), `lmcache-e2e-${opts.name}-`));
    const userDataDir = path.join(stateDir, "user-data");
    const extensionsDir = path.join(stateDir, "extensions");
    fs.mkdirSync(path.join(userDataDir, "User"), { recursive: true });
    fs.mkdirSync(extensionsDir, { recursive: true });
    fs.writeFileSync(path.join(userDataDir, "User", "settings.json"), JSON.stringify({ ...BASE_SETTINGS, ...opts.settings }, null, 2));
    const extensionFolder = installExtension(extensionsDir, userDataDir);
    const server = await startCodeServer({
      folder: opts.folder,
      userDataDir,
      extensionsDir,
      logFile: path.join(LOG_DIR, `${opts.name}.log`),
      env: opts.env,
    });
    let workbench: Workbench;
    try {
      workbench = await Workbench.open(`${server.url}/?folder=${encodeURIComponent(opts.folder)}`, opts.name);
    } catch (error) {
      await server.stop();
      throw new Error(`workbench did not load: ${(error as Error).message}\nserver log:\n${tail(server.logFile)}`);
    }
    return new VsCodeSession(server, workbench, stateDir, extensionFolder);
  }

  /** The extension host's log of this session (`exthost.log`), for assertions and failures. */
  extensionHostLog(): string {
    const logs = path.join(this.stateDir, "user-data", "logs");
    const found: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name === "exthost.log" || entry.name.includes("LMCache")) found.push(full);
      }
    };
    walk(logs);
    return found.map((f) => `== ${path.relative(logs, f)}\n${fs.readFileSync(f, "utf8")}`).join("\n");
  }

  async dispose(): Promise<void> {
    await this.workbench.close();
    await this.server.stop();
    fs.rmSync(this.stateDir, { recursive: true, force: true });
  }
}
