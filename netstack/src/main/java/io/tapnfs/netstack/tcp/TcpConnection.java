package io.tapnfs.netstack.tcp;

import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Sysctl;
import io.tapnfs.netstack.TimerWheel;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One TCP connection: the transmission control block of RFC 9293 §3.3.1 and its state machine.
 *
 * <ul>
 *   <li>Segment arrival follows §3.10.7 step by step ({@link #segmentArrives}), with PAWS and
 *       TS.Recent of RFC 7323 §5 and the RFC 5961 challenge ACKs.
 *   <li>Options (RFC 7323 window scaling and timestamps, RFC 2018 SACK) are offered when the
 *       sysctls allow and used when both ends sent them.
 *   <li>Receiving: in-order text goes to the receive buffer; text beyond RCV.NXT waits in a
 *       bounded {@link OutOfOrderQueue} and is reported in SACK blocks.
 *   <li>Sending ({@link #output}): one path for new data, retransmissions and the FIN, which is
 *       always the byte after the last data byte. Never beyond SND.MAX without moving it.
 *   <li>Loss recovery: RFC 6675 with the {@link SackScoreboard} when SACK is on, NewReno
 *       (RFC 6582) otherwise; on a timeout go-back-N from SND.UNA (RFC 6298 §5.4, RFC 5681 §3.1),
 *       skipping what the peer SACKed since.
 *   <li>Timers: retransmission (also the persist timer for zero-window probes, which carry one
 *       byte of data), delayed ACK, TIME-WAIT / orphaned FIN-WAIT-2, keepalive.
 * </ul>
 *
 * <p>Threads: protocol state belongs to the event loop. The application reaches the two byte
 * buffers and the few fields it may read ({@code state}, {@code error}) under {@link #lock}, and
 * asks the loop to act with {@link TcpEndpoint}'s executor; it never touches sequence variables.
 */
public final class TcpConnection {
  /** RFC 9293 §3.7.1: the MSS to assume when the peer sends none. */
  static final int DEFAULT_MSS = 536;
  /** RFC 9293 §3.8.6.3: "an ACK SHOULD NOT be excessively delayed; the delay MUST be less than 0.5 s". Linux: 40 ms. */
  static final long DELAYED_ACK_NANOS = 40_000_000L;
  /** Segments acknowledged at once at the start of a connection (Linux "quickack" mode). */
  static final int QUICK_ACKS = 16;
  /** RFC 7323 §5.5: TS.Recent is invalid after 24 days idle. */
  static final long PAWS_IDLE_NANOS = 24L * 24 * 3600 * 1_000_000_000L;
  /** Timestamp option with its two NOPs. */
  static final int TS_OPTION_LEN = 12;

  final TcpEndpoint endpoint;
  final Ipv4Address localIp, remoteIp;
  final int localPort, remotePort;
  final TcpListener listener;               // for passive opens
  boolean embryonic;                        // counts against the listener's backlog (SYN-RECEIVED)

  // ---- guarded by lock: what the application shares with the loop
  final ReentrantLock lock = new ReentrantLock();
  final Condition changed = lock.newCondition();
  private final ByteRing sendBuf;
  private final ByteRing rcvBuf;
  private final int rcvBufMax;              // receive-buffer auto-tuning limit (tcp_rmem_max)
  private long copiedSinceMark;             // bytes the application read since autotuneMark (under lock)
  private long autotuneMark;                // loop: when the current measurement began
  private volatile TcpState state;
  private IOException error;
  private boolean appClosedWrite;           // shutdownOutput/close asked for a FIN
  private boolean orphan;                   // close(): the application will read no more
  private boolean peerFin;                  // the peer's FIN was received: EOF after rcvBuf
  private final CopyOnWriteArrayList<Runnable> watchers = new CopyOnWriteArrayList<>();

  // ---- loop only: RFC 9293 §3.3.1 send sequence variables, and SND.MAX (the highest sent + 1)
  SeqNumber iss, sndUna, sndNxt, sndMax, sndWl1, sndWl2;
  long sndWnd;                              // scaled, bytes
  private long maxSndWnd;                   // the largest window the peer offered (RFC 9293 §3.8.6.2.1, RFC 5961 §5.2)
  private SeqNumber bufSeq;                 // sequence number of the send buffer's first byte
  private SeqNumber finSeq;                 // the FIN's sequence number, once the application closed
  int sndMss;                               // SMSS: the peer's MSS, at most ours
  private final int ourMss;
  // receive sequence variables
  SeqNumber irs, rcvNxt;
  private SeqNumber rcvAdv;                 // the right edge of the window last advertised
  private final OutOfOrderQueue ooo;
  private int sackLead;                     // the out-of-order segment that triggered the next ACK
  private boolean sackLeadSet;
  private SeqNumber oooFin;                 // a FIN that arrived beyond a hole
  // options (RFC 7323, RFC 2018)
  private final boolean offerWs, offerSack, offerTs;
  private final int ourShift;
  private int sndShift, rcvShift;
  private boolean wsOk, sackOk, tsOk;
  private long tsRecent, tsRecentAt;
  private boolean tsRecentSet;
  private int tsOffset;
  private SeqNumber lastAckSent;
  // ACK generation
  private int unackedSegments;
  private boolean ackAtBurstEnd;            // an ACK is due once this burst of frames is processed
  private boolean wakeAtBurstEnd;           // readers to wake once this burst is processed
  boolean inBurst;                          // on the endpoint's list for endOfBurst
  private int quickAcks = QUICK_ACKS;
  // loss recovery
  private int retries;
  private int dupAcks;
  private boolean recovering;               // fast recovery: RFC 6675 (SACK) or RFC 6582 (NewReno)
  private SeqNumber recoverPoint;
  private SeqNumber rtoRecover;             // after a timeout: go-back-N until SND.UNA reaches it (RFC 6675 §5.1)
  private boolean persisting;               // the retransmission timer is the persist timer
  private final SackScoreboard scoreboard;
  private SeqNumber gsoEnd;                 // the end of the last segment the link cut for us (offload), or null
  private SeqNumber rttSeq;                 // Karn: one timed segment, never a retransmitted one
  private long rttStart;
  long retransmits;                         // segments resent on this connection (ss "retrans")
  final RttEstimator rtt;
  final CongestionControl cc;
  // keepalive
  private volatile boolean keepAlive;
  private volatile long keepIdleNanos, keepIntvlNanos;
  private volatile int keepProbes;
  private int keepProbesSent;
  private long lastReceived;
  private volatile boolean noDelay;
  final TimerWheel.Timer rtxTimer, ackTimer, waitTimer, keepTimer;

  TcpConnection(TcpEndpoint endpoint, TcpListener listener, Ipv4Address localIp, int localPort, Ipv4Address remoteIp,
                int remotePort, int ourMss, int sendBufSize, int rcvBufSize, TimerWheel wheel) {
    this.endpoint = endpoint;
    this.listener = listener;
    this.localIp = localIp;
    this.localPort = localPort;
    this.remoteIp = remoteIp;
    this.remotePort = remotePort;
    this.ourMss = ourMss;
    this.sndMss = Math.min(DEFAULT_MSS, ourMss);
    this.sendBuf = new ByteRing(sendBufSize);
    this.rcvBuf = new ByteRing(rcvBufSize);
    this.rcvBufMax = (int) Math.max(rcvBufSize, endpoint.setting(Sysctl.TCP_RMEM_MAX));
    this.ooo = new OutOfOrderQueue(rcvBufMax, (int) endpoint.setting(Sysctl.TCP_OFO_MAX_SEGMENTS));
    this.offerWs = endpoint.setting(Sysctl.TCP_WINDOW_SCALING) != 0;
    this.offerSack = endpoint.setting(Sysctl.TCP_SACK) != 0;
    this.offerTs = endpoint.setting(Sysctl.TCP_TIMESTAMPS) != 0;
    this.ourShift = TcpOptions.windowShiftFor(rcvBufMax);   // room for auto-tuning to grow into
    this.rtt = new RttEstimator(endpoint.setting(Sysctl.TCP_MIN_RTO_MS) * 1_000_000L, RttEstimator.DEFAULT_MAX_RTO,
        RttEstimator.DEFAULT_INITIAL_RTO, 1_000_000L);
    this.cc = CongestionControl.create(CongestionControl.DEFAULT, sndMss);
    this.scoreboard = new SackScoreboard(sndMss);
    this.keepIdleNanos = endpoint.setting(Sysctl.TCP_KEEPALIVE_TIME_MS) * 1_000_000L;
    this.keepIntvlNanos = endpoint.setting(Sysctl.TCP_KEEPALIVE_INTVL_MS) * 1_000_000L;
    this.keepProbes = (int) endpoint.setting(Sysctl.TCP_KEEPALIVE_PROBES);
    this.rtxTimer = wheel.newTimer(this::onRetransmitTimer);
    this.ackTimer = wheel.newTimer(this::onDelayedAck);
    this.waitTimer = wheel.newTimer(this::onWaitTimer);
    this.keepTimer = wheel.newTimer(this::onKeepaliveTimer);
    this.state = TcpState.CLOSED;
  }

  public TcpState state() { return state; }

  public Ipv4Address remoteAddress() { return remoteIp; }
  public int remotePort() { return remotePort; }
  public int localPort() { return localPort; }
  public Ipv4Address localAddress() { return localIp; }

  @Override public String toString() {
    return localIp + ":" + localPort + " " + remoteIp + ":" + remotePort + " " + state;
  }

  /** What {@code tapnfs stat} shows of the options, like {@code ss -i}: "ts sack wscale:7,3". */
  String optionsSummary() {
    StringBuilder b = new StringBuilder();
    if (tsOk) b.append("ts ");
    if (sackOk) b.append("sack ");
    if (sndShift > 0 || rcvShift > 0) b.append("wscale:").append(sndShift).append(',').append(rcvShift);
    return b.toString().trim();
  }

  // =============================================================== readiness (any thread)

  /** Timeout value for {@link #read} and {@link #write}: return 0 at once instead of waiting. */
  public static final long NONBLOCKING = -1;

  /**
   * Watchers are told (on whichever thread changed something, with the connection's lock held)
   * that readiness may have changed: data or EOF arrived, send-buffer space freed, the handshake
   * ended, an error happened. A watcher must only poke (unpark, release a permit, set a flag):
   * never block, never take a lock, never call back into the connection.
   */
  public void addWatcher(Runnable w) { watchers.addIfAbsent(w); }

  public void removeWatcher(Runnable w) { watchers.remove(w); }

  /** Under lock: wake blocked application threads and watchers. */
  private void signal() {
    changed.signalAll();
    for (Runnable w : watchers) w.run();
  }

  /** Readable: data, end of stream, or an error waits for a read (OP_READ). */
  public boolean readable() {
    lock.lock();
    try {
      return rcvBuf.size() > 0 || peerFin || error != null || state == TcpState.CLOSED;
    } finally {
      lock.unlock();
    }
  }

  /** Writable: send-buffer space while the connection can send, or an error for write to throw (OP_WRITE). */
  public boolean writable() {
    lock.lock();
    try {
      if (error != null || appClosedWrite || state == TcpState.CLOSED) return true;
      return (state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT) && sendBuf.free() > 0;
    } finally {
      lock.unlock();
    }
  }

  /** The handshake is over, one way or the other (OP_CONNECT). */
  public boolean connectFinished() {
    TcpState s = state;
    return s != TcpState.SYN_SENT && s != TcpState.SYN_RECEIVED;
  }

  /** The error that ended the connection, or null. */
  public IOException error() {
    lock.lock();
    try { return error; } finally { lock.unlock(); }
  }

  public int sendBufferSize() { return sendBuf.capacity(); }
  public int receiveBufferSize() { return rcvBuf.capacity(); }

  /** TCP_NODELAY for this socket (the stack-wide sysctl still applies when on). */
  public void setNoDelay(boolean on) {
    noDelay = on;
    endpoint.later(this::output);
  }

  public boolean noDelay() { return noDelay; }

  /** SO_KEEPALIVE, with the stack's tcp_keepalive_* times unless {@link #setKeepAliveTimes} changed them. */
  public void setKeepAlive(boolean on) {
    keepAlive = on;
    endpoint.later(this::armKeepalive);
  }

  public boolean keepAlive() { return keepAlive; }

  /** TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT for this socket. */
  public void setKeepAliveTimes(java.time.Duration idle, java.time.Duration interval, int probes) {
    if (idle.isNegative() || idle.isZero() || interval.isNegative() || interval.isZero() || probes < 1)
      throw new IllegalArgumentException("keepalive " + idle + " " + interval + " " + probes);
    keepIdleNanos = idle.toNanos();
    keepIntvlNanos = interval.toNanos();
    keepProbes = probes;
    endpoint.later(this::armKeepalive);
  }

  // =============================================================== opening

  /** Active open (RFC 9293 §3.10.1): send SYN, enter SYN-SENT. */
  void connect(long now) {
    startSending(endpoint.isn(now, this));
    lastReceived = now;
    setState(TcpState.SYN_SENT);
    sendSyn(now, false);
    rtxTimer.arm(now + rtt.rto());
  }

  /** Passive open: a SYN reached a listener (§3.10.7.2, LISTEN, "third check for a SYN"). */
  void acceptSyn(long now, TcpRepr syn) {
    irs = syn.seq();
    rcvNxt = irs.plus(1);
    negotiate(syn.options());
    if (tsOk) takeTsRecent(now, syn.options().tsVal());
    startSending(endpoint.isn(now, this));
    sndWnd = syn.window();                       // RFC 7323 §2.2: never scaled in a SYN
    maxSndWnd = sndWnd;
    sndWl1 = syn.seq();
    sndWl2 = iss;
    lastReceived = now;
    setState(TcpState.SYN_RECEIVED);
    sendSyn(now, true);
    rtxTimer.arm(now + rtt.rto());
  }

  /**
   * A SYN cookie came back (RFC 4987 §3.6): the connection is established from the final ACK,
   * with what the cookie encoded.
   */
  void acceptCookie(long now, TcpRepr ack, SeqNumber ourIss, int mss, int peerShift, boolean sack) {
    irs = ack.seq().plus(-1);
    rcvNxt = ack.seq();
    startSending(ourIss);
    sndMss = Math.min(mss, ourMss);
    wsOk = peerShift >= 0 && offerWs;
    if (wsOk) { sndShift = peerShift; rcvShift = ourShift; }
    sackOk = sack && offerSack;
    tsOk = ack.options().hasTimestamps() && offerTs;
    if (tsOk) takeTsRecent(now, ack.options().tsVal());
    mssChanged();
    sndUna = sndNxt;                                     // the ACK acknowledged our SYN,ACK
    scoreboard.reset(sndUna.value());
    sndWnd = (long) ack.window() << sndShift;
    maxSndWnd = sndWnd;
    sndWl1 = ack.seq();
    sndWl2 = ack.ack();
    lastReceived = now;
    rcvAdv = rcvNxt;
    setState(TcpState.ESTABLISHED);
  }

  /**
   * RFC 9293 §3.6.1 / RFC 6191: may a SYN take over this TIME-WAIT 4-tuple? Yes when its
   * timestamp is newer than TS.Recent (timestamps in use), else when its sequence number lies
   * beyond what this incarnation received.
   */
  boolean newIncarnation(TcpRepr syn) {
    if (tsOk && tsRecentSet && syn.options().hasTimestamps()) return tsBefore(tsRecent, syn.options().tsVal());
    return syn.seq().greaterThan(rcvNxt);
  }

  /**
   * The send sequence space starts at {@code iss} (RFC 9293 §3.4.1): the SYN takes ISS, data
   * starts after it; the timestamp clock's offset comes with it.
   */
  private void startSending(SeqNumber iss) {
    this.iss = iss;
    tsOffset = endpoint.tsOffset(localIp, localPort, remoteIp, remotePort);
    sndUna = iss;
    sndNxt = iss.plus(1);
    sndMax = sndNxt;
    bufSeq = sndNxt;
    scoreboard.reset(sndUna.value());
  }

  /** RFC 7323 §2.2, RFC 2018 §2: an option is on when both SYNs carried it. Also the MSS. */
  private void negotiate(TcpOptions o) {
    sndMss = Math.min(o.mss() > 0 ? o.mss() : DEFAULT_MSS, ourMss);   // RFC 9293 §3.7.1 / RFC 6691
    wsOk = offerWs && o.windowScale() >= 0;
    if (wsOk) {
      sndShift = o.windowScale();
      rcvShift = ourShift;
    } else {
      sndShift = 0;
      rcvShift = 0;
    }
    sackOk = offerSack && o.sackPermitted();
    tsOk = offerTs && o.hasTimestamps();
    mssChanged();
  }

  /** The payload of a full segment: SMSS less the options every segment carries (RFC 6691 §3). */
  int effMss() { return Math.max(1, sndMss - (tsOk ? TS_OPTION_LEN : 0)); }

  private void mssChanged() {
    cc.setMss(effMss());
    scoreboard.setMss(effMss());
  }

  /** RFC 1191: the path MTU shrank (ICMP fragmentation needed); segments shrink with it. */
  void pathMtuChanged(long now, int mtu) {
    int mss = Math.max(48, mtu - 40);                    // Linux tcp_min_snd_mss
    if (mss >= sndMss) return;
    sndMss = mss;
    mssChanged();
    // what was sent in bigger segments is lost: resend from SND.UNA (RFC 1191 §6.5)
    if (sndNxt.greaterThan(sndUna)) {
      sndNxt = sndUna;
      output(now);
    }
  }

  // =============================================================== segment arrival (§3.10.7)

  void segmentArrives(long now, TcpRepr seg, ByteBuffer payload) {
    switch (state) {
      case SYN_SENT -> synSent(now, seg);
      case CLOSED, LISTEN -> { }
      default -> synchronized_(now, seg, payload);
    }
  }

  /** §3.10.7.3, SYN-SENT. */
  private void synSent(long now, TcpRepr seg) {
    // first, check the ACK bit
    if (seg.has(TcpRepr.ACK) && (seg.ack().lessOrEqual(iss) || seg.ack().greaterThan(sndMax))) {
      if (!seg.has(TcpRepr.RST)) endpoint.sendReset(now, this, seg.ack(), null);
      return;
    }
    boolean ackOk = seg.has(TcpRepr.ACK);
    // second, check the RST bit
    if (seg.has(TcpRepr.RST)) {
      if (ackOk) {
        endpoint.counters().inc(TcpStat.ATTEMPT_FAILS);
        fail(new ConnectException("Connection refused"));
      }
      return;
    }
    // fourth, check the SYN bit
    if (!seg.has(TcpRepr.SYN)) return;
    irs = seg.seq();
    rcvNxt = irs.plus(1);
    negotiate(seg.options());
    if (tsOk) takeTsRecent(now, seg.options().tsVal());
    lastReceived = now;
    if (ackOk) {
      sndUna = seg.ack();
      scoreboard.reset(sndUna.value());
      sndWnd = seg.window();                     // RFC 7323 §2.2: a SYN,ACK's window is never scaled
      maxSndWnd = sndWnd;
      sndWl1 = seg.seq();
      sndWl2 = seg.ack();
      rtxTimer.cancel();
      if (retries == 0 && rttSeq != null) rtt.sample(Math.max(0, now - rttStart));   // Karn: not from a retransmitted SYN
      rttSeq = null;
      retries = 0;
      rtt.resetBackoff();
      setState(TcpState.ESTABLISHED);
      endpoint.counters().inc(TcpStat.ACTIVE_OPENS);
      armKeepalive(now);
      sendAck(now);
      output(now);
    } else {
      // simultaneous open: "enter SYN-RECEIVED, form a SYN,ACK segment"
      sndWnd = seg.window();
      maxSndWnd = sndWnd;
      sndWl1 = seg.seq();
      sndWl2 = iss;
      setState(TcpState.SYN_RECEIVED);
      sendSyn(now, true);
    }
  }

  /** §3.10.7.4: SYN-RECEIVED and every synchronized state. */
  private void synchronized_(long now, TcpRepr seg, ByteBuffer payload) {
    TcpOptions opt = seg.options();
    if (state == TcpState.SYN_RECEIVED && seg.has(TcpRepr.SYN) && !seg.has(TcpRepr.ACK) && seg.seq().equals(irs)) {
      sendSyn(now, true);                                    // the peer's SYN again: our SYN,ACK was lost
      return;
    }
    // RFC 7323 §5.3 R1: PAWS, before the sequence number check
    if (tsOk && opt.hasTimestamps() && tsRecentSet && !seg.has(TcpRepr.RST) && tsBefore(opt.tsVal(), tsRecent)) {
      if (now - tsRecentAt > PAWS_IDLE_NANOS) {
        tsRecentSet = false;                                 // §5.5: TS.Recent too old to judge by
      } else {
        endpoint.counters().inc(TcpStat.PAWS_DROPS);
        endpoint.drop(DropReason.TCP_PAWS);
        sendAck(now);
        return;
      }
    }
    int segLen = seg.segmentLen();
    // first, check sequence number: the four acceptability cases of §3.10.7.4
    if (!acceptable(seg, segLen)) {
      endpoint.drop(DropReason.TCP_OUT_OF_WINDOW);
      if (!seg.has(TcpRepr.RST)) {
        if (state == TcpState.TIME_WAIT && seg.has(TcpRepr.FIN)) waitTimer.arm(now + endpoint.timeWaitNanos());
        sendAck(now);
      }
      return;
    }
    lastReceived = now;
    keepProbesSent = 0;
    // RFC 7323 §4.3 (R3): TS.Recent follows the segment that covers Last.ACK.sent
    if (tsOk && opt.hasTimestamps() && !tsBefore(opt.tsVal(), tsRecent) && lastAckSent != null
        && seg.seq().lessOrEqual(lastAckSent)) takeTsRecent(now, opt.tsVal());
    // second, check the RST bit. RFC 5961 §3.2: only an exact match resets; others in the
    // window get a challenge ACK.
    if (seg.has(TcpRepr.RST)) {
      if (!seg.seq().equals(rcvNxt)) { challengeAck(now); return; }
      endpoint.counters().inc(TcpStat.IN_RSTS);
      if (state == TcpState.SYN_RECEIVED && listener != null) { drop(); return; }
      if (state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT) endpoint.counters().inc(TcpStat.ESTAB_RESETS);
      fail(new SocketException("Connection reset"));
      return;
    }
    // fourth, check the SYN bit. RFC 5961 §4.2: a SYN in a synchronized state gets a challenge ACK.
    if (seg.has(TcpRepr.SYN)) {
      challengeAck(now);
      return;
    }
    // fifth, check the ACK field
    if (!seg.has(TcpRepr.ACK)) return;
    if (state == TcpState.SYN_RECEIVED) {
      if (seg.ack().greaterThan(sndUna) && seg.ack().lessOrEqual(sndMax)) {
        setState(TcpState.ESTABLISHED);
        sndWnd = (long) seg.window() << sndShift;
        maxSndWnd = Math.max(maxSndWnd, sndWnd);
        sndWl1 = seg.seq();
        sndWl2 = seg.ack();
        endpoint.counters().inc(TcpStat.PASSIVE_OPENS);
        armKeepalive(now);
        if (listener != null) { embryonic = false; listener.established(this); }
      } else {
        endpoint.sendReset(now, this, seg.ack(), null);
        return;
      }
    }
    if (!processAck(now, seg, payload.remaining())) return;
    if (state == TcpState.CLOSED) return;
    // seventh, process the segment text
    boolean fin = seg.has(TcpRepr.FIN);
    if (payload.hasRemaining() && seg.seq().plus(payload.remaining()).greaterThan(rcvNxt)) {
      if (isOrphanReceiving()) {
        // RFC 9293 §3.10.7.4 / RFC 2525 §2.17: nobody will read this data: reset
        endpoint.drop(DropReason.TCP_DATA_AFTER_CLOSE);
        endpoint.sendReset(now, this, sndMax, rcvNxt.plus(segLen));
        fail(new SocketException("Connection reset: data after close"));
        return;
      }
    }
    boolean inOrderEnd = true;
    if (payload.hasRemaining()) inOrderEnd = receiveText(now, seg, payload);
    // eighth, check the FIN bit: only when everything before it has arrived
    if (fin && inOrderEnd && seg.seq().plus(payload.remaining()).equals(rcvNxt)) receiveFin(now);
    output(now);
  }

  private boolean isOrphanReceiving() {
    lock.lock();
    try {
      return orphan && (state == TcpState.FIN_WAIT_1 || state == TcpState.FIN_WAIT_2 || state == TcpState.ESTABLISHED);
    } finally {
      lock.unlock();
    }
  }

  /**
   * §3.10.7.4 segment acceptability against the window we advertised (or the free buffer, if
   * larger). Like Linux, a bare FIN exactly at RCV.NXT is taken even in a zero window.
   */
  private boolean acceptable(TcpRepr seg, int segLen) {
    SeqNumber seq = seg.seq();
    int wnd = acceptWindow();
    // a bare ACK exactly at the right edge is taken too (Linux tcp_sequence): it may carry the
    // ACK that frees a stalled peer
    if (segLen == 0) return wnd == 0 ? seq.equals(rcvNxt) : seq.inWindow(rcvNxt, wnd + 1);
    if (wnd == 0) return segLen == 1 && seg.has(TcpRepr.FIN) && seq.equals(rcvNxt);
    SeqNumber last = seq.plus(segLen - 1);
    return seq.inWindow(rcvNxt, wnd) || last.inWindow(rcvNxt, wnd);
  }

  private int acceptWindow() {
    int adv = rcvAdv == null ? 0 : Math.max(0, rcvAdv.minus(rcvNxt));
    return Math.max(adv, rcvFree());
  }

  /** RFC 5961 §7: challenge ACKs are rate-limited for all connections together. */
  private void challengeAck(long now) {
    if (endpoint.challengeAckAllowed(now)) {
      endpoint.counters().inc(TcpStat.CHALLENGE_ACKS);
      sendAck(now);
    } else {
      endpoint.counters().inc(TcpStat.CHALLENGE_ACKS_LIMITED);
    }
  }

  /** The ACK field (fifth step). @return false when the segment is to be dropped */
  private boolean processAck(long now, TcpRepr seg, int dataLen) {
    SeqNumber ack = seg.ack();
    // RFC 9293: an ACK for something not yet sent: ACK, drop. RFC 5961 §5.2: one older than
    // SND.UNA - MAX.SND.WND is blind injection: challenge ACK, drop.
    if (ack.greaterThan(sndMax) || ack.lessThan(sndUna.plus((int) -Math.min(Math.max(maxSndWnd, effMss()), 1 << 30)))) {
      endpoint.drop(DropReason.TCP_BAD_ACK);
      challengeAck(now);
      return false;
    }
    List<int[]> blocks = sackOk ? sackBlocks(seg.options()) : List.of();
    int newlySacked = 0;
    if (sackOk) {
      newlySacked = scoreboard.update(SeqNumber.max(ack, sndUna).value(), sndMax.value(), blocks);
      if (!blocks.isEmpty()) endpoint.counters().add(TcpStat.SACK_BLOCKS_RECEIVED, blocks.size());
    }
    long scaledWnd = (long) seg.window() << sndShift;
    if (ack.greaterThan(sndUna)) {
      int acked = ack.minus(sndUna);
      releaseAcked(ack);
      boolean finAcked = finSeq != null && ack.greaterThan(finSeq);
      long rttSample = -1;
      if (rttSeq != null && ack.greaterOrEqual(rttSeq)) {
        // never negative: a task queued by the application may have stamped rttStart later
        // than the instant this frame's turn of the loop began
        rttSample = Math.max(0, now - rttStart);
        rtt.sample(rttSample);
        rttSeq = null;
      }
      sndUna = ack;
      if (sndNxt.lessThan(sndUna)) sndNxt = sndUna;
      if (rtoRecover != null && ack.greaterOrEqual(rtoRecover)) rtoRecover = null;
      long inflight = sndMax.minus(ack);
      if (recovering) {
        if (ack.greaterOrEqual(recoverPoint)) {
          recovering = false;
          dupAcks = 0;
          cc.onExitRecovery(now);
        } else if (!sackOk) {
          // RFC 6582 §3.2 step 4: a partial ACK: retransmit the first unacknowledged segment
          retransmitAt(now, sndUna);
          dupAcks = 0;
        }
      } else {
        dupAcks = 0;
        congestionAck(now, ack, acked, rttSample, inflight);
      }
      retries = 0;
      rtt.resetBackoff();
      if (sndUna.equals(sndMax)) rtxTimer.cancel(); else rtxTimer.arm(now + rtt.rto());
      if (finAcked) ourFinAcked(now);
      if (state == TcpState.CLOSED) return false;
    } else if (ack.equals(sndUna) && sndUna.lessThan(sndMax)) {
      // RFC 5681 §2 duplicate ACK, or RFC 6675 §2 (c): it SACKs new data
      boolean dup = sackOk && !blocks.isEmpty() ? newlySacked > 0
          : dataLen == 0 && !seg.has(TcpRepr.FIN) && scaledWnd == sndWnd;
      if (dup) {
        dupAcks++;
        if (!recovering && rtoRecover == null && sndNxt.equals(sndMax)) {
          int thresh = SackScoreboard.DEFAULT_DUP_THRESH;
          // RFC 5827 early retransmit: with fewer than four segments outstanding and no new
          // data to send, fewer duplicate ACKs can ever come: lower DupThresh to oseg - 1
          int oseg = (sndMax.minus(sndUna) + effMss() - 1) / effMss();
          if (oseg < 4 && !dataEnd().greaterThan(sndMax)) thresh = Math.max(1, oseg - 1);
          boolean lost = sackOk ? dupAcks >= thresh || scoreboard.isLost(sndUna.value()) : dupAcks == thresh;
          if (lost) enterRecovery(now);
        }
      }
    }
    // RFC 9293 §3.10.7.4: "If SND.UNA =< SEG.ACK =< SND.NXT, the send window should be updated"
    // from the most recent segment
    if (ack.greaterOrEqual(sndUna)
        && (sndWl1 == null || sndWl1.lessThan(seg.seq()) || (sndWl1.equals(seg.seq()) && sndWl2.lessOrEqual(ack)))) {
      sndWnd = scaledWnd;
      maxSndWnd = Math.max(maxSndWnd, sndWnd);
      sndWl1 = seg.seq();
      sndWl2 = ack;
      if (sndWnd > 0 && persisting) {
        persisting = false;
        rtxTimer.cancel();
        rtt.resetBackoff();
        if (sndUna.lessThan(sndMax)) rtxTimer.arm(now + rtt.rto());
      }
    }
    return true;
  }

  private static List<int[]> sackBlocks(TcpOptions o) {
    if (o.sack().isEmpty()) return List.of();
    List<int[]> l = new ArrayList<>(o.sack().size());
    for (TcpOptions.SackBlock b : o.sack()) l.add(new int[] {b.left().value(), b.right().value()});
    return l;
  }

  /** Drops acknowledged data from the send buffer: everything below {@code ack}, the FIN aside. */
  private void releaseAcked(SeqNumber ack) {
    SeqNumber to = finSeq != null && ack.greaterThan(finSeq) ? finSeq : ack;
    int n = to.minus(bufSeq);
    if (n <= 0) return;
    lock.lock();
    try {
      sendBuf.drop(n);
      signal();
    } finally {
      lock.unlock();
    }
    bufSeq = to;
  }

  private void enterRecovery(long now) {
    recovering = true;
    recoverPoint = sndMax;
    cc.onEnterRecovery(now, sndMax.minus(sndUna));
    endpoint.counters().inc(TcpStat.FAST_RETRANS);
    rttSeq = null;
    if (sackOk) {
      endpoint.counters().inc(TcpStat.SACK_RECOVERY);
      SackScoreboard.Retransmit r = scoreboard.enterRecovery(sndUna.value(), sndMax.value());
      int sent = transmit(now, new SeqNumber(r.seq()), r.len(), true);
      if (sent > 0) scoreboard.markRetransmitted(r.seq(), sent);
    } else {
      endpoint.counters().inc(TcpStat.RENO_RECOVERY);
      retransmitAt(now, sndUna);
    }
  }

  private void ourFinAcked(long now) {
    switch (state) {
      case FIN_WAIT_1 -> {
        setState(TcpState.FIN_WAIT_2);
        if (isOrphan()) waitTimer.arm(now + endpoint.finWait2Nanos());   // Linux tcp_fin_timeout
      }
      case CLOSING -> enterTimeWait(now);
      case LAST_ACK -> drop();
      default -> { }
    }
  }

  private boolean isOrphan() {
    lock.lock();
    try { return orphan; } finally { lock.unlock(); }
  }

  /**
   * Seventh step. In-order text goes to the receive buffer, then whatever the out-of-order queue
   * holds that now follows; text beyond RCV.NXT is queued and answered at once with SACK blocks.
   * @return whether the segment's end was reached in order (so its FIN, if any, counts)
   */
  private boolean receiveText(long now, TcpRepr seg, ByteBuffer payload) {
    if (state != TcpState.ESTABLISHED && state != TcpState.FIN_WAIT_1 && state != TcpState.FIN_WAIT_2) return false;
    int skip = rcvNxt.minus(seg.seq());                // bytes we already have (a retransmission overlapping)
    if (skip >= payload.remaining()) { sendAck(now); return true; }   // all duplicate: ACK at once
    if (skip < 0) {
      // beyond RCV.NXT: hold what lies inside the window, tell the sender at once (RFC 5681 §4.2)
      int room = acceptWindow() + skip;                // bytes of the window above this segment's start
      ByteBuffer held = payload.duplicate();
      if (held.remaining() > room) {
        held.limit(held.position() + Math.max(0, room));
        endpoint.drop(DropReason.TCP_RCV_QUEUE_FULL);
      }
      if (seg.has(TcpRepr.FIN) && held.remaining() == payload.remaining())
        oooFin = seg.seq().plus(payload.remaining());        // remember the FIN until the hole is filled
      if (held.hasRemaining()) {
        if (!ooo.insert(seg.seq().value(), held)) endpoint.drop(DropReason.TCP_RCV_QUEUE_FULL);
        endpoint.counters().inc(TcpStat.OFO_QUEUE);
        sackLead = seg.seq().value();
        sackLeadSet = true;
      }
      sendAck(now);
      return false;
    }
    ByteBuffer fresh = payload.duplicate().position(payload.position() + skip);
    int want = fresh.remaining();
    boolean hadHoles = !ooo.isEmpty();
    int taken;
    lock.lock();
    try {
      taken = rcvBuf.append(fresh);
      SeqNumber next = rcvNxt.plus(taken);
      if (hadHoles && taken == want) {
        for (ByteBuffer b : ooo.drain(next.value(), rcvBuf.free())) {
          int n = rcvBuf.append(b);
          next = next.plus(n);
          taken += n;
        }
      }
    } finally {
      lock.unlock();
    }
    // readers are woken once per burst of frames, not per segment (a futex wake each is costly)
    wakeAtBurstEnd = true;
    endpoint.inBurst(this);
    rcvNxt = rcvNxt.plus(taken);
    sackLeadSet = false;
    endpoint.counters().add(TcpStat.IN_DATA_BYTES, taken);
    if (taken < want) endpoint.drop(DropReason.TCP_RCV_QUEUE_FULL);
    if (oooFin != null && rcvNxt.equals(oooFin)) {        // the FIN that waited beyond the hole
      oooFin = null;
      receiveFin(now);                                    // ACKs everything
      return false;
    }
    // RFC 5681 §4.2: ACK at once when a hole is filled or out-of-order data is held. RFC 9293
    // §3.8.6.3 / RFC 1122 §4.2.3.2: otherwise at least every second full segment, else on the
    // delayed-ACK timer. Segments that arrive back to back in one burst (one turn of the loop)
    // are acknowledged together when the burst ends, as Linux does for a GRO batch: a stretch
    // ACK of at most one burst, sent before the loop sleeps.
    if (hadHoles || !ooo.isEmpty() || taken < want) {
      sendAck(now);
    } else if (++unackedSegments >= 2 || quickAcks > 0) {
      if (quickAcks > 0) quickAcks--;
      ackAtBurstEnd = true;
      endpoint.inBurst(this);
    } else {
      ackTimer.armNoLaterThan(now + DELAYED_ACK_NANOS);
    }
    return taken == want;
  }

  /** Eighth step: the FIN. */
  private void receiveFin(long now) {
    rcvNxt = rcvNxt.plus(1);
    lock.lock();
    try {
      peerFin = true;
      signal();
    } finally {
      lock.unlock();
    }
    switch (state) {
      case SYN_RECEIVED, ESTABLISHED -> setState(TcpState.CLOSE_WAIT);
      case FIN_WAIT_1 -> {
        if (finSeq != null && sndUna.greaterThan(finSeq)) enterTimeWait(now); else setState(TcpState.CLOSING);
      }
      case FIN_WAIT_2 -> enterTimeWait(now);
      case TIME_WAIT -> waitTimer.arm(now + endpoint.timeWaitNanos());
      default -> { }
    }
    sendAck(now);
  }

  private void enterTimeWait(long now) {
    setState(TcpState.TIME_WAIT);
    rtxTimer.cancel();
    ackTimer.cancel();
    keepTimer.cancel();
    ooo.clear();
    waitTimer.arm(now + endpoint.timeWaitNanos());
  }

  // =============================================================== sending

  private boolean sendingState() {
    TcpState s = state;
    return s == TcpState.ESTABLISHED || s == TcpState.CLOSE_WAIT || s == TcpState.FIN_WAIT_1
        || s == TcpState.CLOSING || s == TcpState.LAST_ACK;
  }

  /** The sequence number after the last byte in the send buffer. */
  private SeqNumber dataEnd() {
    lock.lock();
    try {
      if (appClosedWrite && finSeq == null) finSeq = bufSeq.plus(sendBuf.size());   // nothing more can be written
      return bufSeq.plus(sendBuf.size());
    } finally {
      lock.unlock();
    }
  }

  /** Sends what the windows allow: retransmissions in recovery, new data, then the FIN. */
  void output(long now) {
    if (!sendingState()) return;
    SeqNumber end = dataEnd();
    int mss = effMss();
    if (sndUna.equals(sndMax) && (end.greaterThan(sndNxt) || finSeq != null)) cc.onIdleRestart(now, rtt.rto());
    boolean nagle = !noDelay && !endpoint.noDelay();
    while (sendingState()) {
      long cwnd = cc.cwnd();
      if (sackOk && recovering) {
        // RFC 6675 §5 (C): while cwnd - pipe >= 1 SMSS, send what NextSeg() says
        long pipe = scoreboard.pipe(sndUna.value(), sndMax.value());
        if (cwnd - pipe < mss) break;
        int unsent = end.minus(sndMax);
        boolean fin = finSeq != null && sndMax.equals(finSeq);
        long room = sndWnd - sndMax.minus(sndUna);
        boolean canNew = (unsent > 0 && room >= Math.min(mss, unsent)) || fin;
        SackScoreboard.Next next = scoreboard.nextSeg(sndUna.value(), sndMax.value(), canNew);
        if (next instanceof SackScoreboard.Retransmit r) {
          int sent = transmit(now, new SeqNumber(r.seq()), r.len(), true);
          if (sent <= 0) break;
          if (r.rule() == SackScoreboard.Rule.RESCUE) scoreboard.markRescueRetransmitted(r.seq(), sent);
          else scoreboard.markRetransmitted(r.seq(), sent);
        } else if (next instanceof SackScoreboard.NewData) {
          if (!sndNxt.equals(sndMax)) sndNxt = sndMax;
          int sent = transmit(now, sndNxt, (int) Math.min(mss, Math.max(0, room)), true);
          if (sent <= 0) break;
          sndNxt = sndNxt.plus(sent);
        } else {
          break;
        }
        continue;
      }
      if (sndNxt.lessThan(bufSeq)) sndNxt = bufSeq;
      // skip what the peer SACKed since a timeout rolled SND.NXT back (RFC 6675 §5.1)
      if (sackOk && sndNxt.lessThan(sndMax)) sndNxt = skipSacked(sndNxt);
      int avail = end.minus(sndNxt);
      boolean finNext = finSeq != null && sndNxt.lessOrEqual(finSeq) && avail >= 0;
      if (avail <= 0 && !(finNext && sndNxt.equals(finSeq))) break;
      long flight = sndNxt.minus(sndUna);
      // NewReno inflates the window by one segment per duplicate ACK in recovery (RFC 6582);
      // before recovery, RFC 3042 limited transmit sends a new segment on each of the first two
      long extra = recovering ? (long) dupAcks * mss : (long) Math.min(dupAcks, 2) * mss;
      long win = Math.min(sndWnd, cwnd + extra);
      long room = win - flight;
      int limit = sizeGoal(mss);
      if (sackOk && sndNxt.lessThan(sndMax)) limit = Math.min(limit, nextSackedAbove(sndNxt).minus(sndNxt));
      int len = (int) Math.max(0, Math.min(Math.min(limit, Math.max(avail, 0)), room));
      // several segments at once (offload) are whole ones, and a shorter tail goes on its own by
      // the Nagle and SWS rules below; unless it empties the queue under TCP_NODELAY, when those
      // rules would send it at once anyway (Linux tcp_mss_split_point)
      if (len > mss && !(len == avail && !nagle)) len -= len % mss;
      boolean fin = finSeq != null && sndNxt.plus(len).equals(finSeq) && room >= len;
      if (len == 0 && !fin) {
        if (flight == 0 && avail > 0) armPersist(now);
        break;
      }
      if (len < mss && !fin) {
        // sender SWS avoidance (RFC 9293 §3.8.6.2.1) and Nagle (§3.7.4): a small segment only
        // when it empties the queue with nothing in flight (or TCP_NODELAY), fills half the
        // largest window, or resends what was sent before
        boolean emptiesQueue = len == avail;
        boolean ok = (emptiesQueue && (flight == 0 || !nagle)) || (flight == 0 && len >= maxSndWnd / 2)
            || sndNxt.lessThan(sndMax);
        if (!ok) {
          if (flight == 0) armPersist(now);
          break;
        }
      }
      int sent = transmit(now, sndNxt, len, fin);
      if (sent <= 0) break;
      sndNxt = sndNxt.plus(sent);
    }
  }

  /**
   * The payload to put in one segment: one MSS, or, when the link cuts segments itself
   * (segmentation offload), as many whole MSS as it takes, room left for any options (Linux
   * {@code tcp_xmit_size_goal}). The peer sees MSS-sized segments either way.
   */
  private int sizeGoal(int mss) {
    int max = endpoint.gsoMaxSegment();
    if (max == 0) return mss;
    return Math.max(mss, (max - TcpHeader.MIN_LEN - TcpOptions.MAX_LEN) / mss * mss);
  }

  /**
   * Tells the congestion controller of newly acknowledged data. RFC 3465 §2.3 lets slow start grow
   * by at most L = 2*SMSS per ACK, counting on an ACK for every second segment (RFC 5681 §4.2).
   * A segment the link cut for us (offload) reaches the peer as one and draws one ACK however many
   * MSS it held; its ACK is counted as the ACKs its pieces would have drawn, two segments each, as
   * Linux and gVisor count acknowledged segments rather than ACKs. Other stretch ACKs keep the limit.
   */
  private void congestionAck(long now, SeqNumber ack, int acked, long rttSample, long inflight) {
    int per = 2 * effMss();
    SeqNumber from = ack.plus(-acked);
    if (gsoEnd == null || !from.lessThan(gsoEnd) || acked <= per || !cc.inSlowStart()) {
      cc.onAck(now, acked, rttSample, inflight);
      return;
    }
    for (int left = acked; left > 0; ) {
      int n = Math.min(left, per);
      left -= n;
      cc.onAck(now, n, left + n == acked ? rttSample : -1, inflight + left);   // flight as it stood before each
    }
  }

  /** The end of the SACKed range that contains {@code seq}, or {@code seq}. */
  private SeqNumber skipSacked(SeqNumber seq) {
    for (int[] b : scoreboard.blocks()) {
      SeqNumber l = new SeqNumber(b[0]), r = new SeqNumber(b[1]);
      if (seq.greaterOrEqual(l) && seq.lessThan(r)) return r;
    }
    return seq;
  }

  /** The start of the first SACKed range above {@code seq}, else SND.MAX plus any new data. */
  private SeqNumber nextSackedAbove(SeqNumber seq) {
    for (int[] b : scoreboard.blocks()) {
      SeqNumber l = new SeqNumber(b[0]);
      if (l.greaterThan(seq)) return l;
    }
    return seq.plus(Integer.MAX_VALUE / 2);
  }

  /**
   * Sends one segment at {@code seq}: up to {@code maxLen} bytes of data from the send buffer,
   * and the FIN when the data ends at it and {@code allowFin}. Keeps SND.MAX, the RTT timing,
   * the counters and the retransmission timer. Does not move SND.NXT.
   * @return the sequence space used (data + FIN); 0 when there is nothing at {@code seq}
   */
  private int transmit(long now, SeqNumber seq, int maxLen, boolean allowFin) {
    if (seq.lessThan(bufSeq)) {                      // acknowledged meanwhile
      int gone = bufSeq.minus(seq);
      seq = bufSeq;
      maxLen -= gone;
    }
    SeqNumber end = dataEnd();
    TcpOptions opts = ackOptions(now);
    int segMss = sndMss - opts.bufferLen();           // RFC 6691: options come out of the MSS
    int room = segMss;
    int gsoMax = endpoint.gsoMaxSegment();
    if (maxLen > segMss && gsoMax > 0)                // whole segments, cut by the link (offload)
      room = Math.max(segMss, (gsoMax - TcpHeader.MIN_LEN - opts.bufferLen()) / segMss * segMss);
    int len = Math.max(0, Math.min(Math.min(maxLen, end.minus(seq)), room));
    boolean fin = allowFin && finSeq != null && seq.plus(len).equals(finSeq);
    if (len == 0 && !fin) return 0;
    ByteBuffer data = copyOut(seq.minus(bufSeq), len);
    boolean push = len > 0 && seq.plus(len).equals(end);
    int flags = TcpRepr.ACK | (fin ? TcpRepr.FIN : 0) | (push ? TcpRepr.PSH : 0);
    int gsoMss = len > segMss ? segMss : 0;
    emit(now, seq, flags, opts, data, gsoMss);
    SeqNumber segEnd = seq.plus(len + (fin ? 1 : 0));
    if (gsoMss > 0 && (gsoEnd == null || segEnd.greaterThan(gsoEnd))) gsoEnd = segEnd;
    if (seq.lessThan(sndMax)) {
      endpoint.counters().inc(TcpStat.RETRANS_SEGS);
      retransmits++;
      if (rttSeq != null && seq.lessThan(rttSeq)) rttSeq = null;     // Karn (RFC 6298 §3)
    } else if (rttSeq == null) {
      rttSeq = segEnd;
      rttStart = now;
    }
    if (segEnd.greaterThan(sndMax)) {
      endpoint.counters().add(TcpStat.OUT_DATA_BYTES, Math.min(len, segEnd.minus(sndMax)));
      sndMax = segEnd;
    }
    if (fin) {
      if (state == TcpState.ESTABLISHED) setState(TcpState.FIN_WAIT_1);
      else if (state == TcpState.CLOSE_WAIT) setState(TcpState.LAST_ACK);
    }
    if (!rtxTimer.isArmed() || persisting) {
      persisting = false;
      rtxTimer.arm(now + rtt.rto());
    }
    return len + (fin ? 1 : 0);
  }

  /** RFC 6582 / fast retransmit: one segment at {@code seq}, never beyond SND.MAX. */
  private void retransmitAt(long now, SeqNumber seq) {
    int len = Math.min(effMss(), sndMax.minus(seq));
    if (len <= 0) return;
    boolean finInside = finSeq != null && finSeq.lessThan(sndMax);
    transmit(now, seq, finInside && seq.plus(len).greaterThan(finSeq) ? finSeq.minus(seq) : len, finInside);
  }

  /** Persist (RFC 9293 §3.8.6.1) or SWS override: data waits, nothing is in flight to bring an ACK. */
  private void armPersist(long now) {
    if (persisting || rtxTimer.isArmed()) return;
    persisting = true;
    rtxTimer.arm(now + rtt.rto());
  }

  /** A copy of {@code len} send-buffer bytes starting {@code offset} bytes after the buffer's head. */
  private ByteBuffer copyOut(int offset, int len) {
    ByteBuffer data = ByteBuffer.allocate(len);
    lock.lock();
    try {
      sendBuf.peek(offset, len, data);
    } finally {
      lock.unlock();
    }
    return data.flip();
  }

  /** The options of a non-SYN segment: timestamps (RFC 7323 §3.2) and SACK blocks (RFC 2018 §4). */
  private TcpOptions ackOptions(long now) {
    TcpOptions o = TcpOptions.NONE;
    if (tsOk) o = o.withTimestamps(tsNow(now), tsRecentSet ? tsRecent : 0);
    if (sackOk && !ooo.isEmpty()) {
      List<int[]> blocks = sackLeadSet ? ooo.sackBlocks(tsOk ? 3 : 4, sackLead) : ooo.sackBlocks(tsOk ? 3 : 4);
      List<TcpOptions.SackBlock> l = new ArrayList<>(blocks.size());
      for (int[] b : blocks) l.add(new TcpOptions.SackBlock(new SeqNumber(b[0]), new SeqNumber(b[1])));
      if (!l.isEmpty()) {
        o = o.withSack(l);
        endpoint.counters().inc(TcpStat.SACKS_SENT);
      }
    }
    return o;
  }

  /** Sends a segment with the ACK of RCV.NXT and our window; the ACK bookkeeping follows. */
  private void emit(long now, SeqNumber seq, int flags, TcpOptions opts, ByteBuffer data) { emit(now, seq, flags, opts, data, 0); }

  /** {@link #emit}; the link cuts the payload into {@code gsoMss}-byte segments when that is > 0. */
  private void emit(long now, SeqNumber seq, int flags, TcpOptions opts, ByteBuffer data, int gsoMss) {
    int wnd = windowField();
    endpoint.send(now, this, seq, flags, wnd, opts, data, gsoMss);
    unackedSegments = 0;
    ackTimer.cancel();
    lastAckSent = rcvNxt;
    rcvAdv = rcvNxt.plus(wnd << rcvShift);
  }

  private void sendSyn(long now, boolean withAck) {
    if (retries == 0) { rttSeq = iss.plus(1); rttStart = now; }    // Karn: time only the first SYN
    TcpOptions o = TcpOptions.NONE.withMss(ourMss);
    if (withAck ? wsOk : offerWs) o = o.withWindowScale(ourShift);
    if (withAck ? sackOk : offerSack) o = o.withSackPermitted(true);
    if (withAck ? tsOk : offerTs) o = o.withTimestamps(tsNow(now), withAck && tsRecentSet ? tsRecent : 0);
    int wnd = Math.min(rcvFree(), 65535);           // RFC 7323 §2.2: the window of a SYN is not scaled
    endpoint.send(now, this, iss, TcpRepr.SYN | (withAck ? TcpRepr.ACK : 0), wnd, o, null);
    if (withAck) {
      lastAckSent = rcvNxt;
      rcvAdv = rcvNxt.plus(wnd);
    }
  }

  /** A pure ACK. */
  void sendAck(long now) {
    if (rcvNxt == null || sndNxt == null) return;
    // Linux tcp_acceptable_seq: SND.MAX, unless that lies beyond the peer's window
    SeqNumber wndEnd = sndUna.plus((int) Math.min(sndWnd, 1 << 30));
    emit(now, sndMax.lessOrEqual(wndEnd) ? sndMax : wndEnd, TcpRepr.ACK, ackOptions(now), null);
  }

  /** Our TSval: a millisecond clock with a per-connection offset (RFC 7323 §5.4, RFC 7323 §7.1). */
  private long tsNow(long now) { return ((now / 1_000_000L) + tsOffset) & 0xffffffffL; }

  private void takeTsRecent(long now, long tsVal) {
    tsRecent = tsVal;
    tsRecentAt = now;
    tsRecentSet = true;
  }

  /** 32-bit timestamp comparison, modulo 2^32 (RFC 7323 §5.3). */
  private static boolean tsBefore(long a, long b) { return (int) (a - b) < 0; }

  private int rcvFree() {
    lock.lock();
    try { return rcvBuf.free(); } finally { lock.unlock(); }
  }

  /**
   * The window field: free receive buffer, scaled (RFC 7323 §2.3). The right edge moves right
   * only by at least min(half the buffer, one MSS): receiver SWS avoidance (RFC 9293
   * §3.8.6.2.2). It never promises more than the free buffer: since the buffer only fills as
   * RCV.NXT advances, the edge does not move left either, but for the scaling's rounding down
   * (less than 2^shift bytes, which the sender then resends).
   */
  private int windowField() {
    int free = rcvFree();
    long field = free >> rcvShift;
    if (rcvAdv != null) {
      long kept = Math.max(0, rcvAdv.minus(rcvNxt));
      if (free - kept < Math.min(rcvBuf.capacity() / 2, ourMss)) field = Math.min(field, kept >> rcvShift);
    }
    return (int) Math.min(field, 65535);
  }

  /** The receive window in bytes, as we would advertise it now. */
  int receiveWindow() { return windowField() << rcvShift; }

  /**
   * After the application read: announce the opened window when it grew by at least one MSS or
   * half the buffer (RFC 9293 §3.8.6.2.2, receiver SWS avoidance), so a sender waiting on a
   * full window is never left stalled.
   */
  void windowUpdate(long now) {
    if (state == TcpState.CLOSED || state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED || rcvAdv == null) return;
    autotune(now);
    long advertised = Math.max(0, rcvAdv.minus(rcvNxt));
    int free = rcvFree();
    if (free - advertised >= Math.min(ourMss, rcvBuf.capacity() / 2)) sendAck(now);
  }

  /**
   * Receive-buffer auto-tuning (like Linux tcp_rcv_space_adjust, "dynamic right-sizing"): once
   * per RTT, if the application read more than half the buffer in that RTT, the window is what
   * limits the sender: double the buffer, up to tcp_rmem_max. An application that does not keep
   * up never grows it. Memory follows use ({@link ByteRing}).
   */
  private void autotune(long now) {
    if (rcvBuf.capacity() >= rcvBufMax || !rtt.hasSample()) return;
    long interval = Math.max(rtt.srtt(), 1_000_000L);
    if (autotuneMark == 0) { autotuneMark = now; return; }
    if (now - autotuneMark < interval) return;
    long copied;
    lock.lock();
    try {
      copied = copiedSinceMark;
      copiedSinceMark = 0;
      if (copied * 2 > rcvBuf.capacity()) rcvBuf.grow((int) Math.min(rcvBufMax, 2L * rcvBuf.capacity()));
    } finally {
      lock.unlock();
    }
    autotuneMark = now;
  }

  // =============================================================== timers

  /** The loop finished a burst of frames: send the ACK and wake the readers this burst owes. */
  void endOfBurst(long now) {
    inBurst = false;
    if (wakeAtBurstEnd) {
      wakeAtBurstEnd = false;
      lock.lock();
      try {
        signal();
      } finally {
        lock.unlock();
      }
    }
    if (ackAtBurstEnd) {
      ackAtBurstEnd = false;
      if (unackedSegments > 0 && state != TcpState.CLOSED) sendAck(now);
    }
  }

  private void onDelayedAck(long now) {
    if (state != TcpState.CLOSED && unackedSegments > 0) {
      endpoint.counters().inc(TcpStat.DELAYED_ACKS);
      sendAck(now);
    }
  }

  private void onRetransmitTimer(long now) {
    if (state == TcpState.CLOSED || state == TcpState.TIME_WAIT) return;
    boolean syn = state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED;
    if (persisting) { persistProbe(now); return; }
    if (!syn && sndUna.equals(sndMax)) return;           // everything acknowledged meanwhile
    if (!syn && sndWnd == 0) { persistProbe(now); return; }
    long limit = endpoint.setting(syn ? Sysctl.TCP_SYN_RETRIES : Sysctl.TCP_RETRIES2);
    if (++retries > limit) {
      if (syn) endpoint.counters().inc(TcpStat.ATTEMPT_FAILS);
      endpoint.sendReset(now, this, sndMax, null);
      fail(new SocketTimeoutException(state == TcpState.SYN_SENT ? "Connection timed out" : "Connection timed out (no acknowledgment)"));
      return;
    }
    endpoint.counters().inc(TcpStat.TIMEOUTS);
    rtt.backoff();                                       // RFC 6298 §5.5
    rttSeq = null;                                       // Karn: no sample from retransmitted data
    switch (state) {
      case SYN_SENT -> { endpoint.counters().inc(TcpStat.RETRANS_SEGS); sendSyn(now, false); }
      case SYN_RECEIVED -> { endpoint.counters().inc(TcpStat.RETRANS_SEGS); sendSyn(now, true); }
      default -> {
        // RFC 5681 §3.1: loss window; RFC 6298 §5.4: resend from SND.UNA (go-back-N). RFC 2018
        // §8: forget the SACKs (the receiver may have reneged); RFC 6675 §5.1: no fast
        // recovery until what was outstanding at the timeout is acknowledged.
        cc.onRetransmitTimeout(now, sndMax.minus(sndUna));
        scoreboard.reset(sndUna.value());
        recovering = false;
        dupAcks = 0;
        rtoRecover = sndMax;
        sndNxt = sndUna;
        output(now);
      }
    }
    rtxTimer.arm(now + rtt.rto());
  }

  /**
   * The persist timer (RFC 9293 §3.8.6.1): the window is closed (or too small to send into by
   * SWS avoidance) and nothing is in flight. Probe with one byte of real data, which the peer
   * takes as soon as it has room; a probe is not a retransmission and never gives up while
   * the peer keeps acknowledging.
   */
  private void persistProbe(long now) {
    persisting = false;
    if (!sendingState()) return;
    SeqNumber end = dataEnd();
    if (sndWnd > 0) {
      // SWS override: send what the window takes
      if (sndNxt.lessThan(end)) {
        int sent = transmit(now, sndNxt, (int) Math.min(effMss(), sndWnd - sndNxt.minus(sndUna)), true);
        sndNxt = sndNxt.plus(Math.max(0, sent));
      }
      output(now);
      return;
    }
    endpoint.counters().inc(TcpStat.WINDOW_PROBES);
    if (sndUna.lessThan(sndNxt)) {
      transmit(now, sndUna, 1, true);                    // the earlier probe byte again
    } else if (sndNxt.lessThan(end) || (finSeq != null && sndNxt.equals(finSeq))) {
      int sent = transmit(now, sndNxt, 1, true);
      sndNxt = sndNxt.plus(sent);
    } else {
      return;
    }
    rtt.backoff();
    persisting = true;
    rtxTimer.arm(now + rtt.rto());
  }

  private void onWaitTimer(long now) {
    if (state == TcpState.TIME_WAIT) drop();
    else if (state == TcpState.FIN_WAIT_2 && isOrphan()) {
      endpoint.counters().inc(TcpStat.FIN_WAIT2_TIMEOUTS);
      drop();
    }
  }

  private void armKeepalive(long now) {
    if (!keepAlive || (state != TcpState.ESTABLISHED && state != TcpState.CLOSE_WAIT)) {
      keepTimer.cancel();
      return;
    }
    keepTimer.arm(Math.max(now, lastReceived) + keepIdleNanos);
  }

  /** Keepalive (RFC 9293 §3.8.4, RFC 1122 §4.2.3.6): a probe is an ACK with SEG.SEQ = SND.NXT - 1. */
  private void onKeepaliveTimer(long now) {
    if (!keepAlive || (state != TcpState.ESTABLISHED && state != TcpState.CLOSE_WAIT)) return;
    if (sndUna.lessThan(sndMax) || dataEnd().greaterThan(sndNxt)) {   // data outstanding: the RTO watches
      keepTimer.arm(now + keepIntvlNanos);
      return;
    }
    long idle = now - lastReceived;
    if (keepProbesSent == 0 && idle < keepIdleNanos) { keepTimer.arm(lastReceived + keepIdleNanos); return; }
    if (keepProbesSent >= keepProbes) {
      endpoint.counters().inc(TcpStat.KEEPALIVE_TIMEOUTS);
      endpoint.sendReset(now, this, sndMax, null);
      fail(new SocketTimeoutException("Connection timed out (keepalive)"));
      return;
    }
    keepProbesSent++;
    endpoint.counters().inc(TcpStat.KEEPALIVE_PROBES);
    emit(now, sndUna.plus(-1), TcpRepr.ACK, ackOptions(now), null);
    keepTimer.arm(now + keepIntvlNanos);
  }

  // =============================================================== application side (any thread)

  /**
   * Appends to the send buffer; blocks while it is full.
   * @param timeoutNanos how long to wait for room: ≤ 0 forever, {@link #NONBLOCKING} not at all
   * @return bytes taken (0 only when non-blocking and full)
   */
  public int write(ByteBuffer src, long timeoutNanos) throws IOException {
    long deadline = timeoutNanos <= 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutNanos;
    int n;
    lock.lock();
    try {
      while (true) {
        if (error != null) throw error;
        if (appClosedWrite) throw new SocketException("Socket output is shut down");
        if (state != TcpState.ESTABLISHED && state != TcpState.CLOSE_WAIT) throw new SocketException("Socket is not connected (" + state + ")");
        if (sendBuf.free() > 0) break;
        if (timeoutNanos < 0) return 0;
        awaitChange(deadline);
      }
      n = sendBuf.append(src);
    } finally {
      lock.unlock();
    }
    kickOutput();
    return n;
  }

  /**
   * Reads into {@code dst}; blocks until data, EOF (-1) or the timeout ({@link #NONBLOCKING}:
   * returns 0 at once when nothing waits).
   */
  public int read(ByteBuffer dst, long timeoutNanos) throws IOException {
    long deadline = timeoutNanos <= 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutNanos;
    int n;
    lock.lock();
    try {
      while (rcvBuf.size() == 0) {
        if (peerFin) return -1;
        if (error != null) throw error;
        if (state == TcpState.CLOSED) return -1;
        if (timeoutNanos < 0) return 0;
        awaitChange(deadline);
      }
      n = rcvBuf.read(dst);
      copiedSinceMark += n;
    } finally {
      lock.unlock();
    }
    if (windowUpdateQueued.compareAndSet(false, true)) endpoint.later(now -> { windowUpdateQueued.set(false); windowUpdate(now); });
    return n;
  }

  public int available() {
    lock.lock();
    try { return rcvBuf.size(); } finally { lock.unlock(); }
  }

  // one pending loop task at a time for each: writes and reads come far faster than the loop needs telling
  private final java.util.concurrent.atomic.AtomicBoolean outputQueued = new java.util.concurrent.atomic.AtomicBoolean();
  private final java.util.concurrent.atomic.AtomicBoolean windowUpdateQueued = new java.util.concurrent.atomic.AtomicBoolean();

  private void kickOutput() {
    if (outputQueued.compareAndSet(false, true)) endpoint.later(now -> { outputQueued.set(false); output(now); });
  }

  /** Waits until the handshake is over. */
  public void awaitEstablished(long timeoutNanos) throws IOException {
    long deadline = timeoutNanos <= 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutNanos;
    lock.lock();
    try {
      while (state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED) {
        if (error != null) throw error;
        awaitChange(deadline);
      }
      if (error != null) throw error;
    } finally {
      lock.unlock();
    }
  }

  /** Sends a FIN after the buffered data (shutdownOutput). */
  public void shutdownOutput() {
    lock.lock();
    try {
      appClosedWrite = true;
      signal();
    } finally {
      lock.unlock();
    }
    endpoint.later(this::output);
  }

  /**
   * The application is done with the connection (close): queued data is still delivered, then
   * a FIN. Unread data, or data arriving later, resets the connection (RFC 2525 §2.17, as
   * Linux does); an orphaned FIN-WAIT-2 lasts tcp_fin_timeout.
   */
  public void close() {
    boolean unread;
    lock.lock();
    try {
      unread = rcvBuf.size() > 0;
      orphan = true;
      if (!unread) appClosedWrite = true;   // with unread data, a RST and no FIN ahead of it
      signal();
    } finally {
      lock.unlock();
    }
    if (unread) { abort(); return; }
    endpoint.later(now -> {
      output(now);
      if (state == TcpState.FIN_WAIT_2) waitTimer.arm(now + endpoint.finWait2Nanos());
    });
  }

  /** Abortive close: RST, discard everything (SO_LINGER 0). */
  public void abort() {
    endpoint.later(now -> {
      if (state != TcpState.CLOSED && state != TcpState.TIME_WAIT && state != TcpState.SYN_SENT)
        endpoint.sendReset(now, this, sndMax, null);
      fail(new SocketException("Socket closed"));
    });
  }

  private void awaitChange(long deadline) throws IOException {
    try {
      if (deadline == Long.MAX_VALUE) {
        changed.await();
      } else {
        long left = deadline - System.nanoTime();
        if (left <= 0) throw new SocketTimeoutException("timed out");
        changed.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException();
    }
  }

  // =============================================================== state

  private void setState(TcpState s) {
    lock.lock();
    try {
      state = s;
      signal();
    } finally {
      lock.unlock();
    }
  }

  /** Ends the connection with an error for the application. */
  void fail(IOException e) {
    lock.lock();
    try {
      if (error == null) error = e;
    } finally {
      lock.unlock();
    }
    drop();
  }

  /** Removes the connection: CLOSED, timers off, out of the tables. */
  void drop() {
    rtxTimer.cancel();
    ackTimer.cancel();
    waitTimer.cancel();
    keepTimer.cancel();
    ooo.clear();
    setState(TcpState.CLOSED);
    endpoint.remove(this);
  }

  int sendQueued() {
    lock.lock();
    try { return sendBuf.size(); } finally { lock.unlock(); }
  }

  /** Bytes of buffer memory this connection holds (send, receive, out-of-order). */
  long memory() {
    lock.lock();
    try { return sendBuf.allocated() + rcvBuf.allocated() + ooo.bytesHeld(); } finally { lock.unlock(); }
  }

}
