package io.tapnfs.portmap.xdr;

import java.io.IOException;
import java.util.Objects;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * CALLIT/INDIRECT statistics for one (program, version, procedure, netid), an element of
 * {@code rpcbs_rmtcalllist}, RFC 1833 §2.1:
 * <pre>
 * struct rpcbs_rmtcalllist {
 *   rpcprog_t prog;
 *   rpcvers_t vers;
 *   rpcproc_t proc;
 *   int success;
 *   int failure;
 *   int indirect;    -- whether callit or indirect
 *   string netid&lt;&gt;;
 *   struct rpcbs_rmtcalllist *next;
 * };
 * </pre>
 * Our rpcbind never forwards, so it always sends this list empty; decoded for completeness.
 */
public record RpcbsRmtcall(int prog, int vers, int proc, int success, int failure, int indirect,
    String netid) implements XdrType {
  public RpcbsRmtcall {
    Xdrs.checkString("netid", Objects.requireNonNull(netid), Rpcb.MAX_NETID);
  }

  public static RpcbsRmtcall decode(XdrDecodingStream in) throws IOException {
    int prog = in.xdrDecodeInt();
    int vers = in.xdrDecodeInt();
    int proc = in.xdrDecodeInt();
    int success = in.xdrDecodeInt();
    int failure = in.xdrDecodeInt();
    int indirect = in.xdrDecodeInt();
    return new RpcbsRmtcall(prog, vers, proc, success, failure, indirect,
        Xdrs.string(in, Rpcb.MAX_NETID));
  }

  @Override
  public void encode(XdrEncodingStream out) {
    out.xdrEncodeInt(prog);
    out.xdrEncodeInt(vers);
    out.xdrEncodeInt(proc);
    out.xdrEncodeInt(success);
    out.xdrEncodeInt(failure);
    out.xdrEncodeInt(indirect);
    Xdrs.string(out, netid);
  }
}
