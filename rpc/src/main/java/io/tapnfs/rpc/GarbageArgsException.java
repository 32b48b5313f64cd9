package io.tapnfs.rpc;

import org.dcache.oncrpc4j.rpc.OncRpcException;

/** Arguments that cannot be decoded: oncrpc4j's dispatcher answers GARBAGE_ARGS (RFC 5531 §9). */
public final class GarbageArgsException extends OncRpcException {
  private static final long serialVersionUID = 1L;

  public GarbageArgsException(String message) { super(message); }
}
