package io.tapnfs.nfs.nlm.xdr;

import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * {@code nlm4_notify}: {@code string name<LM_MAXNAMELEN>; int32 state;}, the argument of
 * FREE_ALL. RFC 1813's text gives {@code int64 state}; Linux, the XNFS and every implementation
 * we know send 32 bits, which is what is read (a longer argument leaves bytes unread, harmlessly).
 */
public record NlmNotify(String name, int state) implements NlmType {
  public static NlmNotify decode(XdrDecodingStream in) throws IOException {
    String name = NlmXdr.string(in, NlmXdr.LM_MAXNAMELEN);
    return new NlmNotify(name, in.xdrDecodeInt());
  }

  @Override public void encode(XdrEncodingStream out, int version) {
    NlmXdr.string(out, name);
    out.xdrEncodeInt(state);
  }
}
