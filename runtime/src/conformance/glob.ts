/**
 * Case selection by glob (ours): `*` matches any run of characters except `.`, `**` any run at all,
 * `?` one character. `roundtrip.*` selects a category, `*.no-leak*` a theme, `**` everything.
 */

/** Compiles one case-id glob into a RegExp anchored at both ends. */
export function globToRegExp(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*") {
      if (glob[i + 1] === "*") {
        source += ".*";
        i++;
      } else source += "[^.]*";
    } else if (c === "?") source += ".";
    else source += c.replace(/[\\^$+.()|{}[\]]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

/** True when `id` matches any of `globs`; a bare category name (`lifecycle`) selects the category. */
export function matchesAny(id: string, globs: readonly string[]): boolean {
  return globs.some((g) => globToRegExp(g).test(id) || (!g.includes(".") && !/[*?]/.test(g) && id.startsWith(`${g}.`)));
}
