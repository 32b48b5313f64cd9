package io.tapnfs.nfs.nlm.xdr;

import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/** {@code nlm4_unlockargs}: {@code netobj cookie; nlm4_lock alock;}, for UNLOCK and UNLOCK_MSG. */
public record NlmUnlockargs(byte[] cookie, NlmLock alock) implements NlmType {
  public static NlmUnlockargs decode(XdrDecodingStream in, int version) throws IOException {
    byte[] cookie = NlmXdr.netobj(in);
    return new NlmUnlockargs(cookie, NlmLock.decode(in, version));
  }

  @Override public void encode(XdrEncodingStream out, int version) {
    out.xdrEncodeDynamicOpaque(cookie);
    alock.encode(out, version);
  }
}
