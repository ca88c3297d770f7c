import { describe, expect, it } from "vitest";
import { scanEnvFile } from "../../src/lint/scan/env-file";

const JSON_VALUE = '{"remote_storage_plugin.envstore.module_path": "pkg.store", "remote_storage_plugin.envstore.class_name": "Store"}';

/** The occurrences' values and the text their ranges cover. */
function found(text: string) {
  return scanEnvFile(text).occurrences.map((o) => ({ kind: o.kind, value: o.value, covered: text.slice(o.start, o.end) }));
}

describe(".env scanner", () => {
  it("reads an unquoted JSON LMCACHE_EXTRA_CONFIG whole, as python-dotenv does", () => {
    const quoted = found(`LMCACHE_EXTRA_CONFIG='${JSON_VALUE}'\n`);
    expect(quoted.length).toBeGreaterThan(0);
    expect(found(`LMCACHE_EXTRA_CONFIG=${JSON_VALUE}\n`)).toEqual(quoted);
    expect(found(`LMCACHE_EXTRA_CONFIG=${JSON_VALUE}   # plugin settings\n`)).toEqual(quoted);
  });

  it("still ends an unquoted plain value at whitespace, as a shell does", () => {
    expect(found("LMCACHE_REMOTE_URL=memory://a trailing words\n")).toEqual([{ kind: "url", value: "memory://a", covered: "memory://a" }]);
  });
});
