package io.tapnfs.portmap.xdr;

import java.io.IOException;
import java.util.Objects;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * GETPORT/GETADDR statistics for one (program, version, netid), an element of
 * {@code rpcbs_addrlist}, RFC 1833 §2.1:
 * <pre>
 * struct rpcbs_addrlist {
 *   rpcprog_t prog;
 *   rpcvers_t vers;
 *   int success;
 *   int failure;
 *   string netid&lt;&gt;;
 *   struct rpcbs_addrlist *next;
 * };
 * </pre>
 * The {@code next} pointer is the list's optional-data bool ({@link Xdrs#list}).
 */
public record RpcbsAddr(int prog, int vers, int success, int failure, String netid)
    implements XdrType {
  public RpcbsAddr {
    Xdrs.checkString("netid", Objects.requireNonNull(netid), Rpcb.MAX_NETID);
  }

  public static RpcbsAddr decode(XdrDecodingStream in) throws IOException {
    int prog = in.xdrDecodeInt();
    int vers = in.xdrDecodeInt();
    int success = in.xdrDecodeInt();
    int failure = in.xdrDecodeInt();
    return new RpcbsAddr(prog, vers, success, failure, Xdrs.string(in, Rpcb.MAX_NETID));
  }

  @Override
  public void encode(XdrEncodingStream out) {
    out.xdrEncodeInt(prog);
    out.xdrEncodeInt(vers);
    out.xdrEncodeInt(success);
    out.xdrEncodeInt(failure);
    Xdrs.string(out, netid);
  }
}
