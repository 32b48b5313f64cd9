package io.tapnfs.portmap.xdr;

import java.io.IOException;
import java.util.List;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * Result of RPCBPROC_GETADDRLIST (v4), RFC 1833 §2.1:
 * <pre>
 * struct rpcb_entry_list { rpcb_entry rpcb_entry_map; struct rpcb_entry_list *rpcb_entry_next; };
 * typedef rpcb_entry_list *rpcb_entry_list_ptr;
 * </pre>
 */
public record RpcbEntryList(List<RpcbEntry> entries) implements XdrType {
  /** Decoding bound for replies we read (tests, clients). */
  public static final int MAX_ENTRIES = 4096;

  public RpcbEntryList {
    entries = List.copyOf(entries);
  }

  public static RpcbEntryList decode(XdrDecodingStream in) throws IOException {
    return new RpcbEntryList(Xdrs.list(in, MAX_ENTRIES, RpcbEntry::decode));
  }

  @Override
  public void encode(XdrEncodingStream out) {
    Xdrs.list(out, entries);
  }
}
