/** Tokens per chunk of the conformance model (ours); a module of its own so the CLI parent can read it without loading the engine. */
export const CHUNK_TOKENS = 256;
