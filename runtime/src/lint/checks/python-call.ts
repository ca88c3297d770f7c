/**
 * The `TypeError` CPython 3.11 raises binding a call's arguments to a `def`'s parameters
 * (`initialize_locals` in ceval.c), for a call with `positional` positional arguments (the bound
 * `self`) and the given keywords — what `Cls(loop=…, local_cpu_backend=…, config=…)` raises when
 * `Cls.__init__` does not accept them. Same checks, same order, same texts (tested against
 * /usr/bin/python3).
 */
import type { PyParam } from "../scan/python-syntax";

/** `'a'`, `'a' and 'b'`, `'a', 'b', and 'c'` (CPython's `format_missing`). */
function quotedList(names: string[]): string {
  const q = names.map((n) => `'${n}'`);
  if (q.length === 1) return q[0];
  if (q.length === 2) return `${q[0]} and ${q[1]}`;
  return `${q.slice(0, -1).join(", ")}, and ${q[q.length - 1]}`;
}

function missing(qualname: string, kind: "positional" | "keyword-only", names: string[]): string {
  return `${qualname}() missing ${names.length} required ${kind} argument${names.length === 1 ? "" : "s"}: ${quotedList(names)}`;
}

/** The message of the `TypeError` the call raises, or null when the arguments bind. */
export function callError(qualname: string, params: readonly PyParam[], keywords: readonly string[], positional = 1): string | null {
  const positionals = params.filter((p) => p.kind === "positional-only" || p.kind === "positional-or-keyword");
  const posOnly = positionals.filter((p) => p.kind === "positional-only").map((p) => p.name);
  const kwOnly = params.filter((p) => p.kind === "keyword-only");
  const varArgs = params.some((p) => p.kind === "var-positional");
  const varKw = params.some((p) => p.kind === "var-keyword");
  const filled = new Set<string>(positionals.slice(0, positional).map((p) => p.name));
  const byKeyword = new Set([...positionals.filter((p) => p.kind === "positional-or-keyword"), ...kwOnly].map((p) => p.name));

  for (const kw of keywords) {
    if (!byKeyword.has(kw)) {
      if (varKw) continue;
      const passed = posOnly.filter((n) => keywords.includes(n));
      if (passed.length) return `${qualname}() got some positional-only arguments passed as keyword arguments: '${passed.join(", ")}'`;
      return `${qualname}() got an unexpected keyword argument '${kw}'`;
    }
    if (filled.has(kw)) return `${qualname}() got multiple values for argument '${kw}'`;
    filled.add(kw);
  }
  if (positional > positionals.length && !varArgs) {
    const defaults = positionals.filter((p) => p.hasDefault).length;
    const sig = defaults ? `from ${positionals.length - defaults} to ${positionals.length}` : `${positionals.length}`;
    const plural = positionals.length === 1 && !defaults ? "" : "s";
    const kwGiven = kwOnly.filter((p) => filled.has(p.name)).length;
    const given = kwGiven
      ? `${positional} positional argument${positional === 1 ? "" : "s"} (and ${kwGiven} keyword-only argument${kwGiven === 1 ? "" : "s"})`
      : `${positional}`;
    return `${qualname}() takes ${sig} positional argument${plural} but ${given} ${positional === 1 && !kwGiven ? "was" : "were"} given`;
  }
  const missingPos = positionals.filter((p) => !p.hasDefault && !filled.has(p.name)).map((p) => p.name);
  if (missingPos.length) return missing(qualname, "positional", missingPos);
  const missingKw = kwOnly.filter((p) => !p.hasDefault && !filled.has(p.name)).map((p) => p.name);
  if (missingKw.length) return missing(qualname, "keyword-only", missingKw);
  return null;
}
