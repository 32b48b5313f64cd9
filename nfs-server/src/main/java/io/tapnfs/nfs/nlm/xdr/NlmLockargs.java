package io.tapnfs.nfs.nlm.xdr;

import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * {@code nlm4_lockargs}, the argument of LOCK, LOCK_MSG and NM_LOCK:
 * <pre>
 * struct nlm4_lockargs {
 *     netobj    cookie;
 *     bool      block;
 *     bool      exclusive;
 *     nlm4_lock alock;
 *     bool      reclaim;      -- used for recovering locks
 *     int32     state;        -- specify local status monitor state
 * };
 * </pre>
 */
public record NlmLockargs(byte[] cookie, boolean block, boolean exclusive, NlmLock alock, boolean reclaim, int state) implements NlmType {
  public static NlmLockargs decode(XdrDecodingStream in, int version) throws IOException {
    byte[] cookie = NlmXdr.netobj(in);
    boolean block = NlmXdr.bool(in);
    boolean exclusive = NlmXdr.bool(in);
    NlmLock alock = NlmLock.decode(in, version);
    boolean reclaim = NlmXdr.bool(in);
    return new NlmLockargs(cookie, block, exclusive, alock, reclaim, in.xdrDecodeInt());
  }

  @Override public void encode(XdrEncodingStream out, int version) {
    out.xdrEncodeDynamicOpaque(cookie);
    out.xdrEncodeBoolean(block);
    out.xdrEncodeBoolean(exclusive);
    alock.encode(out, version);
    out.xdrEncodeBoolean(reclaim);
    out.xdrEncodeInt(state);
  }
}
