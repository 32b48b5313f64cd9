package io.tapnfs.nfs.nlm.xdr;

import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/** {@code nlm4_cancargs}: {@code netobj cookie; bool block; bool exclusive; nlm4_lock alock;}, for CANCEL and CANCEL_MSG. */
public record NlmCancargs(byte[] cookie, boolean block, boolean exclusive, NlmLock alock) implements NlmType {
  public static NlmCancargs decode(XdrDecodingStream in, int version) throws IOException {
    byte[] cookie = NlmXdr.netobj(in);
    boolean block = NlmXdr.bool(in);
    boolean exclusive = NlmXdr.bool(in);
    return new NlmCancargs(cookie, block, exclusive, NlmLock.decode(in, version));
  }

  @Override public void encode(XdrEncodingStream out, int version) {
    out.xdrEncodeDynamicOpaque(cookie);
    out.xdrEncodeBoolean(block);
    out.xdrEncodeBoolean(exclusive);
    alock.encode(out, version);
  }
}
