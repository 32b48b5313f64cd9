package io.tapnfs.portmap.xdr;

import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;

/** Reads one value of {@code T} from untrusted XDR; {@code Rpcb::decode} and friends. */
@FunctionalInterface
public interface XdrDecoder<T> {
  /**
   * @throws XdrMalformed when the bytes do not form a {@code T} within our bounds
   * @throws IOException when the stream itself fails (oncrpc4j: "xdr stream too short")
   */
  T decode(XdrDecodingStream in) throws IOException;
}
