package io.tapnfs.nfs.nsm;

import io.tapnfs.netstack.ipv4.Ipv4Address;
import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One monitored client: the name it gives in its lock calls (NLM's {@code caller_name}, at most
 * SM_MAXSTRLEN bytes of UTF-8, not empty) and the address its calls came from. Names compare as
 * host names do, ignoring ASCII case ({@link #key}).
 *
 * <p>On disk one record is one file (as nfs-utils' {@code /var/lib/nfs/sm/<name>}), named by
 * {@link #fileName}, holding two lines:
 * <pre>
 *   name=guest.example
 *   address=10.77.0.3
 * </pre>
 * The name percent-encoded (every byte of its UTF-8 outside {@code [A-Za-z0-9._-]} as {@code %XX}),
 * so that no name can add a line; the address as a dotted quad (the stack is IPv4 only).
 */
public record MonitorRecord(String name, Inet4Address address) {
  /** Longest file name {@link #fileName} makes without hashing; names past it are cut and hashed. */
  static final int MAX_PLAIN_FILE_NAME = 200, CUT = 160, HASH_HEX = 32;
  /** Longest record file we read: the name may take three bytes per byte, plus the address. */
  static final int MAX_FILE_BYTES = 3 * NsmXdr.SM_MAXSTRLEN + 64;

  public MonitorRecord {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(address, "address");
    int n = name.getBytes(StandardCharsets.UTF_8).length;
    if (n == 0 || n > NsmXdr.SM_MAXSTRLEN) throw new IllegalArgumentException("a client name of " + n + " bytes");
  }

  /** The name as records are matched: ASCII letters lower-cased, nothing else changed. */
  public static String key(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
    }
    return b.toString();
  }

  /**
   * The file a record of {@code name} lives in, inside {@code sm/} or {@code sm.bak/}: the key
   * percent-encoded, so it never holds '/', NUL or anything but {@code [a-z0-9._%-]}; a leading
   * '.' encoded too, so it is never ".", ".." or one of our temporary files (which start with a
   * '.'); and over {@value #MAX_PLAIN_FILE_NAME} characters, its first {@value #CUT} then '~' and
   * 32 hex digits of the key's SHA-256 (at most 193 characters, under every file system's 255; no
   * plain name has a '~', which is encoded).
   */
  public static String fileName(String name) {
    String k = key(name);
    String e = encode(k);
    if (e.startsWith(".")) e = "%2E" + e.substring(1);
    if (e.length() <= MAX_PLAIN_FILE_NAME) return e;
    return e.substring(0, CUT) + "~" + HexFormat.of().formatHex(sha256(k.getBytes(StandardCharsets.UTF_8))).substring(0, HASH_HEX);
  }

  public String fileName() { return fileName(name); }

  /** The file's contents. */
  String format() { return "name=" + encode(name) + "\naddress=" + address.getHostAddress() + "\n"; }

  /** A record file's contents, or null when they are not what {@link #format} writes. */
  static MonitorRecord parse(String text) {
    String[] lines = text.split("\n", -1);
    if (lines.length != 3 || !lines[2].isEmpty() || !lines[0].startsWith("name=") || !lines[1].startsWith("address=")) return null;
    String name = decode(lines[0].substring("name=".length()));
    if (name == null) return null;
    try {
      return new MonitorRecord(name, (Inet4Address) Ipv4Address.parse(lines[1].substring("address=".length())).toInet());
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static boolean plain(int b) {
    return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '.' || b == '_' || b == '-';
  }

  static String encode(String s) {
    StringBuilder b = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      int v = x & 0xff;
      if (plain(v)) b.append((char) v);
      else b.append('%').append(Character.toUpperCase(Character.forDigit(v >> 4, 16))).append(Character.toUpperCase(Character.forDigit(v & 15, 16)));
    }
    return b.toString();
  }

  /** The inverse of {@link #encode}; null for anything it would not have written. */
  static String decode(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length()) {
        int hi = Character.digit(s.charAt(i + 1), 16), lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) return null;
        int v = hi << 4 | lo;
        if (plain(v)) return null;
        out.write(v);
        i += 2;
      } else if (c < 128 && plain(c)) {
        out.write(c);
      } else {
        return null;
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256", e);
    }
  }

  @Override public String toString() { return name + "@" + address.getHostAddress(); }
}
