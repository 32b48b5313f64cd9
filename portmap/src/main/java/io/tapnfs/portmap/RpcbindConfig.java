package io.tapnfs.portmap;

import java.util.Objects;
import java.util.function.Function;
import org.dcache.oncrpc4j.rpc.RpcTransport;

/**
 * Limits and policy of an {@link Rpcbind}.
 *
 * @param maxRegistrations in-process registrations kept besides rpcbind's own six (program
 *     100000 v2..v4 on tcp and udp); 1..{@value #MAX_REGISTRATIONS}. Also bounds DUMP's reply.
 * @param maxAddrStats GETSTAT address-statistics entries kept per rpcbind version;
 *     0..{@value #MAX_ADDR_STATS}
 * @param dumpOverUdp whether DUMP is answered on UDP. Off by default: a 40-byte DUMP datagram
 *     draws a reply many times its size, the reason portmap is on US-CERT's list of UDP
 *     amplification vectors (TA14-017A). rpcinfo(8) asks over TCP first. Needs
 *     {@code transportNetid} to tell UDP from TCP; with the default resolver nothing is refused.
 * @param transportNetid the netid ("tcp"/"udp") of the transport a call came in on, or null when
 *     unknown. Used when a GETADDR-family request leaves {@code r_netid} empty, and for
 *     {@code dumpOverUdp}. oncrpc4j's {@link RpcTransport} does not say, so the server wiring
 *     supplies it (e.g. one resolver per listener).
 */
public record RpcbindConfig(int maxRegistrations, int maxAddrStats, boolean dumpOverUdp,
    Function<RpcTransport, String> transportNetid) {
  public static final int MAX_REGISTRATIONS = 4096;
  public static final int MAX_ADDR_STATS = 4096;

  public RpcbindConfig {
    if (maxRegistrations < 1 || maxRegistrations > MAX_REGISTRATIONS) {
      throw new IllegalArgumentException("maxRegistrations " + maxRegistrations);
    }
    if (maxAddrStats < 0 || maxAddrStats > MAX_ADDR_STATS) {
      throw new IllegalArgumentException("maxAddrStats " + maxAddrStats);
    }
    Objects.requireNonNull(transportNetid, "transportNetid");
  }

  /** 64 registrations, 64 address statistics per version, no DUMP over UDP, transport unknown. */
  public static RpcbindConfig defaults() {
    return new RpcbindConfig(64, 64, false, t -> null);
  }

  public RpcbindConfig withMaxRegistrations(int n) {
    return new RpcbindConfig(n, maxAddrStats, dumpOverUdp, transportNetid);
  }

  public RpcbindConfig withMaxAddrStats(int n) {
    return new RpcbindConfig(maxRegistrations, n, dumpOverUdp, transportNetid);
  }

  public RpcbindConfig withDumpOverUdp(boolean allowed) {
    return new RpcbindConfig(maxRegistrations, maxAddrStats, allowed, transportNetid);
  }

  public RpcbindConfig withTransportNetid(Function<RpcTransport, String> resolver) {
    return new RpcbindConfig(maxRegistrations, maxAddrStats, dumpOverUdp, resolver);
  }
}
