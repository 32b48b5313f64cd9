package io.tapnfs.rpc;

import java.io.IOException;
import org.dcache.oncrpc4j.xdr.Xdr;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;

/**
 * Length checks for variable-length XDR items (RFC 4506 §4.10 opaque, §4.11 string, §4.13 arrays)
 * before anything is allocated: oncrpc4j 3.4.2 allocates what a message claims first. Programs
 * decode their arguments through these; a violation is {@link GarbageArgsException}, which the
 * dispatcher answers with GARBAGE_ARGS.
 */
public final class XdrChecks {
  private XdrChecks() {}

  /** Bytes left to decode in {@code in}, or {@code Integer.MAX_VALUE} if it cannot tell. */
  public static int remaining(XdrDecodingStream in) {
    return in instanceof Xdr x ? x.asBuffer().remaining() : Integer.MAX_VALUE;
  }

  /** Reads an opaque&lt;max&gt; whose body is really there. */
  public static byte[] opaque(XdrDecodingStream in, int max) throws IOException {
    int len = in.xdrDecodeInt();
    if (len < 0 || len > max) throw new GarbageArgsException("opaque of " + (len & 0xffffffffL) + " bytes, more than " + max);
    if (((len + 3L) & ~3L) > remaining(in)) throw new GarbageArgsException("opaque of " + len + " bytes, past the message");
    byte[] b = new byte[len];
    in.xdrDecodeOpaque(b, 0, len);
    return b;
  }
}
