/** LMCache `MemoryFormat` (`lmcache/v1/memory_management.py`): how a memory object's bytes are laid out. */
import { ValueError } from "../errors";

/** Layout of a memory object's bytes, with LMCache's integer values (they go on the wire). */
export enum MemoryFormat {
  UNDEFINED = 0,
  /** `[2, num_layers, num_tokens, hidden_dim]` */
  KV_2LTD = 1,
  /** `[num_tokens, 2, hidden_dim]` */
  KV_T2D = 2,
  /** `[2, num_tokens, hidden_dim]` */
  KV_2TD = 3,
  /** Compressed bytes. */
  BINARY = 4,
  /** Plain byte buffer (`BytesBufferMemoryObj`). */
  BINARY_BUFFER = 5,
  /** `[1, num_layers, num_tokens, aligned_head_size]` */
  KV_MLA_FMT = 6,
  /** `[num_tokens, hidden_dim]`: encoder-cache (EC) tensors. */
  EC_TD = 7,
  /** `[num_tokens, hidden_dim]`: hidden-state tensors (upstream keeps it apart from EC_TD for serialisation). */
  HS_TD = 8,
}

/** `MemoryFormat.token_dim()`: which dimension of the shape counts tokens. */
export function tokenDim(fmt: MemoryFormat): number {
  switch (fmt) {
    case MemoryFormat.KV_2LTD:
      return 2;
    case MemoryFormat.KV_T2D:
      return 1;
    case MemoryFormat.KV_2TD:
      return 0;
    case MemoryFormat.BINARY:
    case MemoryFormat.BINARY_BUFFER:
      return 0;
    case MemoryFormat.KV_MLA_FMT:
      return 2;
    case MemoryFormat.EC_TD:
    case MemoryFormat.HS_TD:
      return 0;
    default:
      return 0;
  }
}

/** The largest upstream `MemoryFormat` value (`HS_TD`; a fork's `KV_DSA_INDEX_FMT = 7` is not upstream). */
const MAX_MEMORY_FORMAT = MemoryFormat.HS_TD;

/** Python `MemoryFormat(n)`: `ValueError("<n> is not a valid MemoryFormat")` for unknown ints. */
export function memoryFormatFromInt(n: number): MemoryFormat {
  if (!Number.isInteger(n) || n < 0 || n > MAX_MEMORY_FORMAT) throw new ValueError(`${n} is not a valid MemoryFormat`);
  return n as MemoryFormat;
}
