package io.tapnfs.netstack.tcp;

import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.ipv4.Ipv4Address;

/**
 * SYN cookies (RFC 4987 §3.6): when a listener's backlog is full, the SYN,ACK's sequence number
 * carries everything the connection needs, and no state is kept until the final ACK returns it.
 *
 * <p>Our cookie, the initial sequence number: 5 bits of a 64-second counter {@code t}, 2 bits
 * choosing the MSS from {@link #MSS_TABLE}, and 25 bits of a keyed hash (HMAC-SHA256 with the
 * stack's ISN secret) over the 4-tuple, {@code t} and the client's ISN. A returned cookie is good
 * for two counter periods (64 to 128 s). When the SYN carried timestamps, our TSval's low 6 bits
 * carry the client's window scale (4 bits, 15 = none) and SACK-permitted (1 bit), as Linux does;
 * without timestamps those options are lost for this connection. Event-loop thread only.
 */
final class SynCookies {
  /** MSS values a cookie can say (Linux's table, 1300 aside). */
  static final int[] MSS_TABLE = {536, 1220, 1440, 1460};
  static final long PERIOD_NANOS = 64_000_000_000L;
  private static final int HASH_MASK = (1 << 25) - 1;
  private static final int NO_WSCALE = 15;

  private final TcpEndpoint tcp;

  SynCookies(TcpEndpoint tcp) { this.tcp = tcp; }

  private int counter(long now) { return (int) (now / PERIOD_NANOS) & 31; }

  private int hash(Ipv4Address local, int localPort, Ipv4Address remote, int remotePort, int t, SeqNumber clientIsn) {
    return tcp.isnGenerator().hash(0x636f6f6b, local.bits(), remote.bits(), localPort << 16 | remotePort, t, clientIsn.value())
        & HASH_MASK;
  }

  /** Answers {@code syn} with a cookie SYN,ACK. */
  void sendCookie(long now, TcpListener l, Ipv4Address from, TcpRepr syn) {
    Ipv4Address local = tcp.ip().address();
    int t = counter(now);
    int peerMss = syn.options().mss() > 0 ? syn.options().mss() : TcpConnection.DEFAULT_MSS;
    int ourMss = tcp.ip().mtu() - 40;
    int idx = 0;
    for (int i = MSS_TABLE.length - 1; i >= 0; i--) if (MSS_TABLE[i] <= Math.min(peerMss, ourMss)) { idx = i; break; }
    int cookie = t << 27 | idx << 25 | hash(local, l.port, from, syn.srcPort(), t, syn.seq());
    TcpOptions o = TcpOptions.NONE.withMss(MSS_TABLE[idx]);
    boolean ws = tcp.setting(io.tapnfs.netstack.Sysctl.TCP_WINDOW_SCALING) != 0 && syn.options().windowScale() >= 0;
    boolean sack = tcp.setting(io.tapnfs.netstack.Sysctl.TCP_SACK) != 0 && syn.options().sackPermitted();
    boolean ts = tcp.setting(io.tapnfs.netstack.Sysctl.TCP_TIMESTAMPS) != 0 && syn.options().hasTimestamps();
    int rcvBuf = (int) tcp.setting(io.tapnfs.netstack.Sysctl.TCP_RMEM);
    if (ts) {
      // without timestamps there is nowhere to keep the peer's shift: no scaling, no SACK
      if (ws) o = o.withWindowScale(TcpOptions.windowShiftFor(Math.max(rcvBuf, tcp.setting(io.tapnfs.netstack.Sysctl.TCP_RMEM_MAX))));
      if (sack) o = o.withSackPermitted(true);
      int bits = (ws ? syn.options().windowScale() : NO_WSCALE) | (sack ? 1 << 4 : 0);
      int offset = tcp.tsOffset(local, l.port, from, syn.srcPort());   // the connection's clock, made later from the ACK
      long clock = ((now / 1_000_000L) + offset) & 0xffffffffL;
      long tsVal = clock & ~0x3fL | bits;
      if (tsVal > clock) tsVal -= 64;                    // never ahead of the clock the connection will use
      tsVal &= 0xffffffffL;
      o = o.withTimestamps(tsVal, syn.options().tsVal());
    }
    tcp.sendSynAckCookie(now, from, syn, new SeqNumber(cookie), Math.min(rcvBuf, 65535), o);
  }

  /**
   * Checks the ACK that may return a cookie; on success, the established connection (not yet in
   * any table). {@link Check#BAD}, counted, when it is not a cookie of ours; {@link Check#FULL} when
   * it is one but the accept queue has no room (the caller drops the ACK silently).
   */
  /** What {@link #check} found: the established connection, or none (a bad cookie, or a good one and a full queue). */
  record Check(TcpConnection established, boolean queueFull) {
    static final Check BAD = new Check(null, false), FULL = new Check(null, true);
  }

  Check check(long now, TcpListener l, Ipv4Address from, TcpRepr ack) {
    Ipv4Address local = tcp.ip().address();
    SeqNumber ourIss = ack.ack().plus(-1);
    int cookie = ourIss.value();
    int t = cookie >>> 27, idx = (cookie >>> 25) & 3;
    int age = (counter(now) - t) & 31;
    if (age > 1 || (cookie & HASH_MASK) != hash(local, l.port, from, ack.srcPort(), t, ack.seq().plus(-1))) {
      tcp.counters().inc(TcpStat.SYNCOOKIES_FAILED);
      tcp.drop(DropReason.TCP_BAD_COOKIE);
      return Check.BAD;
    }
    if (!l.acceptQueueHasRoom()) {
      // a good cookie while the accept queue is full: drop the ACK and let the client send it
      // again, as Linux does (tcp_check_req -> ListenOverflows); a RST would kill a handshake that worked
      l.overflows++;
      tcp.counters().inc(TcpStat.LISTEN_OVERFLOWS);
      tcp.drop(DropReason.TCP_LISTEN_OVERFLOW);
      return Check.FULL;
    }
    tcp.counters().inc(TcpStat.SYNCOOKIES_RECV);
    int peerShift = -1;
    boolean sack = false;
    if (ack.options().hasTimestamps()) {
      int bits = (int) ack.options().tsEcr() & 0x3f;
      peerShift = (bits & 15) == NO_WSCALE ? -1 : bits & 15;
      sack = (bits & 16) != 0;
    }
    TcpConnection c = tcp.newConnection(l, l.port, from, ack.srcPort());
    c.acceptCookie(now, ack, ourIss, MSS_TABLE[idx], peerShift, sack);
    return new Check(c, false);
  }
}
