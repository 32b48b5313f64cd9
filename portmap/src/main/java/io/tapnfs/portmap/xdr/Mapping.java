package io.tapnfs.portmap.xdr;

import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * A port mapper (PMAP v2) mapping, RFC 1833 §3.1:
 * <pre>
 * struct mapping {
 *   unsigned int prog;
 *   unsigned int vers;
 *   unsigned int prot;   -- IPPROTO_TCP = 6, IPPROTO_UDP = 17
 *   unsigned int port;
 * };
 * </pre>
 * Argument of PMAPPROC_SET, UNSET and GETPORT (which ignores {@code port}); element of
 * {@link Pmaplist}. Unsigned values held in {@code int}s.
 */
public record Mapping(int prog, int vers, int prot, int port) implements XdrType {
  public static final int IPPROTO_TCP = 6, IPPROTO_UDP = 17;

  public static Mapping decode(XdrDecodingStream in) throws IOException {
    return new Mapping(in.xdrDecodeInt(), in.xdrDecodeInt(), in.xdrDecodeInt(), in.xdrDecodeInt());
  }

  @Override
  public void encode(XdrEncodingStream out) {
    out.xdrEncodeInt(prog);
    out.xdrEncodeInt(vers);
    out.xdrEncodeInt(prot);
    out.xdrEncodeInt(port);
  }
}
