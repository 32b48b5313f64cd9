package io.tapnfs.portmap.xdr;

import java.io.IOException;
import java.util.Objects;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * A mapping of (program, version, network id) to a universal address, RFC 1833 §2.1:
 * <pre>
 * struct rpcb {
 *   unsigned long r_prog;   -- program number
 *   unsigned long r_vers;   -- version number
 *   string r_netid&lt;&gt;;      -- network id
 *   string r_addr&lt;&gt;;       -- universal address
 *   string r_owner&lt;&gt;;      -- owner of this service
 * };
 * </pre>
 * Argument of SET, UNSET, GETADDR, GETVERSADDR, GETADDRLIST; element of DUMP's {@link RpcbList}.
 * {@code prog} and {@code vers} are unsigned 32-bit values held in an {@code int}.
 */
public record Rpcb(int prog, int vers, String netid, String addr, String owner) implements XdrType {
  /**
   * Our bounds; RFC 1833 sets none. Netids in use have at most 5 bytes (RFC 5665), an IPv6
   * universal address at most 52; 256 bytes of owner is far above "superuser" or a uid.
   */
  public static final int MAX_NETID = 32, MAX_ADDR = 128, MAX_OWNER = 256;

  public Rpcb {
    Xdrs.checkString("r_netid", Objects.requireNonNull(netid), MAX_NETID);
    Xdrs.checkString("r_addr", Objects.requireNonNull(addr), MAX_ADDR);
    Xdrs.checkString("r_owner", Objects.requireNonNull(owner), MAX_OWNER);
  }

  public static Rpcb decode(XdrDecodingStream in) throws IOException {
    int prog = in.xdrDecodeInt();
    int vers = in.xdrDecodeInt();
    String netid = Xdrs.string(in, MAX_NETID);
    String addr = Xdrs.string(in, MAX_ADDR);
    String owner = Xdrs.string(in, MAX_OWNER);
    return new Rpcb(prog, vers, netid, addr, owner);
  }

  @Override
  public void encode(XdrEncodingStream out) {
    out.xdrEncodeInt(prog);
    out.xdrEncodeInt(vers);
    Xdrs.string(out, netid);
    Xdrs.string(out, addr);
    Xdrs.string(out, owner);
  }
}
