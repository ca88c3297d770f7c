/**
 * The watch build's output (extension/esbuild-problem-matcher.mjs) against the `npm: watch` task's
 * problem matcher in .vscode/tasks.json: begin/end lines and a multi-line error with file, line and
 * 1-based column.
 */
import { build } from "esbuild";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, expect, it, vi } from "vitest";
// @ts-expect-error -- a plain .mjs module without types
import { problemMatcherPlugin } from "../esbuild-problem-matcher.mjs";

const root = path.resolve(__dirname, "..", "..");
const tasks = JSON.parse(fs.readFileSync(path.join(root, ".vscode", "tasks.json"), "utf8"));
const watchTask = tasks.tasks.find((t: { script?: string }) => t.script === "watch");
let dir: string | undefined;
afterEach(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); vi.restoreAllMocks(); });

it("prints lines the watch task's problem matcher understands", async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lmcache-matcher-"));
  const badLine = "const x: number = ;";
  fs.writeFileSync(path.join(dir, "bad.ts"), `export const ok = 1;\n${badLine}\n`);
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((m: string) => void lines.push(m));
  vi.spyOn(console, "error").mockImplementation((m: string) => void lines.push(m));
  await build({ absWorkingDir: dir, entryPoints: ["bad.ts"], write: false, bundle: true, logLevel: "silent", plugins: [problemMatcherPlugin] }).catch(() => undefined);

  const matcher = watchTask.problemMatcher;
  expect(lines[0]).toMatch(new RegExp(matcher.background.beginsPattern));
  expect(lines.at(-1)).toMatch(new RegExp(matcher.background.endsPattern));
  const [first, second] = matcher.pattern.map((p: { regexp: string }) => new RegExp(p.regexp));
  const at = lines.findIndex((l) => first.test(l));
  expect(at).toBeGreaterThan(0);
  const message = first.exec(lines[at])![matcher.pattern[0].message];
  const loc = second.exec(lines[at + 1])!;
  expect(message.length).toBeGreaterThan(0);
  expect(loc[matcher.pattern[1].file]).toBe("bad.ts");
  expect(Number(loc[matcher.pattern[1].line])).toBe(2);
  expect(Number(loc[matcher.pattern[1].column])).toBe(badLine.indexOf(";") + 1);
  expect(matcher.fileLocation).toEqual(["relative", "${workspaceFolder}"]);
});
