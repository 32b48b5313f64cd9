package io.tapnfs.portmap.xdr;

import java.io.IOException;
import java.util.List;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * Result of PMAPPROC_DUMP, RFC 1833 §3.1:
 * <pre>
 * struct *pmaplist { mapping map; pmaplist next; };
 * </pre>
 * On the wire: TRUE + mapping for each entry, then FALSE.
 */
public record Pmaplist(List<Mapping> entries) implements XdrType {
  /** Decoding bound for replies we read (tests, clients). */
  public static final int MAX_ENTRIES = 4096;

  public Pmaplist {
    entries = List.copyOf(entries);
  }

  public static Pmaplist decode(XdrDecodingStream in) throws IOException {
    return new Pmaplist(Xdrs.list(in, MAX_ENTRIES, Mapping::decode));
  }

  @Override
  public void encode(XdrEncodingStream out) {
    Xdrs.list(out, entries);
  }
}
