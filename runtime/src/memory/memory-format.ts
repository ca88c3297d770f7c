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
    default:
      return 0;
  }
}

/** Python `MemoryFormat(n)`: `ValueError("<n> is not a valid MemoryFormat")` for unknown ints. */
export function memoryFormatFromInt(n: number): MemoryFormat {
  if (!Number.isInteger(n) || n < 0 || n > 6) throw new ValueError(`${n} is not a valid MemoryFormat`);
  return n as MemoryFormat;
}
