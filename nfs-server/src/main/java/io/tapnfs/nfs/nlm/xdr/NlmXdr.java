package io.tapnfs.nfs.nlm.xdr;

import io.tapnfs.rpc.GarbageArgsException;
import io.tapnfs.rpc.XdrChecks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * The bounds and base types of NLM (XNFS, Open Group C702, chapter 10 for versions 1 and 3; RFC
 * 1813 Appendix II for version 4), decoded through the rpc module's {@link XdrChecks} so nothing
 * is allocated before its length is checked against the limit and the message.
 */
public final class NlmXdr {
  private NlmXdr() {}

  /** {@code const LM_MAXSTRLEN = 1024}: caller_name. */
  public static final int LM_MAXSTRLEN = 1024;
  /** {@code const LM_MAXNAMELEN = 1025}: nlm_notify's name. */
  public static final int LM_MAXNAMELEN = 1025;
  /** {@code const MAXNETOBJ_SZ = 1024; typedef opaque netobj<MAXNETOBJ_SZ>}: cookie, oh, fh. */
  public static final int MAXNETOBJ_SZ = 1024;
  /**
   * The file handle in an NLM call is an NFSv3 handle, at most NFS3_FHSIZE (64) bytes: a longer
   * netobj is GARBAGE_ARGS, as Linux's lockd ({@code svcxdr_decode_fh}) decides.
   */
  public static final int FHSIZE = 64;

  /** Version 4 carries 64-bit offsets and lengths; versions 1 and 3 carry 32-bit ones. */
  public static boolean wide(int version) { return version >= 4; }

  /** A netobj (cookie or oh): {@code opaque<MAXNETOBJ_SZ>}. */
  public static byte[] netobj(XdrDecodingStream in) throws IOException { return XdrChecks.opaque(in, MAXNETOBJ_SZ); }

  /** The fh netobj, bounded to {@link #FHSIZE}. An empty one decodes (and is then a stale handle). */
  public static byte[] fh(XdrDecodingStream in) throws IOException { return XdrChecks.opaque(in, FHSIZE); }

  /** A {@code string<max>}, read as UTF-8 (host names are ASCII; other bytes become U+FFFD). */
  public static String string(XdrDecodingStream in, int max) throws IOException {
    return new String(XdrChecks.opaque(in, max), StandardCharsets.UTF_8);
  }

  public static void string(XdrEncodingStream out, String s) { out.xdrEncodeDynamicOpaque(s.getBytes(StandardCharsets.UTF_8)); }

  /** An XDR bool: 0 or 1, anything else GARBAGE_ARGS (RFC 4506 §4.4). */
  public static boolean bool(XdrDecodingStream in) throws IOException {
    int v = in.xdrDecodeInt();
    if (v != 0 && v != 1) throw new GarbageArgsException("bool " + v);
    return v == 1;
  }

  /** An offset or length: uint64 in version 4, {@code unsigned int} in 1 and 3 (as an unsigned long). */
  public static long offset(XdrDecodingStream in, int version) throws IOException {
    return wide(version) ? in.xdrDecodeLong() : in.xdrDecodeInt() & 0xffffffffL;
  }

  /** Writes an offset or length; in versions 1 and 3 the caller has already made it fit 32 bits. */
  public static void offset(XdrEncodingStream out, int version, long v) {
    if (wide(version)) out.xdrEncodeLong(v);
    else out.xdrEncodeInt((int) v);
  }
}
