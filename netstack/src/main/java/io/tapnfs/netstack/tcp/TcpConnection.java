package io.tapnfs.netstack.tcp;

import io.tapnfs.netstack.TimerWheel;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One TCP connection: the transmission control block of RFC 9293 §3.3.1 and its state machine.
 * Segment arrival follows §3.10.7 step by step ({@link #segmentArrives}); sending is
 * {@link #output}; timers are one retransmission timer (also the persist timer), one delayed-ACK
 * timer and one for TIME-WAIT / FIN-WAIT-2.
 *
 * <p>Threads: protocol state belongs to the event loop. The application reaches the two byte
 * buffers and the few fields it may read ({@code state}, {@code error}) under {@link #lock}, and
 * asks the loop to act with {@link TcpEndpoint}'s executor; it never touches sequence variables.
 *
 * <p>This first version negotiates MSS only (no window scaling, SACK or timestamps yet), does
 * go-back-N on a timeout and NewReno fast retransmit on three duplicate ACKs, and drops
 * out-of-order data (the peer retransmits it).
 */
public final class TcpConnection {
  /** RFC 9293 §3.7.1: the MSS to assume when the peer sends none. */
  static final int DEFAULT_MSS = 536;
  static final long DELAYED_ACK_NANOS = 40_000_000L;
  static final int SYN_RETRIES = 6, DATA_RETRIES = 15;     // Linux tcp_syn_retries, tcp_retries2

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
  private volatile TcpState state;
  private IOException error;
  private boolean appClosedWrite;           // shutdownOutput/close asked for a FIN
  private boolean peerFin;                  // the peer's FIN was received: EOF after rcvBuf

  // ---- loop only: RFC 9293 §3.3.1 send and receive sequence variables
  SeqNumber iss, sndUna, sndNxt, sndMax, sndWl1, sndWl2;
  long sndWnd;
  SeqNumber irs, rcvNxt;
  int sndMss;
  private final int ourMss;
  private int lastAdvertisedWindow;
  private boolean finSent;
  private SeqNumber finSeq;
  private int retries;
  private int dupAcks;
  private boolean inRecovery;
  private SeqNumber recover;
  private int unackedSegments;
  private SeqNumber rttSeq;                 // Karn: one timed segment, never a retransmitted one
  private long rttStart;
  final RttEstimator rtt;
  final CongestionControl cc;
  final TimerWheel.Timer rtxTimer, ackTimer, waitTimer;

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
    this.rtt = new RttEstimator(200_000_000L, 120_000_000_000L, 1_000_000_000L, 1_000_000L);
    this.cc = CongestionControl.create("cubic", sndMss);
    this.rtxTimer = wheel.newTimer(this::onRetransmitTimer);
    this.ackTimer = wheel.newTimer(now -> { if (ackTimerPending()) sendAck(now); });
    this.waitTimer = wheel.newTimer(this::onWaitTimer);
    this.state = TcpState.CLOSED;
  }

  public TcpState state() { return state; }

  /** Timeout value for {@link #read} and {@link #write}: return 0 at once instead of waiting. */
  public static final long NONBLOCKING = -1;

  /**
   * Watchers are told (on whichever thread changed something, with the connection's lock held)
   * that readiness may have changed: data or EOF arrived, send-buffer space freed, the handshake
   * ended, an error happened. A watcher must only poke (unpark, release a permit, set a flag):
   * never block, never take a lock, never call back into the connection.
   */
  private final java.util.concurrent.CopyOnWriteArrayList<Runnable> watchers = new java.util.concurrent.CopyOnWriteArrayList<>();

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
  public Ipv4Address localAddress() { return localIp; }

  /** TCP_NODELAY for this socket (the stack-wide sysctl still applies when on). */
  public void setNoDelay(boolean on) { noDelay = on; endpoint.later(this::output); }
  public boolean noDelay() { return noDelay; }
  private volatile boolean noDelay;

  public Ipv4Address remoteAddress() { return remoteIp; }
  public int remotePort() { return remotePort; }
  public int localPort() { return localPort; }

  @Override public String toString() {
    return localIp + ":" + localPort + " " + remoteIp + ":" + remotePort + " " + state;
  }

  // =============================================================== opening

  /** Active open (RFC 9293 §3.10.1): send SYN, enter SYN-SENT. */
  void connect(long now) {
    iss = endpoint.isn(now, this);
    sndUna = iss;
    sndNxt = iss.plus(1);
    sndMax = sndNxt;
    setState(TcpState.SYN_SENT);
    sendSyn(now, false);
    rtxTimer.arm(now + rtt.rto());
  }

  /** Passive open: a SYN reached a listener (§3.10.7.2, LISTEN, "third check for a SYN"). */
  void acceptSyn(long now, TcpRepr syn) {
    irs = syn.seq();
    rcvNxt = irs.plus(1);
    learnMss(syn.options());
    iss = endpoint.isn(now, this);
    sndUna = iss;
    sndNxt = iss.plus(1);
    sndMax = sndNxt;
    sndWnd = syn.window();
    sndWl1 = syn.seq();
    sndWl2 = iss;
    setState(TcpState.SYN_RECEIVED);
    sendSyn(now, true);
    rtxTimer.arm(now + rtt.rto());
  }

  private void learnMss(TcpOptions o) {
    // RFC 9293 §3.7.1 / RFC 6691: send at most the peer's MSS, never more than our MTU allows.
    sndMss = Math.min(o.mss() > 0 ? o.mss() : DEFAULT_MSS, ourMss);
    cc.setMss(sndMss);
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
      if (ackOk) fail(new ConnectException("Connection refused"));
      return;
    }
    // fourth, check the SYN bit
    if (!seg.has(TcpRepr.SYN)) return;
    irs = seg.seq();
    rcvNxt = irs.plus(1);
    learnMss(seg.options());
    if (ackOk) {
      sndUna = seg.ack();
      sndWnd = seg.window();
      sndWl1 = seg.seq();
      sndWl2 = seg.ack();
      rtxTimer.cancel();
      retries = 0;
      if (retries == 0) rtt.sample(now - rttStart);     // Karn: not from a retransmitted SYN
      rttSeq = null;
      setState(TcpState.ESTABLISHED);
      endpoint.counters().inc(TcpStat.ACTIVE_OPENS);
      sendAck(now);
      output(now);
    } else {
      // simultaneous open: "enter SYN-RECEIVED, form a SYN,ACK segment"
      setState(TcpState.SYN_RECEIVED);
      sendSyn(now, true);
    }
  }

  /** §3.10.7.4: SYN-RECEIVED and every synchronized state. */
  private void synchronized_(long now, TcpRepr seg, ByteBuffer payload) {
    int segLen = seg.segmentLen();
    int wnd = receiveWindow();
    // first, check sequence number: the four acceptability cases of §3.10.7.4
    if (!acceptable(seg.seq(), segLen, wnd)) {
      if (!seg.has(TcpRepr.RST)) {
        if (state == TcpState.TIME_WAIT && seg.has(TcpRepr.FIN)) waitTimer.arm(now + endpoint.timeWaitNanos());
        sendAck(now);
      }
      return;
    }
    // second, check the RST bit. RFC 5961 §3.2: only an exact match resets; others in the
    // window get a challenge ACK.
    if (seg.has(TcpRepr.RST)) {
      if (!seg.seq().equals(rcvNxt)) { sendAck(now); return; }
      endpoint.counters().inc(TcpStat.IN_RSTS);
      if (state == TcpState.SYN_RECEIVED && listener != null) { drop(); return; }
      if (state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT) endpoint.counters().inc(TcpStat.ESTAB_RESETS);
      fail(new SocketException("Connection reset"));
      return;
    }
    // fourth, check the SYN bit. RFC 5961 §4.2: a SYN in a synchronized state gets a challenge ACK.
    if (seg.has(TcpRepr.SYN)) { sendAck(now); return; }
    // fifth, check the ACK field
    if (!seg.has(TcpRepr.ACK)) return;
    if (state == TcpState.SYN_RECEIVED) {
      if (seg.ack().greaterThan(sndUna) && seg.ack().lessOrEqual(sndMax)) {
        setState(TcpState.ESTABLISHED);
        sndWnd = seg.window();
        sndWl1 = seg.seq();
        sndWl2 = seg.ack();
        endpoint.counters().inc(TcpStat.PASSIVE_OPENS);
        if (listener != null) { embryonic = false; listener.established(this); }
      } else {
        endpoint.sendReset(now, this, seg.ack(), null);
        return;
      }
    }
    if (!processAck(now, seg, payload.remaining())) return;
    // seventh, process the segment text
    if (payload.hasRemaining()) receiveText(now, seg, payload);
    // eighth, check the FIN bit
    if (seg.has(TcpRepr.FIN) && seg.seq().plus(payload.remaining()).equals(rcvNxt)) receiveFin(now);
    output(now);
  }

  private boolean acceptable(SeqNumber seq, int segLen, int wnd) {
    if (segLen == 0) {
      return wnd == 0 ? seq.equals(rcvNxt) : seq.inWindow(rcvNxt, wnd);
    }
    if (wnd == 0) return false;
    SeqNumber last = seq.plus(segLen - 1);
    return seq.inWindow(rcvNxt, wnd) || last.inWindow(rcvNxt, wnd);
  }

  /** The ACK field (fifth step). @return false when the segment is to be dropped */
  private boolean processAck(long now, TcpRepr seg, int dataLen) {
    SeqNumber ack = seg.ack();
    if (ack.greaterThan(sndMax)) { sendAck(now); return false; }   // acks something not yet sent
    if (ack.lessThan(sndUna)) return true;                           // old duplicate: ignore the ACK
    if (ack.greaterThan(sndUna)) {
      int acked = ack.minus(sndUna);
      // our FIN is acknowledged now (also after a go-back-N rollback cleared finSent)
      boolean finAcked = finSeq != null && ack.greaterThan(finSeq) && !sndUna.greaterThan(finSeq);
      if (finAcked) finSent = true;
      int dataAcked = Math.min(acked - (finAcked ? 1 : 0), sendBufSize());
      lock.lock();
      try {
        sendBuf.drop(Math.max(0, dataAcked));
        signal();
      } finally {
        lock.unlock();
      }
      if (rttSeq != null && ack.greaterThan(rttSeq)) {
        rtt.sample(now - rttStart);
        rttSeq = null;
      }
      sndUna = ack;
      if (sndNxt.lessThan(sndUna)) sndNxt = sndUna;
      long inflight = sndMax.minus(ack);
      if (inRecovery) {
        if (ack.greaterOrEqual(recover)) {
          inRecovery = false;
          cc.onExitRecovery(now);
        } else {
          retransmitOne(now, sndUna);                               // NewReno partial ACK (RFC 6582 §3.2 step 4)
        }
      } else {
        cc.onAck(now, acked, -1, inflight);
      }
      dupAcks = 0;
      retries = 0;
      rtt.resetBackoff();
      if (sndUna.equals(sndMax)) rtxTimer.cancel(); else rtxTimer.arm(now + rtt.rto());
      if (finAcked) ourFinAcked(now);
    } else if (dataLen == 0 && seg.window() == sndWnd && !sndUna.equals(sndMax) && !seg.has(TcpRepr.FIN)) {
      // RFC 5681 §2 duplicate ACK; the third starts fast retransmit (§3.2)
      if (++dupAcks == 3 && !inRecovery) {
        inRecovery = true;
        recover = sndMax;
        cc.onEnterRecovery(now, sndMax.minus(sndUna));
        retransmitOne(now, sndUna);
      }
    }
    // RFC 9293 §3.10.7.4: update the send window from the most recent segment
    if (sndWl1 == null || sndWl1.lessThan(seg.seq()) || (sndWl1.equals(seg.seq()) && sndWl2.lessOrEqual(ack))) {
      sndWnd = seg.window();
      sndWl1 = seg.seq();
      sndWl2 = ack;
    }
    return state != TcpState.CLOSED;
  }

  private int sendBufSize() {
    lock.lock();
    try { return sendBuf.size(); } finally { lock.unlock(); }
  }

  private void ourFinAcked(long now) {
    switch (state) {
      case FIN_WAIT_1 -> {
        setState(TcpState.FIN_WAIT_2);
        waitTimer.arm(now + endpoint.finWait2Nanos());   // Linux tcp_fin_timeout
      }
      case CLOSING -> enterTimeWait(now);
      case LAST_ACK -> drop();
      default -> { }
    }
  }

  /** Seventh step: in-order text goes to the receive buffer; anything else is dropped for now. */
  private void receiveText(long now, TcpRepr seg, ByteBuffer payload) {
    if (state != TcpState.ESTABLISHED && state != TcpState.FIN_WAIT_1 && state != TcpState.FIN_WAIT_2) return;
    int skip = rcvNxt.minus(seg.seq());                // bytes we already have (a retransmission overlapping)
    if (skip < 0) {                                    // beyond RCV.NXT: out of order
      sendAck(now);                                    // a duplicate ACK tells the sender at once
      return;
    }
    if (skip >= payload.remaining()) { sendAck(now); return; }
    ByteBuffer fresh = payload.duplicate().position(payload.position() + skip);
    int taken;
    lock.lock();
    try {
      taken = rcvBuf.append(fresh);
      signal();
    } finally {
      lock.unlock();
    }
    rcvNxt = rcvNxt.plus(taken);
    // RFC 9293 §3.8.6.3 / RFC 1122 §4.2.3.2: ACK at least every second full segment, else within 500 ms (we use 40 ms)
    if (++unackedSegments >= 2) sendAck(now);
    else ackTimer.armNoLaterThan(now + DELAYED_ACK_NANOS);
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
        if (finSent && sndUna.equals(finSeq.plus(1))) enterTimeWait(now); else setState(TcpState.CLOSING);
      }
      case FIN_WAIT_2 -> enterTimeWait(now);
      default -> { }
    }
    sendAck(now);
  }

  private void enterTimeWait(long now) {
    setState(TcpState.TIME_WAIT);
    rtxTimer.cancel();
    ackTimer.cancel();
    waitTimer.arm(now + endpoint.timeWaitNanos());
  }

  // =============================================================== sending

  /** Sends what the windows allow: data, then the FIN once all data went out. */
  void output(long now) {
    if (state != TcpState.ESTABLISHED && state != TcpState.CLOSE_WAIT && state != TcpState.FIN_WAIT_1
        && state != TcpState.CLOSING && state != TcpState.LAST_ACK) return;
    boolean closeAsked;
    int buffered;
    lock.lock();
    try {
      buffered = sendBuf.size();
      closeAsked = appClosedWrite;
    } finally {
      lock.unlock();
    }
    long window = Math.min(sndWnd, cc.cwnd());
    while (true) {
      int sentData = sentData();
      int unsent = buffered - sentData;
      long inflight = sndNxt.minus(sndUna);
      if (unsent <= 0) break;
      long room = window - inflight;
      int len = (int) Math.min(Math.min(sndMss, unsent), room);
      if (len <= 0) {
        // RFC 9293 §3.8.6.1: zero window: probe with data on the persist timer
        if (sndWnd == 0 && inflight == 0 && !rtxTimer.isArmed()) rtxTimer.arm(now + rtt.rto());
        break;
      }
      // Nagle (RFC 9293 §3.7.4): hold a small segment while data is unacknowledged
      if (len < sndMss && inflight > 0 && !noDelay && !endpoint.noDelay()) break;
      sendData(now, sndNxt, sentData, len, len == unsent);
      sndNxt = sndNxt.plus(len);
      if (sndNxt.greaterThan(sndMax)) sndMax = sndNxt;
    }
    if (closeAsked && !finSent && sentData() >= buffered) sendFin(now);
    if (state == TcpState.CLOSE_WAIT && closeAsked && finSent) setState(TcpState.LAST_ACK);
  }

  /** A copy of {@code len} send-buffer bytes starting {@code offset} bytes after SND.UNA. */
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

  /** Data bytes between SND.UNA and SND.NXT (the FIN, once sent, is not data). */
  private int sentData() {
    return sndNxt.minus(sndUna) - (finSent && sndNxt.greaterThan(finSeq) ? 1 : 0);
  }

  private void sendData(long now, SeqNumber seq, int offset, int len, boolean push) {
    ByteBuffer data = copyOut(offset, len);
    if (rttSeq == null && seq.greaterOrEqual(sndMax)) { rttSeq = seq.plus(len); rttStart = now; }
    endpoint.send(now, this, seq, TcpRepr.ACK | (push ? TcpRepr.PSH : 0), TcpOptions.NONE, data);
    ackSent();
    if (!rtxTimer.isArmed()) rtxTimer.arm(now + rtt.rto());
  }

  private void sendFin(long now) {
    finSeq = sndNxt;
    finSent = true;
    endpoint.send(now, this, sndNxt, TcpRepr.FIN | TcpRepr.ACK, TcpOptions.NONE, null);
    ackSent();
    sndNxt = sndNxt.plus(1);
    if (sndNxt.greaterThan(sndMax)) sndMax = sndNxt;
    if (state == TcpState.ESTABLISHED) setState(TcpState.FIN_WAIT_1);
    if (!rtxTimer.isArmed()) rtxTimer.arm(now + rtt.rto());
  }

  private void sendSyn(long now, boolean withAck) {
    if (retries == 0) { rttSeq = iss; rttStart = now; }    // Karn: time only the first SYN
    TcpOptions o = TcpOptions.NONE.withMss(ourMss);
    endpoint.send(now, this, iss, TcpRepr.SYN | (withAck ? TcpRepr.ACK : 0), o, null);
  }

  void sendAck(long now) {
    endpoint.send(now, this, sndNxt, TcpRepr.ACK, TcpOptions.NONE, null);
    ackSent();
  }

  private void ackSent() {
    unackedSegments = 0;
    ackTimer.cancel();
    lastAdvertisedWindow = receiveWindow();
  }

  private boolean ackTimerPending() { return state != TcpState.CLOSED && unackedSegments > 0; }

  /** The receive window: free space in the receive buffer (no scaling yet, so at most 65535). */
  int receiveWindow() {
    lock.lock();
    try {
      return Math.min(rcvBuf.free(), 65535);
    } finally {
      lock.unlock();
    }
  }

  /**
   * After the application read: announce the opened window when it grew by at least one MSS or
   * half the buffer (RFC 9293 §3.8.6.2.2, receiver SWS avoidance), so a sender waiting on a
   * full window is never left stalled.
   */
  void windowUpdate(long now) {
    if (state == TcpState.CLOSED || state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED) return;
    int wnd = receiveWindow();
    if (wnd - lastAdvertisedWindow >= Math.min(sndMss, rcvBuf.capacity() / 2)) sendAck(now);
  }

  // =============================================================== timers

  private void onRetransmitTimer(long now) {
    if (state == TcpState.CLOSED || state == TcpState.TIME_WAIT) return;
    int limit = state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED ? SYN_RETRIES : DATA_RETRIES;
    if (sndWnd == 0 && sendBufSize() > 0 && state != TcpState.SYN_SENT && state != TcpState.SYN_RECEIVED) {
      // Persist timer (RFC 9293 §3.8.6.1): probe the zero window with one byte of data, for as
      // long as the peer keeps answering; probes are not retransmissions and do not give up.
      sendData(now, sndUna, 0, 1, true);
      if (sndNxt.lessThan(sndUna.plus(1))) sndNxt = sndUna.plus(1);
      if (sndNxt.greaterThan(sndMax)) sndMax = sndNxt;
      rtt.backoff();
      rtxTimer.arm(now + rtt.rto());
      return;
    }
    if (++retries > limit) {
      fail(new SocketTimeoutException(state == TcpState.SYN_SENT ? "Connection timed out" : "Connection timed out (no acknowledgment)"));
      endpoint.sendReset(now, this, sndNxt, null);
      return;
    }
    endpoint.counters().inc(TcpStat.RETRANS_SEGS);
    rtt.backoff();                                       // RFC 6298 §5.5
    rttSeq = null;                                       // Karn: no sample from retransmitted data
    switch (state) {
      case SYN_SENT -> sendSyn(now, false);
      case SYN_RECEIVED -> sendSyn(now, true);
      default -> {
        // RFC 5681 §3.1: loss window; go back to SND.UNA and resend (RFC 6298 §5.4)
        cc.onRetransmitTimeout(now, sndMax.minus(sndUna));
        inRecovery = false;
        dupAcks = 0;
        sndNxt = sndUna;
        if (finSent && finSeq.greaterOrEqual(sndUna)) finSent = false;
        output(now);
      }
    }
    rtxTimer.arm(now + rtt.rto());
  }

  /** Resends one segment at {@code seq} without moving SND.NXT (fast retransmit). */
  private void retransmitOne(long now, SeqNumber seq) {
    int offset = seq.minus(sndUna);
    int buffered = sendBufSize();
    endpoint.counters().inc(TcpStat.RETRANS_SEGS);
    if (offset < buffered) {
      int len = Math.min(sndMss, buffered - offset);
      ByteBuffer data = copyOut(offset, len);
      endpoint.send(now, this, seq, TcpRepr.ACK, TcpOptions.NONE, data);
    } else if (finSent) {
      endpoint.send(now, this, finSeq, TcpRepr.FIN | TcpRepr.ACK, TcpOptions.NONE, null);
    }
    rttSeq = null;
  }

  private void onWaitTimer(long now) {
    if (state == TcpState.TIME_WAIT || state == TcpState.FIN_WAIT_2) drop();
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
    endpoint.later(this::output);
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
    } finally {
      lock.unlock();
    }
    endpoint.later(this::windowUpdate);
    return n;
  }

  public int available() {
    lock.lock();
    try { return rcvBuf.size(); } finally { lock.unlock(); }
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

  /** Sends a FIN after the buffered data (shutdownOutput / close). */
  public void shutdownOutput() {
    lock.lock();
    try {
      appClosedWrite = true;
    } finally {
      lock.unlock();
    }
    endpoint.later(this::output);
  }

  /** Abortive close: RST, discard everything (SO_LINGER 0). */
  public void abort() {
    endpoint.later(now -> {
      if (state != TcpState.CLOSED && state != TcpState.TIME_WAIT && state != TcpState.SYN_SENT)
        endpoint.sendReset(now, this, sndNxt, null);
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
    setState(TcpState.CLOSED);
    endpoint.remove(this);
  }

  int sendQueued() { return sendBufSize(); }
}
