/**
 * A workload shaped like LLM serving (ours): a few "system prompts" shared by many conversations,
 * each conversation growing by user turns, so later requests repeat long prefixes of earlier ones.
 * Tokens are chunked the way LMCache's token database does it: one key per FULL chunk of
 * `chunkSize` tokens, and each chunk hash is a hash of the whole prefix up to and including that
 * chunk (LMCache `ChunkedTokenDatabase` prefix hashing) — so equal prefixes give equal keys and a
 * hit on chunk i implies the request shares everything before it. A trailing partial chunk is not
 * stored (`save_unfull_chunk` defaults to False in LMCache).
 */
import { createHash } from "node:crypto";
import { Prng } from "./prng";

/** One inference request: its tokens and the prefix hashes of its full chunks. */
export interface WorkloadRequest {
  index: number;
  conversation: number;
  tokens: number;
  /** Prefix hashes, one per full chunk, in order (non-negative, below 2^48). */
  chunkHashes: number[];
}

export interface WorkloadOptions {
  requests: number;
  seed: number;
  chunkSize: number;
  /** Distinct system prompts (default 3). */
  systemPrompts?: number;
  /** Tokens per system prompt, as a multiple of `chunkSize` range (default 2..4 chunks). */
  systemPromptChunks?: [number, number];
  /** Tokens per user turn (default 0.5..2.5 chunks). */
  userTurnTokens?: [number, number];
  /** Probability that a request continues an earlier conversation (default 0.6). */
  continueProbability?: number;
  /** Vocabulary size for random tokens (default 32000, Llama-like). */
  vocab?: number;
}

/** Hash of `previous` (the prefix hash so far) and one chunk of tokens, kept below 2^48. */
export function prefixHash(previous: number, chunk: readonly number[]): number {
  const h = createHash("sha256");
  const buf = Buffer.alloc(8 + chunk.length * 4);
  buf.writeUIntLE(previous, 0, 6);
  for (let i = 0; i < chunk.length; i++) buf.writeUInt32LE(chunk[i]! >>> 0, 8 + i * 4);
  h.update(buf);
  return h.digest().readUIntLE(0, 6);
}

/** Prefix hashes of the full chunks of `tokens`. */
export function chunkPrefixHashes(tokens: readonly number[], chunkSize: number): number[] {
  const hashes: number[] = [];
  let previous = 0;
  for (let start = 0; start + chunkSize <= tokens.length; start += chunkSize) {
    previous = prefixHash(previous, tokens.slice(start, start + chunkSize));
    hashes.push(previous);
  }
  return hashes;
}

/** Generates `requests` requests deterministically from `seed`. */
export function generateWorkload(opts: WorkloadOptions): WorkloadRequest[] {
  if (!Number.isInteger(opts.chunkSize) || opts.chunkSize <= 0) throw new Error(`chunk size must be a positive integer, got ${opts.chunkSize}`);
  if (!Number.isInteger(opts.requests) || opts.requests < 0) throw new Error(`requests must be a non-negative integer, got ${opts.requests}`);
  const rng = new Prng(opts.seed);
  const vocab = opts.vocab ?? 32000;
  const randomTokens = (n: number): number[] => Array.from({ length: n }, () => rng.int(0, vocab - 1));
  const [minSys, maxSys] = opts.systemPromptChunks ?? [2, 4];
  const [minTurn, maxTurn] = opts.userTurnTokens ?? [Math.ceil(opts.chunkSize / 2), Math.ceil(opts.chunkSize * 2.5)];
  const systems = Array.from({ length: Math.max(1, opts.systemPrompts ?? 3) }, () =>
    randomTokens(rng.int(minSys, maxSys) * opts.chunkSize),
  );
  const conversations: number[][] = [];
  const out: WorkloadRequest[] = [];
  for (let index = 0; index < opts.requests; index++) {
    let conversation: number;
    if (conversations.length > 0 && rng.next() < (opts.continueProbability ?? 0.6)) {
      conversation = rng.int(0, conversations.length - 1);
    } else {
      conversations.push([...rng.pick(systems)]);
      conversation = conversations.length - 1;
    }
    const tokens = conversations[conversation]!;
    tokens.push(...randomTokens(rng.int(minTurn, maxTurn)));
    out.push({ index, conversation, tokens: tokens.length, chunkHashes: chunkPrefixHashes(tokens, opts.chunkSize) });
  }
  return out;
}
