// An esbuild plugin printing build start/finish and errors in the format the `npm: watch` task's
// problem matcher (.vscode/tasks.json) reads:
//   [watch] build started
//   ✘ [ERROR] message
//       file:line:column:        (1-based column; path relative to esbuild's working directory)
//   [watch] build finished

/** @type {import("esbuild").Plugin} */
export const problemMatcherPlugin = {
  name: "problem-matcher",
  setup(build) {
    build.onStart(() => console.log("[watch] build started"));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column + 1}:`);
      }
      console.log("[watch] build finished");
    });
  },
};
