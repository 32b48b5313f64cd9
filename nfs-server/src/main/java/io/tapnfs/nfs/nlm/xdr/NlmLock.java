package io.tapnfs.nfs.nlm.xdr;

import io.tapnfs.nfs.lock.LockRange;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * {@code nlm_lock} (XNFS §10.14, versions 1 and 3) and {@code nlm4_lock} (RFC 1813 Appendix II):
 * <pre>
 * struct nlm4_lock {
 *     string   caller_name&lt;LM_MAXSTRLEN&gt;;
 *     netobj   fh;
 *     netobj   oh;
 *     int32    svid;
 *     uint64   l_offset;      -- unsigned int in nlm_lock
 *     uint64   l_len;         -- unsigned int in nlm_lock
 * };
 * </pre>
 * {@code offset} and {@code length} hold the unsigned values as sent. The arrays are the
 * record's own (decoded fresh); do not change them.
 */
public record NlmLock(String callerName, byte[] fh, byte[] oh, int svid, long offset, long length) {
  public static NlmLock decode(XdrDecodingStream in, int version) throws IOException {
    String name = NlmXdr.string(in, NlmXdr.LM_MAXSTRLEN);
    byte[] fh = NlmXdr.fh(in);
    byte[] oh = NlmXdr.netobj(in);
    int svid = in.xdrDecodeInt();
    long offset = NlmXdr.offset(in, version);
    return new NlmLock(name, fh, oh, svid, offset, NlmXdr.offset(in, version));
  }

  public void encode(XdrEncodingStream out, int version) {
    NlmXdr.string(out, callerName);
    out.xdrEncodeDynamicOpaque(fh);
    out.xdrEncodeDynamicOpaque(oh);
    out.xdrEncodeInt(svid);
    NlmXdr.offset(out, version, offset);
    NlmXdr.offset(out, version, length);
  }

  /**
   * The range, l_len 0 meaning to the end of the file; null when l_offset + l_len passes 2^64
   * (only version 4 can: 32-bit fields always fit 64 bits).
   */
  public LockRange range() { return LockRange.of(offset, length); }
}
