package io.tapnfs.portmap;

import java.util.Optional;

/**
 * The transport address ("taddr") of an inet netid: the bytes of a {@code struct sockaddr_in},
 * carried in a {@link io.tapnfs.portmap.xdr.Netbuf} by RPCBPROC_UADDR2TADDR / TADDR2UADDR
 * (RFC 1833 §2.1 leaves the layout to the transport; rpcbind hands out the host's own struct).
 * <pre>
 *  0      1      2      3      4                  8                          16
 * +------+------+------+------+------+----+----+---+--------------------------+
 * | sin_family  |  sin_port   |      sin_addr     |        sin_zero[8]       |
 * +------+------+------+------+------+----+----+---+--------------------------+
 *   host order    network order   network order
 * </pre>
 * Linux on a little-endian host writes AF_INET (2) as {@code 02 00}; we emit that, as the Linux
 * rpcbind the kernel and libtirpc are used to would. We accept three spellings of the family:
 * {@code 02 00} (Linux, little-endian), {@code 00 02} (big-endian hosts) and {@code 10 02} (BSD,
 * whose first byte is {@code sin_len} = 16). Anything else, or any length but 16, is rejected.
 */
public final class SockaddrIn {
  /** {@code sizeof(struct sockaddr_in)}. */
  public static final int LEN = 16;
  static final int FAMILY = 0, PORT = 2, ADDR = 4;
  static final int AF_INET = 2;

  private SockaddrIn() { }

  /** The 16 bytes of {@code a} as Linux little-endian lays them out. */
  public static byte[] emit(UniversalAddress a) {
    byte[] b = new byte[LEN];
    b[FAMILY] = AF_INET;
    b[FAMILY + 1] = 0;
    b[PORT] = (byte) (a.port() >>> 8);
    b[PORT + 1] = (byte) a.port();
    System.arraycopy(a.addressBytes(), 0, b, ADDR, 4);
    return b;
  }

  /** Parses untrusted bytes; empty unless they are an AF_INET sockaddr_in (see class comment). */
  public static Optional<UniversalAddress> parse(byte[] b) {
    if (b.length != LEN) return Optional.empty();
    int f0 = b[FAMILY] & 0xff, f1 = b[FAMILY + 1] & 0xff;
    boolean inet = (f0 == AF_INET && f1 == 0) || (f0 == 0 && f1 == AF_INET)
        || (f0 == LEN && f1 == AF_INET);
    if (!inet) return Optional.empty();
    int port = (b[PORT] & 0xff) << 8 | b[PORT + 1] & 0xff;
    int addr = (b[ADDR] & 0xff) << 24 | (b[ADDR + 1] & 0xff) << 16 | (b[ADDR + 2] & 0xff) << 8
        | b[ADDR + 3] & 0xff;
    return Optional.of(new UniversalAddress(addr, port));
  }
}
