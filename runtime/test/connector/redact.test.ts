import { describe, expect, it } from "vitest";
import { redactedJson, redactSecrets, redactUrl } from "../../src/connector/redact";
import { createConnector } from "../../src/connector/create-connector";
import { parseRemoteUrl } from "../../src/connector/url";
import { parseExternalUrl } from "../../src/connector/external-url";
import { clearLogRecords, getLogRecords, getLogger } from "../../src/logging";
import { runConformance } from "../../src/conformance/engine";
import { renderReport, REPORT_FORMATS } from "../../src/conformance/report";
import { runHarness } from "../../src/harness/run-harness";
import { formatHarnessReport, harnessReportJson } from "../../src/harness/format-report";
import { runBench } from "../../src/bench/run-bench";
import { benchReportJson, formatBenchReport } from "../../src/bench/format-bench";
import { makeBackend } from "./helpers";
import { lintDocument } from "../../src/lint";

const SECRET = "s3cr3tPW";

describe("redactSecrets (the kit's one redaction)", () => {
  it("masks the password of every URL in a text and keeps the rest readable", () => {
    expect(redactSecrets(`redis://user:${SECRET}@host:6379`)).toBe("redis://user:***@host:6379");
    expect(redactSecrets(`external://u:${SECRET}@host:0/my.mod/?connector_name=X`)).toBe("external://u:***@host:0/my.mod/?connector_name=X");
    const text = `a redis://a:${SECRET}@h1:1 and "lm://b:${SECRET}x@h2:2/p" then <s3://c:${SECRET}@h3>`;
    const out = redactSecrets(text);
    expect(out).not.toContain(SECRET);
    expect(out).toBe('a redis://a:***@h1:1 and "lm://b:***@h2:2/p" then <s3://c:***@h3>');
    // a password holding "@" (Python splits the userinfo at the LAST "@")
    expect(redactSecrets(`redis://u:p@${SECRET}@host:1`)).toBe("redis://u:***@host:1");
    // a user without password, and text without URL, are untouched
    expect(redactSecrets("redis://user@host:1 mail@example.org")).toBe("redis://user@host:1 mail@example.org");
    // a known URL is replaced whole, even with a space in its password
    expect(redactSecrets(`bad URL redis://u:a ${SECRET}@h:1!`, [`redis://u:a ${SECRET}@h:1`])).toBe("bad URL redis://u:***@h:1!");
    expect(redactUrl(`redis://u:${SECRET}@h:1/x?y=1`)).toBe("redis://u:***@h:1/x?y=1");
    expect(redactedJson({ a: [`redis://u:${SECRET}@h:1`] })).not.toContain(SECRET);
  });
});

describe("error messages and log records carry no password (ours: LMCache prints the URL whole)", () => {
  it("createConnector, parseRemoteUrl, parseExternalUrl and the external adapter", async () => {
    const b = makeBackend();
    clearLogRecords();
    const errors: string[] = [];
    const urls = [
      `nosuch://u:${SECRET}@h:1`,
      `lm://u:${SECRET}@host`,
      `external://u:${SECRET}@host:0/no_such_mod/?connector_name=X`,
      `external://u:${SECRET}@h1:0,h2:0/m/?connector_name=X`,
      `fs://u:${SECRET}@h:0`,
    ];
    for (const url of urls) {
      const err = (await createConnector(url, { localCpuBackend: b.backend, config: b.config, cwd: __dirname }).catch((e: Error) => e)) as Error;
      expect(err).toBeInstanceOf(Error);
      errors.push(`${err.name}: ${err.message}`);
    }
    expect(errors[0]).toBe("ValueError: No adapter found for URL: nosuch://u:***@h:1");
    const schemeless = (await createConnector(`admin:${SECRET}@db:6379`, { localCpuBackend: b.backend }).catch((e: Error) => e)) as Error;
    expect(schemeless.message).toBe("Invalid remote url admin:***@db:6379: missing scheme");
    // lint gives the same verdict with the same masking (LMC001)
    const lint = lintDocument({ path: "/w/c.yaml", text: `remote_url: "admin:${SECRET}@db:6379"\n` }, { cwd: "/w", env: {} });
    expect(lint.map((d) => d.code)).toContain("LMC001");
    expect(JSON.stringify(lint)).not.toContain(SECRET);
    expect(() => parseRemoteUrl(`redis://u:${SECRET}@host`)).toThrow("Invalid URL redis://u:***@host: missing port");
    expect(() => parseExternalUrl(`external://u:${SECRET}@h1:0,h2:0/m/?connector_name=X`)).toThrow(
      "Only one host is supported for external connector, but got ['external://u:***@h1:0', 'h2:0/m/?connector_name=X']",
    );
    getLogger("a.connector").warning(`retrying redis://u:${SECRET}@host:1`);
    const records = getLogRecords().map((r) => r.message);
    expect(records.some((m) => m.includes("Creating External connector for URL: external://u:***@host:0"))).toBe(true);
    expect([...errors, ...records].join("\n")).not.toContain(SECRET);
  });
});

