/**
 * A Python connector in the Testing view, against the fake host but with REAL parts: the bundled
 * runner and the kit's Python bridge in /usr/bin/python3. Expected verdicts come from the CLI run
 * on the same source with the same seed. (Under debugpy: python-debugpy.test.ts.)
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it, vi } from "vitest";
import { CancellationTokenSource, fake, TestRunRequest, type FakeTestItem, type FakeTestRun } from "./fake-vscode";
import { BROKEN_LINE, GOOD_LINE, ROOT, URL, usePythonWorkspace } from "./python-workspace";

const CLI = path.join(ROOT, "runtime", "bin", "lmcache-connector.js");
const ws = usePythonWorkspace();
const { connectorItem, setExistsSync, start } = ws;
const caseId = (itemId: string) => itemId.slice(itemId.lastIndexOf("/") + 1);
const seedOf = (r: FakeTestRun) => Number(/seed (-?\d+)/.exec(r.output.join(""))![1]);

interface CliCase { id: string; status: string; location?: { file: string; line: number } }

/** The CLI's verdicts on the workspace as it is on disk, with `seed` (and only the `cases` globs). */
async function cliVerdicts(seed: number, cases: string[]): Promise<CliCase[]> {
  const run = await promisify(execFile)(process.execPath, [CLI, "check", URL, "--cwd", ws.dir, "--seed", String(seed), "--cases", cases.join(","), "--format", "json", "--python", "/usr/bin/python3"], { maxBuffer: 1 << 24 }).catch((e: { stdout: string }) => e);
  return (JSON.parse(run.stdout) as { cases: CliCase[] }).cases;
}

describe("a Python connector in the Testing view", () => {
  it("lists the class with its categories and cases, at the class's line in the .py", async () => {
    const c = await start();
    const item = connectorItem(c);
    expect(item.label).toBe("DictConnector");
    expect(item.description).toBe("dict_connector");
    const line = fs.readFileSync(ws.file, "utf8").split("\n").findIndex((l) => l.startsWith("class DictConnector("));
    expect(item.range!.start.line).toBe(line);
    expect(item.children.size).toBeGreaterThan(3);
  });

  it("continuous run: a broken exists_sync saved turns the affected cases red, located in the .py; the fix turns them green", async () => {
    const c = await start();
    const profile = c.profiles[0]!;
    // two categories watched (keeps the test short): the watch re-runs exactly them on save
    const categories = ["roundtrip", "keys"];
    const globs = categories.map((k) => `${k}.*`);
    const watched: FakeTestItem[] = [];
    connectorItem(c).children.forEach((cat) => { if (categories.includes(cat.label)) watched.push(cat); });
    expect(watched.length).toBe(2);
    const first = c.runs.length;
    const watch = new CancellationTokenSource();
    await profile.runHandler(new TestRunRequest(watched, undefined, profile as never, true), watch.token);
    setExistsSync(BROKEN_LINE);
    const doc = fake.open(ws.file, fs.readFileSync(ws.file, "utf8"), "python");
    fake.save(doc);
    await vi.waitFor(() => expect(c.runs.length).toBe(first + 1), { timeout: 20_000 });
    await vi.waitFor(() => expect(c.runs.at(-1)!.ended).toBe(true), { timeout: 30_000 });
    const broken = c.runs.at(-1)!;
    const brokenRef = await cliVerdicts(seedOf(broken), globs);
    const failedRef = brokenRef.filter((x) => x.status === "failed");
    expect(failedRef.length).toBeGreaterThan(0);
    const failed = [...broken.finalStates()].filter(([, rec]) => rec.state === "failed");
    expect(failed.map(([id]) => caseId(id)).sort()).toEqual(failedRef.map((x) => x.id).sort());
    for (const [id, rec] of failed) {
      const ref = failedRef.find((x) => x.id === caseId(id))!;
      expect(rec.message!.location!.uri.fsPath).toBe(ws.file);
      expect(rec.message!.location!.range.start.line).toBe(ref.location!.line - 1);
      expect(String(rec.message!.message)).toMatch(/Operations:\n1\. /);
    }
    expect(ws.api.features.status.text(`${ws.file}#DictConnector`)).toMatch(new RegExp(`, ${failedRef.length} failed$`));

    setExistsSync(GOOD_LINE);
    fake.type(doc, fs.readFileSync(ws.file, "utf8"));
    fake.save(doc);
    await vi.waitFor(() => expect(c.runs.length).toBe(first + 2), { timeout: 20_000 });
    await vi.waitFor(() => expect(c.runs.at(-1)!.ended).toBe(true), { timeout: 30_000 });
    const fixedRun = c.runs.at(-1)!;
    const fixedRef = await cliVerdicts(seedOf(fixedRun), globs);
    expect(fixedRef.filter((x) => x.status === "failed")).toEqual([]);
    const fixed = Object.fromEntries([...fixedRun.finalStates()].map(([id, rec]) => [caseId(id), rec.state]));
    expect(fixed).toEqual(Object.fromEntries(fixedRef.map((x) => [x.id, x.status])));
    expect(Object.keys(fixed).sort()).toEqual(Object.keys(Object.fromEntries([...broken.finalStates()].map(([id]) => [caseId(id), 1]))).sort());
    watch.cancel();
  }, 120_000);
});

