package io.tapnfs.nfs.v3.xdr;

import io.tapnfs.rpc.GarbageArgsException;
import io.tapnfs.rpc.XdrChecks;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/** Small XDR pieces shared by the NFSv3 types (RFC 4506 encodings, RFC 1813 §2.5 base types). */
public final class Xdr3 {
  private Xdr3() {}

  /** RFC 1813 §2.4: NFS3_FHSIZE, NFS3_COOKIEVERFSIZE, NFS3_CREATEVERFSIZE, NFS3_WRITEVERFSIZE. */
  public static final int FHSIZE = 64, COOKIEVERFSIZE = 8, CREATEVERFSIZE = 8, WRITEVERFSIZE = 8;

  /** XDR length of an opaque&lt;&gt; or string of {@code n} bytes: length word plus padded body. */
  public static int opaqueLen(int n) { return 4 + ((n + 3) & ~3); }

  /** A uint32 as a non-negative long. */
  public static long uint32(XdrDecodingStream in) throws IOException { return in.xdrDecodeInt() & 0xffffffffL; }

  /** A bool that must be 0 or 1 (RFC 4506 §4.4). */
  public static boolean bool(XdrDecodingStream in) throws IOException {
    int v = in.xdrDecodeInt();
    if (v != 0 && v != 1) throw new GarbageArgsException("bool " + v);
    return v == 1;
  }

  /** An enum value in [0, max] (RFC 4506 §4.3: other values are not valid). */
  public static int enumValue(XdrDecodingStream in, int max, String what) throws IOException {
    int v = in.xdrDecodeInt();
    if (v < 0 || v > max) throw new GarbageArgsException(what + " " + v);
    return v;
  }

  /** Fixed-length opaque[n] (cookieverf3, createverf3, writeverf3): exactly n bytes, no length word. */
  public static byte[] fixed(XdrDecodingStream in, int n) throws IOException {
    if (((n + 3L) & ~3L) > XdrChecks.remaining(in)) throw new GarbageArgsException("opaque[" + n + "] past the message");
    byte[] b = new byte[n];
    in.xdrDecodeOpaque(b, 0, n);
    return b;
  }

  /**
   * A variable-length opaque whose length may exceed what the protocol allows: returns its bytes
   * when {@code length <= max}, or null after skipping it when it is longer but inside the
   * message (the caller answers with a status); past the message is GARBAGE_ARGS.
   */
  public static byte[] opaqueOrNull(XdrDecodingStream in, int max) throws IOException {
    int len = in.xdrDecodeInt();
    if (len < 0) throw new GarbageArgsException("opaque of " + (len & 0xffffffffL) + " bytes");
    long padded = (len + 3L) & ~3L;
    if (padded > XdrChecks.remaining(in)) throw new GarbageArgsException("opaque of " + len + " bytes, past the message");
    if (len <= max) {
      byte[] b = new byte[len];
      in.xdrDecodeOpaque(b, 0, len);
      return b;
    }
    byte[] skip = new byte[4096];
    for (long left = padded; left > 0; ) {
      int n = (int) Math.min(skip.length, left);
      in.xdrDecodeOpaque(skip, 0, n);   // n is a multiple of 4: no padding consumed past the item
      left -= n;
    }
    return null;
  }

  /** Writes a uint64 given as an unsigned long. */
  public static void uint64(XdrEncodingStream out, long v) { out.xdrEncodeLong(v); }

  /** Writes a uint32, clamping a larger value to 2^32-1. */
  public static void uint32Clamped(XdrEncodingStream out, long v) {
    out.xdrEncodeInt((int) Math.max(0, Math.min(v, 0xffffffffL)));
  }
}
