package io.tapnfs.nfs.nlm.xdr;

import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * {@code nlm4_shareargs}, for SHARE and UNSHARE (versions 3 and 4; XNFS §10.14 for the DOS
 * share modes):
 * <pre>
 * enum fsh4_mode   { fsm_DN = 0, fsm_DR = 1, fsm_DW = 2, fsm_DRW = 3 };    -- what others may not do
 * enum fsh4_access { fsa_NONE = 0, fsa_R = 1, fsa_W = 2, fsa_RW = 3 };    -- what the holder does
 * struct nlm4_share {
 *     string      caller_name&lt;LM_MAXSTRLEN&gt;;
 *     netobj      fh;
 *     netobj      oh;
 *     fsh4_mode   mode;
 *     fsh4_access access;
 * };
 * struct nlm4_shareargs { netobj cookie; nlm4_share share; bool reclaim; };
 * </pre>
 * {@code mode} and {@code access} are bit sets (bit 0 read, bit 1 write); other values are
 * GARBAGE_ARGS.
 */
public record NlmShareargs(byte[] cookie, String callerName, byte[] fh, byte[] oh, int mode, int access, boolean reclaim)
    implements NlmType {
  public static NlmShareargs decode(XdrDecodingStream in) throws IOException {
    byte[] cookie = NlmXdr.netobj(in);
    String name = NlmXdr.string(in, NlmXdr.LM_MAXSTRLEN);
    byte[] fh = NlmXdr.fh(in);
    byte[] oh = NlmXdr.netobj(in);
    int mode = enum3(in, "fsh4_mode");
    int access = enum3(in, "fsh4_access");
    return new NlmShareargs(cookie, name, fh, oh, mode, access, NlmXdr.bool(in));
  }

  private static int enum3(XdrDecodingStream in, String what) throws IOException {
    int v = in.xdrDecodeInt();
    if (v < 0 || v > 3) throw new io.tapnfs.rpc.GarbageArgsException(what + " " + v);
    return v;
  }

  @Override public void encode(XdrEncodingStream out, int version) {
    out.xdrEncodeDynamicOpaque(cookie);
    NlmXdr.string(out, callerName);
    out.xdrEncodeDynamicOpaque(fh);
    out.xdrEncodeDynamicOpaque(oh);
    out.xdrEncodeInt(mode);
    out.xdrEncodeInt(access);
    out.xdrEncodeBoolean(reclaim);
  }
}
