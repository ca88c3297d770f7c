import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main";
import type { CliIO } from "../../src/cli/command";

const BROKEN = join(__dirname, "..", "fixtures", "broken");
const ROOT = join(__dirname, "..", "..", "..");

function io(isTTY = false): CliIO & { out: string; err: string } {
  const box = {
    out: "",
    err: "",
    isTTY,
    cwd: BROKEN,
    env: {},
    stdout: (t: string) => void (box.out += t),
    stderr: (t: string) => void (box.err += t),
  };
  return box;
}

describe("lmcache-connector check", () => {
  it("--format json prints one object with connector, summary and cases; exit 0 for memory://", async () => {
    const o = io();
    const code = await main(["check", "memory://check-cli", "--format", "json", "--seed", "4"], o);
    expect(code).toBe(0);
    const report = JSON.parse(o.out);
    expect(report.connector).toMatch(/^MemoryConnector/);
    expect(report.seed).toBe(4);
    expect(report.summary).toEqual({ passed: report.cases.length, failed: 0, skipped: 0, advisories: 0 });
    expect(report.cases.map((c: { level: string }) => c.level)).toContain("advisory");
    expect(Object.keys(report.cases[0])).toEqual(expect.arrayContaining(["id", "title", "status", "message"]));
  });

  it("exits 1 when a case fails and shows the failure in the text table, without colour off a TTY", async () => {
    const o = io(false);
    const code = await main(["check", "external://host:0/put_releases_ref/?connector_name=PutReleasesRef", "--cases", "refs.*,lifecycle.construct"], o);
    expect(code).toBe(1);
    expect(o.out).toMatch(/FAIL {2}refs\.put-keeps-caller-ref/);
    expect(o.out).toMatch(/PASS {2}lifecycle\.construct/);
    expect(o.out).toMatch(/at .*put_releases_ref\.ts:\d+:\d+/);
    expect(o.out).not.toMatch(/\u001b\[/);
    const tty = io(true);
    await main(["check", "memory://", "--cases", "ping"], tty);
    expect(tty.out).toMatch(/\u001b\[32mPASS/);
  });

  it("--format junit emits a testcase per case with failures", async () => {
    const o = io();
    const code = await main(["check", "external://host:0/put_releases_ref/?connector_name=PutReleasesRef", "--cases", "refs.put-keeps-caller-ref", "--format", "junit"], o);
    expect(code).toBe(1);
    expect(o.out).toMatch(/^<\?xml/);
    expect(o.out.match(/<testcase /g)!.length).toBe(1);
    expect(o.out).toMatch(/<failure message="caller's reference count after put/);
    const text = io();
    await main(["check", "external://host:0/put_releases_ref/?connector_name=PutReleasesRef", "--cases", "refs.put-keeps-caller-ref"], text);
    expect(text.out).toMatch(/why it counts: required: exactly LMCache's tests\/v1\/test_connector\.py/);
  });

  it("an advisory is a passing JUnit testcase with an advisory property and a system-out note; --strict makes it a failure", async () => {
    const url = "external://host:0/list_duplicates/?connector_name=ListDuplicates";
    const o = io();
    expect(await main(["check", url, "--cases", "list.*", "--format", "junit"], o)).toBe(0);
    expect(o.out).not.toMatch(/<failure/);
    expect(o.out).toMatch(/failures="0"/);
    expect(o.out).toMatch(/<testcase classname="list" name="list\.every-key-once" time="[\d.]+"><properties><property name="advisory" value="list\(\) does not hold each stored key exactly once"\/>/);
    expect(o.out).toMatch(/<system-out>ADVISORY \(LMCache does not rely on this; --strict fails it\)[^<]*why advisory: RemoteBackend never calls list\(\)/);
    expect(o.out).toMatch(/<property name="advisories" value="1"\/>/);

    const text = io();
    expect(await main(["check", url, "--cases", "list.*"], text)).toBe(0);
    expect(text.out).toMatch(/ADVS {2}list\.every-key-once/);
    expect(text.out).toMatch(/Advisories \(LMCache does not rely on these; --strict fails them\)/);
    expect(text.out).toMatch(/OK: 1 passed, 0 failed, 0 skipped \(skips are not passes\), 1 passed with advisories in/);

    const json = io();
    expect(await main(["check", url, "--cases", "list.*", "--format", "json"], json)).toBe(0);
    const report = JSON.parse(json.out);
    expect(report.summary).toEqual({ passed: 1, failed: 0, skipped: 0, advisories: 1 });
    expect(report.cases[0]).toMatchObject({ status: "passed", level: "advisory", advisory: { message: "list() does not hold each stored key exactly once", count: 1 } });
    expect(report.cases[0].basis).toMatch(/^RemoteBackend never calls list\(\)/);

    for (const flags of [["--strict"], ["--strict-cases", "list.*"], ["--strict-cases", "advisory"]]) {
      const strict = io();
      expect(await main(["check", url, "--cases", "list.*", "--format", "junit", ...flags], strict), flags.join(" ")).toBe(1);
      expect(strict.out).toMatch(/<failure message="advisory, failed in strict mode: list\(\) does not hold each stored key exactly once/);
    }
  });

  it("--reference reaches the runner: another reference is used, one that does not load is a usage error (password masked)", async () => {
    const ok = io();
    expect(await main(["check", "memory://", "--cases", "differential.*", "--reference", "memory://another-store", "--seed", "3"], ok)).toBe(0);
    expect(ok.out).toMatch(/PASS {2}differential\.memory-reference/);
    // The evicting fixture diverges; the message names the reference it was compared with.
    const diverges = io();
    expect(await main(["check", "external://host:0/evicts_silently/?connector_name=EvictsSilently", "--cases", "differential.*", "--reference", "memory://ref-b", "--seed", "1"], diverges)).toBe(1);
    expect(diverges.out).toMatch(/diverged from memory:\/\/ref-b at step/);
    const bad = io();
    expect(await main(["check", "memory://", "--cases", "differential.*", "--reference", "nope://u:hunter2@x"], bad)).toBe(2);
    expect(bad.err).toMatch(/the reference connector nope:\/\/u:\*\*\*@x could not be loaded/);
    expect(bad.out + bad.err).not.toMatch(/hunter2/);
    const notUrl = io();
    expect(await main(["check", "memory://", "--reference", "redis"], notUrl)).toBe(2);
    expect(notUrl.err).toMatch(/--reference: expected a connector URL/);
  });

  it("exits 2 with LMCache's error when the connector cannot be loaded", async () => {
    const o = io();
    expect(await main(["check", "nope://x"], o)).toBe(2);
    expect(o.err).toMatch(/ValueError: No adapter found for URL: nope:\/\/x/);
  });

  it.each([
    [["check"], /missing <url>/],
    [["check", "memory://", "--bogus"], /unknown option --bogus/],
    [["check", "memory://", "-x"], /unknown option -x/],
    [["check", "memory://", "--strict=yes"], /--strict does not take a value/],
    [["check", "memory://", "--seed"], /--seed needs a value/],
    [["check", "memory://", "memory://"], /expected one <url>, got 2: memory:\/\/ memory:\/\//],
    [["check", "memory://", "--format", "xml"], /--format must be one of text, json, junit/],
    [["check", "memory://", "--seed", "abc"], /--seed must be an integer ≥ -2147483648, got 'abc'/],
    [["check", "memory://", "--seed", "1.5"], /--seed must be an integer/],
    [["check", "memory://", "--timeout-ms", "0"], /--timeout-ms must be a positive integer, got '0'/],
    [["check", "memory://", "--cases", "nothing.*"], /no conformance case matches nothing\.\*/],
  ])("exits 2 on bad arguments: %j", async (argv, message) => {
    const o = io();
    expect(await main(argv as string[], o)).toBe(2);
    expect(o.err).toMatch(message);
    expect(o.err).toContain("Usage: lmcache-connector check <url>");
    expect(o.out).toBe("");
  });

  it("--cases is repeatable and comma-separated; --seed takes a negative integer; --strict is accepted", async () => {
    const o = io();
    const code = await main(["check", "memory://", "--cases", "ping", "--cases=lifecycle.construct, list.*", "--seed", "-7", "--strict", "--format=json"], o);
    expect(code).toBe(0);
    const report = JSON.parse(o.out);
    expect(report.seed).toBe(-7);
    const ids: string[] = report.cases.map((c: { id: string }) => c.id);
    const groups = ["ping", "lifecycle.construct", "list."];
    for (const g of groups) expect(ids.some((id) => id.startsWith(g)), g).toBe(true);
    expect(ids.every((id) => groups.some((g) => id.startsWith(g)))).toBe(true);
  });

  it("--help and -h print usage and exit 0", async () => {
    for (const flag of ["--help", "-h"]) {
      const o = io();
      expect(await main(["check", flag], o)).toBe(0);
      expect(o.out).toMatch(/Usage: lmcache-connector check <url>/);
      expect(o.out).toMatch(/--strict/);
    }
  });

  it.runIf(existsSync(join(ROOT, "runtime", "dist", "cli.js")))("the built binary passes memory:// end to end", () => {
    const r = spawnSync(process.execPath, [join(ROOT, "runtime", "bin", "lmcache-connector.js"), "check", "memory://"], { encoding: "utf8", timeout: 20_000 });
    expect(r.status).toBe(0);
    // Anonymous memory:// is private to each instance: only the persistence case is skipped, typed.
    expect(r.stdout).toMatch(/OK: \d+ passed, 0 failed, 1 skipped/);
    expect(r.stdout).toMatch(/SKIP {2}remote-backend\.persists-across-instances .*the store is private/);
    expect(r.stdout).not.toMatch(/ADVS|Advisories/);
  });
});

describe("lmcache-connector check: replay and chosen strictness", () => {
  const EVICTS = "external://host:0/evicts_silently/?connector_name=EvictsSilently";

  it("the text report prints the replay flags of a differential failure, and --replay reproduces it", async () => {
    const first = io();
    expect(await main(["check", EVICTS, "--cases", "differential.*", "--seed", "11"], first)).toBe(1);
    const flags = /replay: +(--cases \S+ --seed -?\d+ --replay \S+)/.exec(first.out)?.[1];
    expect(flags, first.out).toBeDefined();
    const replay = io();
    expect(await main(["check", EVICTS, ...flags!.split(" "), "--format", "json"], replay)).toBe(1);
    const [result] = JSON.parse(replay.out).cases;
    expect(result.status).toBe("failed");
    expect(first.out).toContain(result.message.split("\n")[0]);
  });

  it("--strict-cases fails the chosen skips only; --strict fails them all", async () => {
    const url = "external://host:0/base_store/?connector_name=BaseStore";
    const plain = io();
    await main(["check", url, "--format", "json", "--seed", "2"], plain);
    const skipped = JSON.parse(plain.out).cases.filter((c: { status: string }) => c.status === "skipped").map((c: { id: string }) => c.id);
    expect(skipped.length).toBeGreaterThan(1);
    const chosen = io();
    expect(await main(["check", url, "--format", "json", "--seed", "2", "--strict-cases", skipped[0]], chosen)).toBe(1);
    const failed = JSON.parse(chosen.out).cases.filter((c: { status: string }) => c.status === "failed").map((c: { id: string }) => c.id);
    expect(failed).toEqual([skipped[0]]);
    const all = io();
    expect(await main(["check", url, "--format", "json", "--seed", "2", "--strict"], all)).toBe(1);
    expect(JSON.parse(all.out).summary.failed).toBe(skipped.length);
  });
});
