package io.tapnfs.portmap.xdr;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * Bounded XDR primitives (RFC 4506) for untrusted input.
 *
 * <p>oncrpc4j's {@code xdrDecodeString}/{@code xdrDecodeDynamicOpaque} allocate the length read
 * from the wire before checking that many bytes follow, so a 40-byte datagram can ask for 2 GiB;
 * rpcbind itself had that bug (CVE-2017-8779, "rpcbomb"). Here every variable-length item has a
 * bound, checked before allocation.
 */
public final class Xdrs {
  private Xdrs() { }

  /** RFC 4506 §4.4: a bool is an enum {FALSE = 0, TRUE = 1}; any other value is malformed. */
  public static boolean bool(XdrDecodingStream in) throws IOException {
    int v = in.xdrDecodeInt();
    if (v != 0 && v != 1) throw new XdrMalformed("bool is " + v);
    return v == 1;
  }

  /** RFC 4506 §4.10: {@code opaque<>}, at most {@code max} bytes. */
  public static byte[] opaque(XdrDecodingStream in, int max) throws IOException {
    int len = in.xdrDecodeInt();
    if (len < 0 || len > max) {
      throw new XdrMalformed("opaque length " + Integer.toUnsignedString(len) + " over " + max);
    }
    byte[] b = new byte[len];
    in.xdrDecodeOpaque(b, 0, len);          // checks len + padding are present
    return b;
  }

  /**
   * RFC 4506 §4.11: {@code string<>}, at most {@code max} bytes. Netids and universal addresses
   * are US-ASCII (RFC 5665); bytes map one-to-one to chars (ISO-8859-1), so a non-ASCII
   * string never equals an ASCII one.
   */
  public static String string(XdrDecodingStream in, int max) throws IOException {
    return new String(opaque(in, max), StandardCharsets.ISO_8859_1);
  }

  /** Writes {@code s} (one byte per char, checked by the value's constructor) as {@code string<>}. */
  public static void string(XdrEncodingStream out, String s) {
    out.xdrEncodeDynamicOpaque(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  /**
   * A linked list on the wire, RFC 4506 §4.19 "optional-data": each element preceded by TRUE,
   * the end by FALSE ({@code struct x { T item; x *next; }} and {@code T *list} both look so).
   */
  public static <T> List<T> list(XdrDecodingStream in, int max, XdrDecoder<T> element)
      throws IOException {
    List<T> out = new ArrayList<>();
    while (bool(in)) {
      if (out.size() == max) throw new XdrMalformed("list longer than " + max);
      out.add(element.decode(in));
    }
    return List.copyOf(out);
  }

  /** Writes {@code items} as an optional-data linked list (see {@link #list}). */
  public static <T extends XdrType> void list(XdrEncodingStream out, List<T> items) {
    for (T item : items) {
      out.xdrEncodeBoolean(true);
      item.encode(out);
    }
    out.xdrEncodeBoolean(false);
  }

  /**
   * Checks a string field of a value we build: at most {@code max} bytes once written, every char
   * one byte (decoded strings are ISO-8859-1, so they always pass).
   */
  static String checkString(String what, String s, int max) {
    if (s.length() > max) throw new IllegalArgumentException(what + " longer than " + max);
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) > 0xff) throw new IllegalArgumentException(what + " has a non-byte char");
    }
    return s;
  }
}
