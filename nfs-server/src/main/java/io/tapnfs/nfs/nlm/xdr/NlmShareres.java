package io.tapnfs.nfs.nlm.xdr;

import io.tapnfs.rpc.GarbageArgsException;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/** {@code nlm4_shareres}: {@code netobj cookie; nlm4_stats stat; int32 sequence;}, the result of SHARE and UNSHARE. */
public record NlmShareres(byte[] cookie, NlmStats stat, int sequence) implements NlmType {
  public static NlmShareres decode(XdrDecodingStream in) throws IOException {
    byte[] cookie = NlmXdr.netobj(in);
    int code = in.xdrDecodeInt();
    NlmStats s = NlmStats.of(code);
    if (s == null) throw new GarbageArgsException("nlm4_stats " + code);
    return new NlmShareres(cookie, s, in.xdrDecodeInt());
  }

  @Override public void encode(XdrEncodingStream out, int version) {
    out.xdrEncodeDynamicOpaque(cookie);
    out.xdrEncodeInt(stat.code(version));
    out.xdrEncodeInt(sequence);
  }
}
