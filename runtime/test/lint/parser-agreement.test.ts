import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { parseExternalUrl } from "../../src/connector/external-url";
import { lintDocument } from "../../src/lint";
import { makeWorkspace, removeWorkspace } from "./helpers";

const ws = makeWorkspace();
afterAll(() => removeWorkspace(ws));

const part = (chars: string, max: number) => fc.string({ unit: fc.constantFrom(...chars.split("")), maxLength: max });
const urlArb = fc.tuple(
  fc.constantFrom("", "u@", "u:p@", "@"),
  part("abcH.-[]:1", 6),
  fc.constantFrom("", ":", ":0", ":80", ":x", ":99999", ":-1"),
  part("/abc.,_", 12),
  fc.constantFrom("", "?", "?connector_name=", "?connector_name=Good", "?connector_name=A&connector_name=B", "?x=1", "?connector_name=Good#f"),
).map(([user, host, port, path, query]) => `external://${user}${host}${port}${path}${query}`);

describe("linter verdict equals the runtime parser's", () => {
  it("errors iff parseExternalUrl throws, with the same exception and message", () => {
    fc.assert(
      fc.property(urlArb, (url) => {
        let thrown: { name: string; message: string } | null = null;
        try {
          parseExternalUrl(url);
        } catch (e) {
          thrown = { name: (e as Error).name, message: (e as Error).message };
        }
        // JSON string escaping keeps any URL a single valid scalar.
        const diags = lintDocument({ path: `${ws}/agree.json`, text: JSON.stringify({ remote_url: url }) }, { cwd: ws, env: {} });
        const raised = diags.filter((d) => d.raises);
        if (thrown) expect(raised.map((d) => d.raises)).toEqual([thrown]);
        else expect(raised).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });
});
