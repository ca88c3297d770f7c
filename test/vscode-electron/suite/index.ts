/**
 * Entry point @vscode/test-electron calls inside the extension host: runs the scenarios with Mocha.
 */
import Mocha from "mocha";
import { registerScenarios } from "./scenarios";

/** Called by VS Code's test runner; rejects when a scenario fails. */
export function run(): Promise<void> {
  const mocha = new Mocha({ ui: "bdd", timeout: 180_000, color: false });
  mocha.suite.emit("pre-require", globalThis, "scenarios", mocha);
  registerScenarios();
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} scenario(s) failed`)) : resolve()));
  });
}
