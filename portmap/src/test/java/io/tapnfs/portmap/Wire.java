package io.tapnfs.portmap;

import io.tapnfs.portmap.xdr.XdrType;
import java.util.function.Consumer;
import org.dcache.oncrpc4j.xdr.Xdr;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;
import org.glassfish.grizzly.Buffer;

/** XDR bytes for tests. */
final class Wire {
  private Wire() { }

  static byte[] xdr(Consumer<XdrEncodingStream> body) {
    Xdr x = new Xdr(64);
    x.beginEncoding();
    body.accept(x);
    x.endEncoding();
    Buffer b = x.asBuffer();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  static byte[] encode(XdrType value) {
    return xdr(value::encode);
  }

  /** Big-endian 32-bit words. */
  static byte[] words(int... words) {
    return xdr(x -> {
      for (int w : words) x.xdrEncodeInt(w);
    });
  }

  static Xdr decoding(byte[] bytes) {
    Xdr x = new Xdr(bytes.clone());
    x.beginDecoding();
    return x;
  }
}
