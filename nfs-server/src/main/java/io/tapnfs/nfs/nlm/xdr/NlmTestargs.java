package io.tapnfs.nfs.nlm.xdr;

import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * {@code nlm4_testargs}: {@code netobj cookie; bool exclusive; nlm4_lock alock;}. The argument
 * of TEST and TEST_MSG, and of GRANTED and GRANTED_MSG (the server's call back to a waiter).
 */
public record NlmTestargs(byte[] cookie, boolean exclusive, NlmLock alock) implements NlmType {
  public static NlmTestargs decode(XdrDecodingStream in, int version) throws IOException {
    byte[] cookie = NlmXdr.netobj(in);
    boolean exclusive = NlmXdr.bool(in);
    return new NlmTestargs(cookie, exclusive, NlmLock.decode(in, version));
  }

  @Override public void encode(XdrEncodingStream out, int version) {
    out.xdrEncodeDynamicOpaque(cookie);
    out.xdrEncodeBoolean(exclusive);
    alock.encode(out, version);
  }
}