describe("every report format hides the password", () => {
  const url = `memory://user:${SECRET}@host:0`;

  it("check: text, json and junit (the URL in the header and a URL inside a failure message)", async () => {
    const run = await runConformance({ url, cwd: process.cwd(), seed: 1, cases: ["roundtrip.4kib"] });
    expect(run.url).toBe(url);
    expect(run.results[0]?.status).toBe("passed");
    run.results.push({ ...run.results[0]!, id: "fake.failed", status: "failed", message: `connect to redis://x:${SECRET}@db:6379 failed`, expected: `redis://x:${SECRET}@db:6379` });
    for (const format of REPORT_FORMATS) {
      const out = renderReport(run, format, format === "text");
      expect(out, format).toContain("user:***@host:0");
      expect(out, format).toContain("x:***@db:6379");
      expect(out, format).not.toContain(SECRET);
    }
    expect(JSON.parse(renderReport(run, "json", false)).url).toBe("memory://user:***@host:0");
    // a password holding a quote and a backslash, which JSON and XML escape
    const quoted = `redis://x:${SECRET}"q\\@db:1`;
    run.results.push({ ...run.results[0]!, id: "fake.quoted", status: "failed", message: `failed at ${quoted}`, expected: quoted });
    for (const format of REPORT_FORMATS) expect(renderReport(run, format, false), format).not.toContain(SECRET);
  });

  it("check text: control bytes in what a connector said are shown escaped, not sent to the terminal", async () => {
    const run = await runConformance({ url: "memory://", cwd: process.cwd(), seed: 1, cases: ["roundtrip.4kib"] });
    run.results.push({ ...run.results[0]!, id: "fake.escapes", status: "failed", message: "bad \u001b]0;pwned\u0007 \u001b[2J\rX", actual: "\u009b31m" });
    const text = renderReport(run, "text", false);
    expect(text).toContain("bad \\x1b]0;pwned\\x07 \\x1b[2J\\x0dX");
    expect(text).toContain("\\x9b31m");
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    // with colour on, the only escapes are the kit's own SGR colour codes
    // eslint-disable-next-line no-control-regex
    expect(renderReport(run, "text", true).replace(/\u001b\[[0-9;]*m/g, "")).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  it("run: text and json", async () => {
    const report = await runHarness({ url, requests: 4, seed: 1, chunkSize: 16, model: { numLayers: 2, numKvHeads: 2, headSize: 16 } });
    for (const out of [formatHarnessReport(report), harnessReportJson(report)]) {
      expect(out).toContain("user:***@host:0");
      expect(out).not.toContain(SECRET);
    }
    expect(JSON.parse(harnessReportJson(report)).requests).toBe(4);
  });

  it("run and bench text: a connector repr with control bytes is shown escaped", async () => {
    const odd = "memory://\u001b]0;pwned\u0007\r";
    const report = await runHarness({ url: odd, requests: 2, seed: 1, chunkSize: 16, model: { numLayers: 2, numKvHeads: 2, headSize: 16 } });
    const bench = await runBench({ url: odd, rounds: 1, warmupRounds: 0, keys: 2, payloadBytes: 4096 });
    for (const text of [formatHarnessReport(report), formatBenchReport(bench)]) {
      expect(text).toContain("\\x1b]0;pwned\\x07\\x0d");
      // eslint-disable-next-line no-control-regex
      expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    }
  });

  it("bench: text and json", async () => {
    const report = await runBench({ url, rounds: 1, warmupRounds: 0, keys: 2, payloadBytes: 4096 });
    for (const out of [formatBenchReport(report), benchReportJson(report)]) {
      expect(out).toContain("user:***@host:0");
      expect(out).not.toContain(SECRET);
    }
  });
});
