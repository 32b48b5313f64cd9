package io.tapnfs.nfs.nlm.xdr;

import io.tapnfs.rpc.GarbageArgsException;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * {@code nlm4_testres}, the result of TEST and the argument of TEST_RES:
 * <pre>
 * union nlm4_testrply switch (nlm4_stats stat) {
 *     case NLM4_DENIED: nlm4_holder holder;
 *     default:          void;
 * };
 * struct nlm4_testres { netobj cookie; nlm4_testrply stat; };
 * </pre>
 * {@code holder} is set exactly when {@code stat} is DENIED.
 */
public record NlmTestres(byte[] cookie, NlmStats stat, NlmHolder holder) implements NlmType {
  public NlmTestres {
    if ((stat == NlmStats.DENIED) != (holder != null)) throw new IllegalArgumentException(stat + " with holder " + holder);
  }

  public static NlmTestres decode(XdrDecodingStream in, int version) throws IOException {
    byte[] cookie = NlmXdr.netobj(in);
    int code = in.xdrDecodeInt();
    NlmStats s = NlmStats.of(code);
    if (s == null) throw new GarbageArgsException("nlm4_stats " + code);
    return new NlmTestres(cookie, s, s == NlmStats.DENIED ? NlmHolder.decode(in, version) : null);
  }

  @Override public void encode(XdrEncodingStream out, int version) {
    out.xdrEncodeDynamicOpaque(cookie);
    out.xdrEncodeInt(stat.code(version));
    if (holder != null) holder.encode(out, version);
  }
}
