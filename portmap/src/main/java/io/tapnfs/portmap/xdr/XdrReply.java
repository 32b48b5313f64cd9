package io.tapnfs.portmap.xdr;

import java.util.Objects;
import org.dcache.oncrpc4j.xdr.XdrAble;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/** A reply body for {@code RpcCall.reply}: encodes one {@link XdrType}. Encode-only. */
public final class XdrReply implements XdrAble {
  private final XdrType value;

  private XdrReply(XdrType value) {
    this.value = Objects.requireNonNull(value);
  }

  public static XdrReply of(XdrType value) {
    return new XdrReply(value);
  }

  @Override
  public void xdrEncode(XdrEncodingStream out) {
    value.encode(out);
  }

  @Override
  public void xdrDecode(XdrDecodingStream in) {
    throw new UnsupportedOperationException("replies are encoded, never decoded");
  }
}
