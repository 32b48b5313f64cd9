package io.tapnfs.portmap.xdr;

import java.io.IOException;
import java.util.List;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * Result of RPCBPROC_DUMP (v3 and v4), RFC 1833 §2.1:
 * <pre>
 * struct rpcblist { rpcb rpcb_map; struct rpcblist *rpcb_next; };
 * </pre>
 * On the wire a {@code rpcblist_ptr}: TRUE + entry for each mapping, then FALSE.
 */
public record RpcbList(List<Rpcb> entries) implements XdrType {
  /** Decoding bound for replies we read (tests, clients); our DUMP is bounded by the table. */
  public static final int MAX_ENTRIES = 4096;

  public RpcbList {
    entries = List.copyOf(entries);
  }

  public static RpcbList decode(XdrDecodingStream in) throws IOException {
    return new RpcbList(Xdrs.list(in, MAX_ENTRIES, Rpcb::decode));
  }

  @Override
  public void encode(XdrEncodingStream out) {
    Xdrs.list(out, entries);
  }
}
