package io.tapnfs.portmap.xdr;

import java.io.IOException;
import java.util.Objects;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * One address of a service plus the netconfig facts about its transport, RFC 1833 §2.1:
 * <pre>
 * struct rpcb_entry {
 *   string          r_maddr&lt;&gt;;        -- merged address of service
 *   string          r_nc_netid&lt;&gt;;     -- netid field
 *   unsigned int    r_nc_semantics;   -- semantics of transport
 *   string          r_nc_protofmly&lt;&gt;; -- protocol family
 *   string          r_nc_proto&lt;&gt;;     -- protocol name
 * };
 * </pre>
 * The {@code r_nc_*} values are those of netconfig(5): "tcp" is {@code tpi_cots_ord} (3), "inet",
 * "tcp"; "udp" is {@code tpi_clts} (1), "inet", "udp".
 */
public record RpcbEntry(String maddr, String netid, int semantics, String protofmly, String proto)
    implements XdrType {
  /** netconfig(5) semantics values. */
  public static final int NC_TPI_CLTS = 1, NC_TPI_COTS = 2, NC_TPI_COTS_ORD = 3, NC_TPI_RAW = 4;
  /** Our bound on the short netconfig strings ("inet", "tcp"). */
  public static final int MAX_NC_STRING = 32;

  public RpcbEntry {
    Xdrs.checkString("r_maddr", Objects.requireNonNull(maddr), Rpcb.MAX_ADDR);
    Xdrs.checkString("r_nc_netid", Objects.requireNonNull(netid), Rpcb.MAX_NETID);
    Xdrs.checkString("r_nc_protofmly", Objects.requireNonNull(protofmly), MAX_NC_STRING);
    Xdrs.checkString("r_nc_proto", Objects.requireNonNull(proto), MAX_NC_STRING);
  }

  public static RpcbEntry decode(XdrDecodingStream in) throws IOException {
    String maddr = Xdrs.string(in, Rpcb.MAX_ADDR);
    String netid = Xdrs.string(in, Rpcb.MAX_NETID);
    int semantics = in.xdrDecodeInt();
    String protofmly = Xdrs.string(in, MAX_NC_STRING);
    String proto = Xdrs.string(in, MAX_NC_STRING);
    return new RpcbEntry(maddr, netid, semantics, protofmly, proto);
  }

  @Override
  public void encode(XdrEncodingStream out) {
    Xdrs.string(out, maddr);
    Xdrs.string(out, netid);
    out.xdrEncodeInt(semantics);
    Xdrs.string(out, protofmly);
    Xdrs.string(out, proto);
  }
}
