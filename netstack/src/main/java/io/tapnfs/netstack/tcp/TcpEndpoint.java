package io.tapnfs.netstack.tcp;

import io.tapnfs.netstack.Counters;
import io.tapnfs.netstack.DropCounter;
import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Malformed;
import io.tapnfs.netstack.StackSettings;
import io.tapnfs.netstack.Sysctl;
import io.tapnfs.netstack.TimerWheel;
import io.tapnfs.netstack.ipv4.InboundDatagram;
import io.tapnfs.netstack.ipv4.IpProtocol;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import io.tapnfs.netstack.ipv4.Ipv4Endpoint;
import io.tapnfs.netstack.ipv4.TransportProtocol;
import java.io.IOException;
import java.net.BindException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * TCP's protocol layer (RFC 9293): validates segments, finds their connection by 4-tuple or
 * their listener by port, answers the rest with resets (§3.10.7.1), and sends what connections
 * produce. Event-loop thread only, except {@link #later}.
 */
public final class TcpEndpoint implements TransportProtocol {
  /** How application threads hand work to the loop (set by the stack). */
  @FunctionalInterface
  public interface Loop { void later(LongConsumer task); }

  /** One row of the socket table, like {@code ss -tn}. */
  public record ConnectionView(String local, String remote, TcpState state, int recvQ, int sendQ, long rtoMillis,
                               long srttMicros, long cwnd, int mss, String options, long retrans) {}

  private record Key(int remoteIp, int remotePort, int localPort) {}

  private final Ipv4Endpoint ip;
  private final StackSettings settings;
  private final DropCounter drops;
  private final IsnGenerator isn;
  private final TimerWheel wheel;
  private final Counters<TcpStat> stats = new Counters<>(TcpStat.class);
  private final Map<Key, TcpConnection> connections = new HashMap<>();
  private final Map<Integer, TcpListener> listeners = new HashMap<>();
  private volatile Loop loop = task -> { throw new IllegalStateException("TCP has no event loop"); };
  private int nextEphemeral = 32768;
  private final List<TcpConnection> burst = new ArrayList<>();
  private long challengeWindowStart;
  private long challengeAcksInWindow;

  public TcpEndpoint(Ipv4Endpoint ip, StackSettings settings, DropCounter drops, IsnGenerator isn, TimerWheel wheel) {
    this.ip = ip;
    this.settings = settings;
    this.drops = drops;
    this.isn = isn;
    this.wheel = wheel;
  }

  public void setLoop(Loop loop) { this.loop = loop; }

  @Override public int protocolNumber() { return IpProtocol.TCP; }

  public Counters<TcpStat> counters() { return stats; }

  public int connectionCount() { return connections.size(); }

  // ---------------------------------------------------------------- for connections

  void later(LongConsumer task) { loop.later(task); }

  SeqNumber isn(long now, TcpConnection c) { return isn.isn(now, c.localIp, c.localPort, c.remoteIp, c.remotePort); }

  long setting(Sysctl s) { return settings.get(s); }

  void drop(DropReason r) { drops.drop(r); }

  /** RFC 5961 §7: at most tcp_challenge_ack_limit challenge ACKs per second, all connections. */
  boolean challengeAckAllowed(long now) {
    if (now - challengeWindowStart >= 1_000_000_000L) {
      challengeWindowStart = now;
      challengeAcksInWindow = 0;
    }
    return ++challengeAcksInWindow <= settings.get(Sysctl.TCP_CHALLENGE_ACK_LIMIT);
  }

  /** The timestamp clock offset of a connection (RFC 7323 §7.1): a keyed hash of its 4-tuple. */
  int tsOffset(Ipv4Address local, int localPort, Ipv4Address remote, int remotePort) {
    return isn.hash(0x7473, local.bits(), remote.bits(), localPort << 16 | remotePort);
  }

  long timeWaitNanos() { return settings.get(Sysctl.TCP_TIME_WAIT_MS) * 1_000_000L; }

  long finWait2Nanos() { return settings.get(Sysctl.TCP_FIN_TIMEOUT_MS) * 1_000_000L; }

  boolean noDelay() { return settings.on(Sysctl.TCP_NODELAY); }

  void remove(TcpConnection c) {
    Key k = new Key(c.remoteIp.bits(), c.remotePort, c.localPort);
    if (connections.get(k) == c) {
      connections.remove(k);
      if (c.embryonic) { c.embryonic = false; c.listener.embryonicGone(); }
    }
  }

  /** Sends one segment of connection {@code c}: the ACK field carries RCV.NXT; {@code window} is the field's value. */
  void send(long now, TcpConnection c, SeqNumber seq, int flags, int window, TcpOptions options, ByteBuffer payload) {
    send(now, c, seq, flags, window, options, payload, 0);
  }

  /**
   * {@link #send}; a payload longer than {@code gsoMss} (> 0) goes to the link in one piece for it
   * to cut into segments of {@code gsoMss} bytes (segmentation offload: {@link #gsoMaxSegment}),
   * each counted in outSegs as Linux counts them.
   */
  void send(long now, TcpConnection c, SeqNumber seq, int flags, int window, TcpOptions options, ByteBuffer payload,
            int gsoMss) {
    ByteBuffer data = payload == null ? ByteBuffer.allocate(0) : payload;
    SeqNumber ack = (flags & TcpRepr.ACK) != 0 ? c.rcvNxt : new SeqNumber(0);
    int n = data.remaining();
    TcpRepr r = new TcpRepr(c.localPort, c.remotePort, seq, ack, flags, window, options, n);
    if (gsoMss > 0 && n > gsoMss) {
      // always DF: the link's pieces fit the MTU, and path-MTU discovery shrinks gsoMss with sndMss
      if (ip.sendGso(now, c.remoteIp, IpProtocol.TCP, TcpRepr.build(ip.address(), c.remoteIp, r, data, true), gsoMss))
        stats.add(TcpStat.OUT_SEGS, (n + gsoMss - 1) / gsoMss);
      return;
    }
    // DF set for path-MTU discovery (RFC 1191), as Linux does, unless ip_no_pmtu_disc
    boolean df = !settings.on(Sysctl.IP_NO_PMTU_DISC) && n > 0;
    if (ip.send(now, c.remoteIp, IpProtocol.TCP, TcpRepr.build(ip.address(), c.remoteIp, r, data), df))
      stats.inc(TcpStat.OUT_SEGS);
  }

  /**
   * The largest segment, TCP header included, the link below cuts into MTU-sized ones itself
   * (segmentation offload, with tcp_gso on); 0 when every segment must fit the MTU.
   */
  int gsoMaxSegment() {
    // no offload without DF: the link's pieces carry the DF of the whole (ip_no_pmtu_disc asks for none)
    return settings.on(Sysctl.TCP_GSO) && !settings.on(Sysctl.IP_NO_PMTU_DISC) ? ip.gsoMaxSegment() : 0;
  }

  void sendReset(long now, TcpConnection c, SeqNumber seq, SeqNumber ack) {
    if (ack == null && c.rcvNxt != null && c.state() != TcpState.SYN_SENT) ack = c.rcvNxt;   // RST,ACK like Linux
    int flags = TcpRepr.RST | (ack != null ? TcpRepr.ACK : 0);
    TcpRepr rst = new TcpRepr(c.localPort, c.remotePort, seq, ack != null ? ack : new SeqNumber(0), flags, 0, TcpOptions.NONE, 0);
    if (ip.send(now, c.remoteIp, IpProtocol.TCP, TcpRepr.build(ip.address(), c.remoteIp, rst, ByteBuffer.allocate(0)), false)) {
      stats.inc(TcpStat.OUT_SEGS);
      stats.inc(TcpStat.OUT_RSTS);
    }
  }

  // ---------------------------------------------------------------- application requests (on the loop)

  /** Opens a listener on {@code port} (0: a free ephemeral port). */
  public TcpListener listen(int port, int backlog) throws BindException {
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port " + port);
    if (port == 0) port = freeListenPort();
    if (listeners.containsKey(port)) throw new BindException("TCP port " + port + ": Address already in use");
    TcpListener l = new TcpListener(port, Math.max(1, backlog));
    listeners.put(port, l);
    return l;
  }

  public void unlisten(long now, TcpListener l) {
    listeners.remove(l.port, l);
    for (TcpConnection c : l.close()) { sendReset(now, c, c.sndNxt, null); c.drop(); }
  }

  public TcpConnection connect(long now, Ipv4Address remote, int remotePort) throws IOException {
    return connect(now, remote, remotePort, 0);
  }

  /**
   * Active open from {@code localPort} (0: an ephemeral port). A fixed port must not be listening
   * and its 4-tuple must be free (an RPC client binding a reserved port, an NFS callback).
   */
  public TcpConnection connect(long now, Ipv4Address remote, int remotePort, int localPort) throws IOException {
    if (remotePort <= 0 || remotePort > 65535) throw new java.net.SocketException("bad destination port " + remotePort);
    if (localPort < 0 || localPort > 65535) throw new BindException("bad local port " + localPort);
    if (connections.size() >= settings.get(Sysctl.TCP_MAX_CONNECTIONS)) throw new IOException("too many TCP connections");
    if (localPort != 0 && (listeners.containsKey(localPort) || connections.containsKey(new Key(remote.bits(), remotePort, localPort))))
      throw new BindException("TCP port " + localPort + " to " + remote + ":" + remotePort + ": Address already in use");
    int port = localPort != 0 ? localPort : ephemeral(remote, remotePort);
    TcpConnection c = newConnection(null, port, remote, remotePort);
    connections.put(new Key(remote.bits(), remotePort, port), c);
    c.connect(now);
    return c;
  }

  private int ephemeral(Ipv4Address remote, int remotePort) throws BindException {
    for (int i = 0; i < 28232; i++) {
      int p = nextEphemeral;
      nextEphemeral = p >= 60999 ? 32768 : p + 1;
      if (!listeners.containsKey(p) && !connections.containsKey(new Key(remote.bits(), remotePort, p))) return p;
    }
    throw new BindException("no free TCP ephemeral port to " + remote + ":" + remotePort);
  }

  private int freeListenPort() throws BindException {
    for (int i = 0; i < 28232; i++) {
      int p = nextEphemeral;
      nextEphemeral = p >= 60999 ? 32768 : p + 1;
      if (!listeners.containsKey(p) && connections.keySet().stream().noneMatch(k -> k.localPort() == p)) return p;
    }
    throw new BindException("no free TCP port to listen on");
  }

  private final SynCookies cookies = new SynCookies(this);
  Ipv4Endpoint ip() { return ip; }
  IsnGenerator isnGenerator() { return isn; }
  void sendSynAckCookie(long now, Ipv4Address to, TcpRepr syn, SeqNumber cookie, int window, TcpOptions o) {
    TcpRepr r = new TcpRepr(syn.dstPort(), syn.srcPort(), cookie, syn.seq().plus(1), TcpRepr.SYN | TcpRepr.ACK, window, o, 0);
    if (ip.send(now, to, IpProtocol.TCP, TcpRepr.build(ip.address(), to, r, ByteBuffer.allocate(0)), false)) {
      stats.inc(TcpStat.OUT_SEGS);
      stats.inc(TcpStat.SYNCOOKIES_SENT);
    }
  }

  TcpConnection newConnection(TcpListener l, int localPort, Ipv4Address remote, int remotePort) {
    return new TcpConnection(this, l, ip.address(), localPort, remote, remotePort, ip.mtu() - 40,
        (int) settings.get(Sysctl.TCP_WMEM), (int) settings.get(Sysctl.TCP_RMEM), wheel);
  }

  public List<ConnectionView> connections() {
    List<ConnectionView> out = new ArrayList<>();
    for (TcpListener l : listeners.values())
      out.add(new ConnectionView(ip.address() + ":" + l.port, "*:*", TcpState.LISTEN, l.queued(), l.backlog, 0, 0, 0, 0, "", 0));
    for (TcpConnection c : connections.values())
      out.add(new ConnectionView(c.localIp + ":" + c.localPort, c.remoteIp + ":" + c.remotePort, c.state(), c.available(),
          c.sendQueued(), c.rtt.rto() / 1_000_000L, c.rtt.hasSample() ? c.rtt.srtt() / 1_000L : 0, c.cc.cwnd(), c.sndMss,
          c.optionsSummary(), c.retransmits));
    return out;
  }

  // ---------------------------------------------------------------- bursts

  /** A connection has work for the end of this burst of frames (an ACK, readers to wake). */
  void inBurst(TcpConnection c) {
    if (!c.inBurst) {
      c.inBurst = true;
      burst.add(c);
    }
  }

  /** The loop read all it could for now: what connections deferred to the end of the burst happens. */
  public void endOfBurst(long now) {
    if (burst.isEmpty()) return;
    for (int i = 0; i < burst.size(); i++) burst.get(i).endOfBurst(now);
    burst.clear();
  }

  // ---------------------------------------------------------------- ICMP errors

  /** RFC 1191 §7: the plateaus to try when a router reports no next-hop MTU. */
  static final int[] MTU_PLATEAUS = {32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68};
  /** Linux's min_pmtu: a smaller reported MTU is raised to this. */
  static final int MIN_PMTU = 552;

  /**
   * An ICMP destination unreachable about a segment we sent (RFC 1122 §4.2.3.9, RFC 5927). The
   * quote (our IP header and 8 bytes of TCP) names the connection; its sequence number must lie
   * in SND.UNA..SND.MAX (RFC 5927 §4.1), else the report is forged or stale and ignored.
   * Fragmentation needed shrinks the path MTU (RFC 1191); port or protocol unreachable aborts a
   * connection still in SYN-SENT, as Linux reports ECONNREFUSED; other codes are soft errors.
   */
  public void icmpError(long now, io.tapnfs.netstack.icmp.IcmpEndpoint.ErrorReport r) {
    ByteBuffer q = r.quote();
    if (q.remaining() < 20) return;
    io.tapnfs.netstack.ipv4.Ipv4Header h = io.tapnfs.netstack.ipv4.Ipv4Header.unchecked(q);
    int ihl = h.headerLen();
    if (h.version() != 4 || ihl < 20 || q.remaining() < ihl + 8 || h.protocol() != IpProtocol.TCP) return;
    if (!h.src().equals(ip.address())) return;
    int p = q.position() + ihl;
    int srcPort = q.getShort(p) & 0xffff, dstPort = q.getShort(p + 2) & 0xffff;
    SeqNumber seq = new SeqNumber(q.getInt(p + 4));
    TcpConnection c = connections.get(new Key(h.dst().bits(), dstPort, srcPort));
    if (c == null || c.sndUna == null || seq.lessThan(c.sndUna) || seq.greaterThan(c.sndMax)) {
      stats.inc(TcpStat.ICMP_IGNORED);
      return;
    }
    if (r.type() != io.tapnfs.netstack.icmp.IcmpType.DEST_UNREACHABLE) return;
    if (r.code() == io.tapnfs.netstack.icmp.IcmpType.CODE_FRAGMENTATION_NEEDED) {
      int mtu = r.rest() & 0xffff;
      int sent = h.totalLen();
      if (mtu == 0 || mtu >= sent) {                         // an old router: the next plateau down
        mtu = 0;
        for (int m : MTU_PLATEAUS) if (m < sent) { mtu = m; break; }
      }
      mtu = Math.max(MIN_PMTU, Math.min(mtu, ip.mtu()));
      stats.inc(TcpStat.PMTU_UPDATES);
      c.pathMtuChanged(now, mtu);
    } else if (c.state() == TcpState.SYN_SENT && (r.code() == 2 || r.code() == 3)) {
      stats.inc(TcpStat.ATTEMPT_FAILS);
      c.fail(new java.net.ConnectException("Connection refused (ICMP unreachable)"));
    }
  }

  // ---------------------------------------------------------------- segment arrival

  @Override
  public void deliver(long now, InboundDatagram d) {
    stats.inc(TcpStat.IN_SEGS);
    // RFC 1122 §4.2.3.10: "A TCP implementation MUST silently discard an incoming SYN segment
    // that is addressed to a broadcast or multicast address." No TCP segment is meant for one.
    if (d.broadcast()) { drops.drop(DropReason.TCP_NOT_UNICAST); return; }
    TcpRepr seg;
    TcpHeader h;
    try {
      h = TcpHeader.checked(d.payload());
      seg = TcpRepr.parse(h, d.ip().src(), d.ip().dst(), true);
    } catch (Malformed m) {
      stats.inc(TcpStat.IN_ERRS);
      if (m.reason() == DropReason.TCP_BAD_CHECKSUM) stats.inc(TcpStat.IN_CSUM_ERRORS);
      drops.drop(m.reason());
      return;
    }
    Ipv4Address from = d.ip().src();
    Key key = new Key(from.bits(), seg.srcPort(), seg.dstPort());
    TcpConnection c = connections.get(key);
    if (c != null && c.state() == TcpState.TIME_WAIT && seg.has(TcpRepr.SYN) && !seg.has(TcpRepr.ACK)
        && c.newIncarnation(seg) && listeners.containsKey(seg.dstPort())) {
      // RFC 9293 §3.6.1 / RFC 6191: a new SYN beyond the old connection's sequence space may
      // take over its TIME-WAIT 4-tuple (the Linux NFS client reconnects from the same port).
      c.drop();
      c = null;
    }
    if (c != null) {
      c.segmentArrives(now, seg, h.payload());
      return;
    }

    TcpListener l = listeners.get(seg.dstPort());
    if (l != null) { listen(now, l, from, seg, h.payload()); return; }
    closed(now, from, seg);
  }

  /** §3.10.7.2, LISTEN. */
  private void listen(long now, TcpListener l, Ipv4Address from, TcpRepr seg, ByteBuffer payload) {
    if (seg.has(TcpRepr.RST)) return;                                  // first: ignore a RST
    if (seg.has(TcpRepr.ACK)) {                                        // second: any ACK is bad...
      if (!seg.has(TcpRepr.SYN) && !seg.has(TcpRepr.FIN) && settings.on(Sysctl.TCP_SYNCOOKIES)) {
        SynCookies.Check check = cookies.check(now, l, from, seg);   // ...unless it returns a SYN cookie
        if (check.queueFull()) return;                                 // a good one, no room yet: the client resends
        TcpConnection c = check.established();
        if (c != null) {
          connections.put(new Key(from.bits(), seg.srcPort(), l.port), c);
          l.enqueue(c);
          stats.inc(TcpStat.PASSIVE_OPENS);
          c.segmentArrives(now, seg, payload);               // its data, if any
          return;
        }
      }
      sendBareReset(now, from, seg, seg.ack(), null);
      return;
    }
    if (!seg.has(TcpRepr.SYN)) return;                                 // fourth: drop anything else
    if (connections.size() >= settings.get(Sysctl.TCP_MAX_CONNECTIONS)) {
      l.overflows++;
      stats.inc(TcpStat.LISTEN_OVERFLOWS);
      drops.drop(DropReason.TCP_LISTEN_OVERFLOW);
      return;
    }
    if (!l.hasRoom()) {
      l.overflows++;
      stats.inc(TcpStat.LISTEN_OVERFLOWS);
      if (settings.on(Sysctl.TCP_SYNCOOKIES) && l.acceptQueueHasRoom()) { cookies.sendCookie(now, l, from, seg); return; }
      drops.drop(DropReason.TCP_LISTEN_OVERFLOW);
      return;
    }
    TcpConnection c = newConnection(l, l.port, from, seg.srcPort());
    connections.put(new Key(from.bits(), seg.srcPort(), l.port), c);
    l.synReceived();
    c.embryonic = true;
    c.acceptSyn(now, seg);
  }

  /**
   * RFC 9293 §3.10.7.1, state CLOSED: "An incoming segment containing a RST is discarded. An
   * incoming segment not containing a RST causes a RST to be sent in response."
   */
  private void closed(long now, Ipv4Address from, TcpRepr seg) {
    stats.inc(TcpStat.CLOSED_PORT_SEGMENTS);
    drops.drop(DropReason.TCP_NO_CONNECTION);
    if (seg.has(TcpRepr.RST)) return;
    if (seg.has(TcpRepr.ACK)) {
      // "If the ACK bit is on, <SEQ=SEG.ACK><CTL=RST>"
      sendBareReset(now, from, seg, seg.ack(), null);
    } else {
      // "If the ACK bit is off, sequence number zero is used, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>"
      sendBareReset(now, from, seg, new SeqNumber(0), seg.seq().plus(seg.segmentLen()));
    }
  }

  private void sendBareReset(long now, Ipv4Address to, TcpRepr about, SeqNumber seq, SeqNumber ack) {
    int flags = TcpRepr.RST | (ack != null ? TcpRepr.ACK : 0);
    TcpRepr rst = new TcpRepr(about.dstPort(), about.srcPort(), seq, ack != null ? ack : new SeqNumber(0), flags, 0,
        TcpOptions.NONE, 0);
    if (ip.send(now, to, IpProtocol.TCP, TcpRepr.build(ip.address(), to, rst, ByteBuffer.allocate(0)), false)) {
      stats.inc(TcpStat.OUT_SEGS);
      stats.inc(TcpStat.OUT_RSTS);
    }
  }
}
