/** C13.1: the same reads give the same answers. */
import type { CaseContext } from "../context";
import { releaseOnce } from "../context";
import { describeObj } from "../payload";
import { defineCases, LIST_IS_ADVISORY, LIST_UPSTREAM, listOwn, putPayload, SPECS } from "./common";

async function readTranscript(ctx: CaseContext): Promise<string[]> {
  const out: string[] = [];
  for (let i = 1; i <= 4; i++) {
    const key = ctx.key(i);
    const got = await ctx.call("get", () => ctx.connector.get(key));
    out.push(`get ${i} ${describeObj(got)}`);
    if (got) releaseOnce(got);
    out.push(`exists ${i} ${await ctx.call("exists", () => ctx.connector.exists(key))}`);
    out.push(`existsSync ${i} ${ctx.existsSyncNow(key)}`);
  }
  return out;
}

async function listTranscript(ctx: CaseContext): Promise<string> {
  return `list ${JSON.stringify((await listOwn(ctx)).sort())}`;
}

export default defineCases([
  {
    id: "stability.repeat-reads",
    category: "stability",
    title: "Repeating the same reads gives identical answers",
    explanation:
      "LMCache asks the same questions many times: lookup calls contains() for a prefix, then retrieve calls get() for the same chunks, and the health check repeats its self-test. With no writes in between, a second pass of get/exists/existsSync over the same keys (and of list(), advisory) must give exactly the same answers as the first (Airbyte's sequential-reads check).",
    lmcacheToo: LIST_UPSTREAM,
    basis: "required for get/exists/existsSync: LMCache's lookup and retrieve ask the same questions and must get the same answers; the list() part is advisory",
    methods: ["get", "exists", "existsSync", "list"],
    async run(ctx) {
      for (let i = 1; i <= 3; i++) await putPayload(ctx, ctx.key(i), SPECS.small, i);
      const first = await readTranscript(ctx);
      const second = await readTranscript(ctx);
      for (let i = 0; i < first.length; i++) {
        if (first[i] !== second[i]) ctx.fail("a repeated read gave a different answer", { expected: first[i], actual: second[i], method: first[i]!.split(" ")[0] });
      }
      await ctx.advisory(LIST_IS_ADVISORY, async () => {
        const [a, b] = [await listTranscript(ctx), await listTranscript(ctx)];
        if (a !== b) ctx.fail("a repeated list() gave a different answer", { expected: a, actual: b, method: "list" });
      });
    },
  },
]);
