// Linter speed figures (not a timed test): first lint, unchanged re-lint and one-line-edit re-lint
// of a 10,000-line YAML config and a 10,000-line TS file. Needs `npm run build -w runtime` first.
import { createRequire } from "node:module";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const require = createRequire(import.meta.url);
const { lintDocument } = require("../dist/index.js");

const ws = fs.mkdtempSync(path.join(os.tmpdir(), "lint-bench-"));
fs.mkdirSync(path.join(ws, "pkg"));
fs.writeFileSync(path.join(ws, "pkg", "conn.ts"), 'import { RemoteConnector } from "lmcache-connector-runtime";\nexport class Good extends RemoteConnector { async exists() { return false; } existsSync() { return false; } async get() { return null; } async put() {} async list() { return []; } async close() {} }\n');
const ctx = { cwd: ws, env: {} };
const url = "external://h:0/pkg.conn/?connector_name=Good";

function yamlText(edit) {
  const lines = [];
  for (let i = 0; i < 3330; i++) lines.push(`key_${i}:`, `  nested: "value ${i}"`, i % 100 === 0 ? `  url: "redis://h:${i}"` : `# comment ${i}`);
  lines.push(`remote_url: "${url}"`);
  if (edit) lines[5000] = `key_edit: "${edit}"`;
  return lines.join("\n") + "\n";
}
function tsText(edit) {
  const lines = [];
  for (let i = 0; i < 10000; i++) lines.push(i % 100 === 0 ? `export const u${i} = "${url}";` : `export function f${i}(x: number) { return x + ${i}; } // c`);
  if (edit) lines[5000] = `export const edited = "${edit}";`;
  return lines.join("\n") + "\n";
}

function time(fn, runs = 1) {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    best = Math.min(best, performance.now() - t);
  }
  return best.toFixed(2);
}

for (const [name, make, file] of [["YAML", yamlText, "big.yaml"], ["TS", tsText, "big.ts"]]) {
  const p = path.join(ws, file);
  const base = make(null);
  const first = time(() => lintDocument({ path: p, text: base }, ctx));
  const again = time(() => lintDocument({ path: p, text: base }, ctx), 5);
  let n = 0;
  const edit = time(() => lintDocument({ path: p, text: make(`edit ${n++}`) }, ctx), 5);
  // the edited text is built outside the timing below: measure lint only
  const texts = Array.from({ length: 5 }, (_, i) => make(`edit2 ${i}`));
  let k = 0;
  const editOnly = time(() => lintDocument({ path: p, text: texts[k++] }, ctx), 5);
  console.log(`${name} ${base.split("\n").length - 1} lines: first ${first} ms, unchanged ${again} ms, one-line edit ${editOnly} ms (with text rebuild ${edit} ms)`);
}
fs.rmSync(ws, { recursive: true, force: true });
