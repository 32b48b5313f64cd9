package io.tapnfs.nfs.nlm.xdr;

import io.tapnfs.rpc.GarbageArgsException;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * {@code nlm4_res}: {@code netobj cookie; nlm4_stat stat;}, the result of LOCK, CANCEL, UNLOCK,
 * GRANTED and NM_LOCK, and the argument of their _RES forms.
 */
public record NlmRes(byte[] cookie, NlmStats stat) implements NlmType {
  public static NlmRes decode(XdrDecodingStream in) throws IOException {
    byte[] cookie = NlmXdr.netobj(in);
    int code = in.xdrDecodeInt();
    NlmStats s = NlmStats.of(code);
    if (s == null) throw new GarbageArgsException("nlm4_stats " + code);
    return new NlmRes(cookie, s);
  }

  @Override public void encode(XdrEncodingStream out, int version) {
    out.xdrEncodeDynamicOpaque(cookie);
    out.xdrEncodeInt(stat.code(version));
  }
}
