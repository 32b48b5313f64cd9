package io.tapnfs.portmap.xdr;

import java.io.IOException;
import java.util.Arrays;
import java.util.HexFormat;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * A transport-specific address ("taddr"), RFC 1833 §2.1:
 * <pre>
 * struct netbuf {
 *   unsigned int maxlen;
 *   opaque buf&lt;&gt;;
 * };
 * </pre>
 * Result of RPCBPROC_UADDR2TADDR, argument of RPCBPROC_TADDR2UADDR. For the inet netids the
 * bytes are a {@code struct sockaddr_in} in the host's layout (see
 * {@link io.tapnfs.portmap.SockaddrIn}). Immutable: the array is copied in and out.
 */
public final class Netbuf implements XdrType {
  /** Our bound: {@code sizeof(struct sockaddr_storage)} on Linux. */
  public static final int MAX_BUF = 128;
  /** What rpcbind answers UADDR2TADDR when the address does not convert. */
  public static final Netbuf EMPTY = new Netbuf(0, new byte[0]);

  private final int maxlen;
  private final byte[] buf;

  public Netbuf(int maxlen, byte[] buf) {
    if (buf.length > MAX_BUF) throw new IllegalArgumentException("netbuf over " + MAX_BUF);
    this.maxlen = maxlen;
    this.buf = buf.clone();
  }

  public static Netbuf decode(XdrDecodingStream in) throws IOException {
    int maxlen = in.xdrDecodeInt();
    return new Netbuf(maxlen, Xdrs.opaque(in, MAX_BUF));
  }

  @Override
  public void encode(XdrEncodingStream out) {
    out.xdrEncodeInt(maxlen);
    out.xdrEncodeDynamicOpaque(buf);
  }

  /** Unsigned 32-bit value held in an {@code int}. */
  public int maxlen() {
    return maxlen;
  }

  public byte[] buf() {
    return buf.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Netbuf n && n.maxlen == maxlen && Arrays.equals(n.buf, buf);
  }

  @Override
  public int hashCode() {
    return 31 * maxlen + Arrays.hashCode(buf);
  }

  @Override
  public String toString() {
    return "Netbuf[maxlen=" + Integer.toUnsignedString(maxlen) + ", buf="
        + HexFormat.of().formatHex(buf) + "]";
  }
}
