/** Every conformance case, in report order (categories follow the catalogue's C1…C13). */
import type { ConformanceCase } from "../types";
import batched from "./batched";
import concurrency from "./concurrency";
import deadline from "./deadline";
import differential from "./differential";
import exists from "./exists";
import keys from "./keys";
import lifecycle from "./lifecycle";
import list from "./list";
import miss from "./miss";
import overwrite from "./overwrite";
import ownership from "./ownership";
import ping from "./ping";
import refs from "./refs";
import remoteBackend from "./remote-backend";
import remove from "./remove";
import roundtrip from "./roundtrip";
import stability from "./stability";

/** All cases. Ids are stable: tools, reports and `--cases` globs refer to them. */
export const ALL_CASES: readonly ConformanceCase[] = Object.freeze([
  ...lifecycle,
  ...roundtrip,
  ...miss,
  ...exists,
  ...overwrite,
  ...list,
  ...keys,
  ...concurrency,
  ...batched,
  ...remove,
  ...refs,
  ...ownership,
  ...deadline,
  ...ping,
  ...stability,
  ...differential,
  ...remoteBackend,
]);
