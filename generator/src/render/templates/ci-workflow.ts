/** The generated project's `.github/workflows/ci.yml`, shared by the TypeScript and Python lanes. */
import type { ProjectAnswers } from "../answers.js";

/**
 * `.github/workflows/ci.yml`: one `conformance` job on ubuntu with Node 20 (the kit's CLI runs on
 * it in both lanes) and, for the redis template, a redis service on 6379 with `REDIS_URL` set.
 * `extraSetup` is inserted after setup-node (e.g. setup-python); `run` is the lane's own steps.
 * Each is a block of `      - …` lines ending in a newline.
 */
export function ciWorkflowYaml(answers: ProjectAnswers, extraSetup: string, run: string): string {
  const redis =
    answers.template === "redis"
      ? `    services:
      redis:
        image: redis:7
        ports: ["6379:6379"]
    env:
      REDIS_URL: redis://127.0.0.1:6379
`
      : "";
  return `name: ci
on: [push, pull_request]
jobs:
  conformance:
    runs-on: ubuntu-latest
${redis}    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
${extraSetup}${run}`;
}
