package io.tapnfs.nfs.nlm.xdr;

import io.tapnfs.nfs.lock.LockRange;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * {@code nlm_holder} / {@code nlm4_holder}: the lock in the way, in a TEST answer.
 * <pre>
 * struct nlm4_holder {
 *     bool     exclusive;
 *     int32    svid;
 *     netobj   oh;
 *     uint64   l_offset;      -- unsigned int in nlm_holder
 *     uint64   l_len;
 * };
 * </pre>
 */
public record NlmHolder(boolean exclusive, int svid, byte[] oh, long offset, long length) {
  static final long MAX32 = 0xffffffffL;

  /**
   * The holder of a lock on {@code range}. Versions 1 and 3 see it through 32 bits, as Linux
   * clamps ({@code loff_t_to_s32}): an offset past 2^32 - 1 is 2^32 - 1, and a range that goes
   * past it runs to the end (l_len 0).
   */
  public static NlmHolder of(boolean exclusive, int svid, byte[] oh, LockRange range, int version) {
    if (NlmXdr.wide(version)) return new NlmHolder(exclusive, svid, oh, range.offset(), range.length());
    long offset = Long.compareUnsigned(range.offset(), MAX32) > 0 ? MAX32 : range.offset();
    long length = range.last() == LockRange.TO_EOF || Long.compareUnsigned(range.last(), MAX32) > 0 ? 0 : range.length();
    return new NlmHolder(exclusive, svid, oh, offset, length);
  }

  public static NlmHolder decode(XdrDecodingStream in, int version) throws IOException {
    boolean exclusive = NlmXdr.bool(in);
    int svid = in.xdrDecodeInt();
    byte[] oh = NlmXdr.netobj(in);
    long offset = NlmXdr.offset(in, version);
    return new NlmHolder(exclusive, svid, oh, offset, NlmXdr.offset(in, version));
  }

  public void encode(XdrEncodingStream out, int version) {
    out.xdrEncodeBoolean(exclusive);
    out.xdrEncodeInt(svid);
    out.xdrEncodeDynamicOpaque(oh);
    NlmXdr.offset(out, version, offset);
    NlmXdr.offset(out, version, length);
  }
}
