package io.tapnfs.portmap;

import java.util.Objects;

/**
 * One entry of the rpcbind table: program {@code program} version {@code version} is served on
 * {@code netid} at {@code port} of the stack's address. {@code program}/{@code version} are
 * unsigned 32-bit values held in {@code int}s.
 *
 * @param owner RFC 1833 {@code r_owner}: printable ASCII, at most {@link #MAX_OWNER} chars
 */
public record Registration(int program, int version, Netid netid, int port, String owner) {
  /** Bound on in-process owners (Linux rpcbind keeps 64 bytes, {@code char owner[64]}). */
  public static final int MAX_OWNER = 63;

  public Registration {
    Objects.requireNonNull(netid, "netid");
    Objects.requireNonNull(owner, "owner");
    if (port < 1 || port > 0xffff) throw new IllegalArgumentException("port " + port);
    if (owner.length() > MAX_OWNER) throw new IllegalArgumentException("owner over " + MAX_OWNER);
    for (int i = 0; i < owner.length(); i++) {
      char c = owner.charAt(i);
      if (c < 0x20 || c > 0x7e) throw new IllegalArgumentException("owner not printable ASCII");
    }
  }

  /** Whether this entry answers for {@code (program, version, netid)}. */
  boolean sameKey(int program, int version, Netid netid) {
    return this.program == program && this.version == version && this.netid == netid;
  }

  @Override
  public String toString() {
    return Integer.toUnsignedString(program) + " v" + Integer.toUnsignedString(version) + " "
        + netid + " " + port + " " + owner;
  }
}
