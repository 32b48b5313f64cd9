package io.tapnfs.portmap.xdr;

import java.io.IOException;

/**
 * Untrusted XDR that does not decode: too short, a length over our bound, a bool that is neither
 * 0 nor 1. No stack trace (bad input is an expected outcome, not a bug); the dispatcher answers
 * GARBAGE_ARGS and counts it.
 *
 * <p>An {@link IOException} because {@link org.dcache.oncrpc4j.xdr.XdrAble#xdrDecode} may only
 * throw that (oncrpc4j's own {@code BadXdrOncRpcException} has no public constructor).
 */
public final class XdrMalformed extends IOException {
  private static final long serialVersionUID = 1L;

  public XdrMalformed(String message) {
    super(message);
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
