package io.tapnfs.portmap.xdr;

import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrAble;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * Call arguments for {@code RpcCall.retrieveCall}: decodes one {@code T} with the given decoder.
 * Decode-only; encoding it is a programming error.
 */
public final class XdrArgs<T> implements XdrAble {
  private final XdrDecoder<T> decoder;
  private T value;

  private XdrArgs(XdrDecoder<T> decoder) {
    this.decoder = decoder;
  }

  public static <T> XdrArgs<T> of(XdrDecoder<T> decoder) {
    return new XdrArgs<>(decoder);
  }

  @Override
  public void xdrDecode(XdrDecodingStream in) throws IOException {
    value = decoder.decode(in);
  }

  @Override
  public void xdrEncode(XdrEncodingStream out) {
    throw new UnsupportedOperationException("call arguments are decoded, never encoded");
  }

  /** The decoded value; {@code null} before {@link #xdrDecode} succeeded. */
  public T value() {
    return value;
  }
}
