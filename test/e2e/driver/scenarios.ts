/**
 * The code-server session of each e2e scenario and the folders it used: after every test the
 * session ends (with a last screenshot and the extension host's log when the test failed) and
 * the folders are removed. Call {@link scenarioSessions} once per test file, at its top level.
 */
import { afterEach } from "vitest";
import { removeWorkspace } from "../workspaces";
import { VsCodeSession } from "./session";

export function scenarioSessions(): {
  /** Starts code-server on `folder` (removed after the test). */
  start(name: string, folder: string, settings?: Record<string, unknown>): Promise<VsCodeSession>;
  /** Removes `folder` after the test. */
  track(folder: string): string;
} {
  let session: VsCodeSession | undefined;
  const folders: string[] = [];
  afterEach(async (ctx) => {
    if (session && ctx.task.result?.state === "fail") {
      await session.workbench.screenshot("failure").catch(() => undefined);
      console.error(`extension host log of the failed scenario:\n${session.extensionHostLog().slice(-6000)}`);
    }
    await session?.dispose();
    session = undefined;
    for (const folder of folders.splice(0)) removeWorkspace(folder);
  });
  const track = (folder: string): string => {
    folders.push(folder);
    return folder;
  };
  return {
    track,
    async start(name, folder, settings) {
      track(folder);
      session = await VsCodeSession.start({ name, folder, settings });
      return session;
    },
  };
}
