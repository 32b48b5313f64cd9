package io.tapnfs.portmap.xdr;

import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * An immutable XDR value (RFC 4506) that can write itself. Decoding is a static {@code decode}
 * method on each type, so values never exist half-decoded; {@link XdrArgs} and {@link XdrReply}
 * adapt both directions to oncrpc4j's mutable {@link org.dcache.oncrpc4j.xdr.XdrAble}.
 */
public interface XdrType {
  /** Writes this value; cannot fail on a well-formed value (constructors check). */
  void encode(XdrEncodingStream out);
}
