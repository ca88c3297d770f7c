/**
 * Which LMCache connector the kit ports a connector instance is (ours): the report says "LMCache's
 * own FSConnector behaves this way too" only for the kit's own ports, never for a user's class
 * that happens to share the name.
 */
import { FSConnector } from "../connector/adapters/fs-connector";
import { RedisConnector } from "../connector/adapters/redis-connector";
import type { RemoteConnector } from "../connector/base-connector";
import type { UpstreamPort } from "./types";

/** `FSConnector` / `RedisConnector` when `inner` is the kit's faithful port of it; else null. */
export function upstreamPortOf(inner: RemoteConnector): UpstreamPort | null {
  if (inner instanceof FSConnector) return "FSConnector";
  if (inner instanceof RedisConnector) return "RedisConnector";
  return null;
}
