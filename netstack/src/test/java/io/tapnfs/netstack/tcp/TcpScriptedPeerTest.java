package io.tapnfs.netstack.tcp;

import static io.tapnfs.netstack.NicFixture.OUR_IP;
import static io.tapnfs.netstack.NicFixture.PEER_IP;
import static org.assertj.core.api.Assertions.assertThat;

import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Frames;
import io.tapnfs.netstack.Malformed;
import io.tapnfs.netstack.NicFixture;
import io.tapnfs.netstack.Sysctl;
import io.tapnfs.netstack.ipv4.IpProtocol;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * TCP against a scripted peer: every segment the peer sends is written here, every answer is
 * checked. Options negotiation (RFC 7323, RFC 2018), PAWS, RFC 5961, SACK generation, SYN
 * cookies (RFC 4987), keepalive, TIME-WAIT reuse, FIN-WAIT-2 and the caps.
 */
class TcpScriptedPeerTest {
  static final int PORT = 2049, PEER_PORT = 40000;
  static final TcpOptions FULL = TcpOptions.NONE.withMss(1460).withWindowScale(7).withSackPermitted(true).withTimestamps(100, 0);

  final NicFixture f = new NicFixture().knowPeer();
  long peerTs = 100;
  long ourTs;                                    // the last TSval we saw from the stack

  TcpScriptedPeerTest() {
    f.nic.tcp().setLoop(task -> task.accept(f.clock.nanos()));
  }

  /** A segment from the peer, from PEER_PORT unless {@code port} says otherwise. */
  void send(int port, int flags, long seq, long ack, int window, TcpOptions o, byte[] data) {
    ByteBuffer payload = ByteBuffer.wrap(data);
    TcpRepr r = new TcpRepr(port, PORT, SeqNumber.of(seq), SeqNumber.of(ack), flags, window, o, data.length);
    f.receiveIp(Frames.ipv4(PEER_IP, OUR_IP, IpProtocol.TCP, TcpRepr.build(PEER_IP, OUR_IP, r, payload)));
  }

  void send(int flags, long seq, long ack, byte[] data) { send(PEER_PORT, flags, seq, ack, 512, ts(), data); }

  /** The peer's timestamp option, echoing our latest TSval. */
  TcpOptions ts() { return TcpOptions.NONE.withTimestamps(++peerTs, ourTs); }

  record Seg(TcpRepr r, byte[] data) {}

  List<Seg> replies() {
    List<Seg> out = new ArrayList<>();
    for (ByteBuffer frame : f.takeAll()) {
      try {
        TcpHeader h = TcpHeader.checked(NicFixture.ipHeaderOf(frame).payload());
        TcpRepr r = TcpRepr.parse(h, OUR_IP, PEER_IP, true);
        byte[] d = new byte[h.payload().remaining()];
        h.payload().duplicate().get(d);
        if (r.options().hasTimestamps()) ourTs = r.options().tsVal();
        out.add(new Seg(r, d));
      } catch (Malformed m) {
        throw new AssertionError(m.reason());
      }
    }
    return out;
  }

  Seg reply() {
    List<Seg> l = replies();
    assertThat(l).as("segments sent").hasSize(1);
    return l.get(0);
  }

  long iss;                                      // our ISN, from the SYN,ACK

  /** Peer connects with {@code synOpts}; the connection as accepted. Peer's ISN is 1000. */
  TcpConnection open(TcpOptions synOpts, int backlog) throws Exception {
    TcpListener l = f.nic.tcp().listen(PORT, backlog);
    send(PEER_PORT, TcpRepr.SYN, 1000, 0, 65535, synOpts, new byte[0]);
    Seg synAck = reply();
    assertThat(synAck.r().flags()).isEqualTo(TcpRepr.SYN | TcpRepr.ACK);
    iss = synAck.r().seq().toUnsigned();
    send(PEER_PORT, TcpRepr.ACK, 1001, iss + 1, synOpts.windowScale() >= 0 ? 512 : 65535,
        synOpts.hasTimestamps() ? ts() : TcpOptions.NONE, new byte[0]);
    TcpConnection c = l.poll();
    assertThat(c).isNotNull();
    assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
    return c;
  }

  static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) b[i] = (byte) (seed + i);
    return b;
  }

  // ---------------------------------------------------------------- options

  @Test void allOptionsAreNegotiatedWhenThePeerOffersThem() throws Exception {
    TcpListener l = f.nic.tcp().listen(PORT, 8);
    send(PEER_PORT, TcpRepr.SYN, 1000, 0, 65535, FULL, new byte[0]);
    Seg synAck = reply();
    TcpOptions o = synAck.r().options();
    assertThat(o.mss()).isEqualTo(1460);
    assertThat(o.windowScale()).isEqualTo(7);                  // room for a 4 MiB tcp_rmem_max: 4194304 >> 7 fits 16 bits
    assertThat(o.sackPermitted()).isTrue();
    assertThat(o.hasTimestamps()).isTrue();
    assertThat(o.tsEcr()).isEqualTo(100);                      // RFC 7323 §3.2: echoes the SYN's TSval
    send(PEER_PORT, TcpRepr.ACK, 1001, synAck.r().seq().toUnsigned() + 1, 100, ts(), new byte[0]);
    TcpConnection c = l.poll();
    assertThat(c.optionsSummary()).isEqualTo("ts sack wscale:7,7");
    assertThat(c.sndWnd).isEqualTo(100L << 7);                 // RFC 7323 §2.3: scaled from now on
    assertThat(c.effMss()).isEqualTo(1460 - 12);               // RFC 6691: the timestamp option takes 12 bytes
    // our data segments carry the timestamp option, echoing the peer's latest TSval
    c.write(ByteBuffer.wrap(bytes(100, 1)), 1);
    Seg d = reply();
    assertThat(d.data()).hasSize(100);
    assertThat(d.r().options().tsEcr()).isEqualTo(peerTs);
  }

  @Test void noOptionsAreUsedWhenThePeerOffersOnlyAnMss() throws Exception {
    TcpConnection c = open(TcpOptions.NONE.withMss(1000), 8);
    assertThat(c.optionsSummary()).isEmpty();
    assertThat(c.effMss()).isEqualTo(1000);
    c.write(ByteBuffer.wrap(bytes(3000, 1)), 1);
    List<Seg> segs = replies();
    assertThat(segs).extracting(s -> s.data().length).containsExactly(1000, 1000, 1000);
    assertThat(segs).allMatch(s -> !s.r().options().hasTimestamps() && s.r().window() <= 65535);
  }

  @Test void pawsDropsASegmentWithAnOlderTimestamp() throws Exception {
    TcpConnection c = open(FULL, 8);
    send(PEER_PORT, TcpRepr.ACK, 1001, iss + 1, 512, TcpOptions.NONE.withTimestamps(500, ourTs), bytes(10, 0));
    replies();
    assertThat(c.available()).isEqualTo(10);
    send(PEER_PORT, TcpRepr.ACK, 1011, iss + 1, 512, TcpOptions.NONE.withTimestamps(400, ourTs), bytes(10, 0));
    Seg ack = reply();                                         // RFC 7323 §5.3 R1: ACK, drop
    assertThat(ack.r().ack().toUnsigned()).isEqualTo(1011);
    assertThat(c.available()).isEqualTo(10);
    assertThat(f.drops(DropReason.TCP_PAWS)).isEqualTo(1);
    assertThat(f.nic.tcp().counters().get(TcpStat.PAWS_DROPS)).isEqualTo(1);
  }

  // ---------------------------------------------------------------- RFC 5961

  @Test void aResetInTheWindowButNotAtRcvNxtGetsAChallengeAck() throws Exception {
    TcpConnection c = open(FULL, 8);
    send(PEER_PORT, TcpRepr.RST, 1001 + 100, 0, 0, TcpOptions.NONE, new byte[0]);
    Seg ack = reply();
    assertThat(ack.r().flags()).isEqualTo(TcpRepr.ACK);
    assertThat(ack.r().ack().toUnsigned()).isEqualTo(1001);
    assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
    assertThat(f.nic.tcp().counters().get(TcpStat.CHALLENGE_ACKS)).isEqualTo(1);
    send(PEER_PORT, TcpRepr.RST, 1001, 0, 0, TcpOptions.NONE, new byte[0]);   // exactly RCV.NXT
    assertThat(c.state()).isEqualTo(TcpState.CLOSED);
    assertThat(f.sent).isEmpty();
  }

  /** Issue 15: RFC 5961 §3.2 "If the RST bit is set and the sequence number exactly matches the next expected sequence number (RCV.NXT), then TCP MUST reset the connection." */
  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"rst", "rst-ack", "rst-ts", "rst-ack-ts-after-data", "rst-after-our-data", "rst-zero-window"})
  void aResetExactlyAtRcvNxtResetsTheConnection(String how) throws Exception {
    TcpConnection c = open(FULL, 8);
    long seq = 1001;
    if (how.endsWith("after-data")) {
      send(PEER_PORT, TcpRepr.ACK, 1001, iss + 1, 512, ts(), bytes(100, 0));
      replies();
      seq = 1101;
    }
    if (how.equals("rst-after-our-data")) {
      c.write(ByteBuffer.wrap(bytes(3000, 1)), 1);
      replies();
    }
    if (how.equals("rst-zero-window")) {
      int n = 0;
      while (c.available() < (1 << 20) && n < 2000) {
        send(PEER_PORT, TcpRepr.ACK, seq, iss + 1, 512, ts(), bytes(1000, 0));
        seq += 1000;
        n++;
        replies();
      }
      seq = c.rcvNxt.toUnsigned();                             // the window is shut: what we sent past it was not taken
    }
    int flags = how.contains("ack") ? TcpRepr.RST | TcpRepr.ACK : TcpRepr.RST;
    TcpOptions o = how.contains("ts") ? ts() : TcpOptions.NONE;
    send(PEER_PORT, flags, seq, how.contains("ack") ? iss + 1 : 0, 0, o, new byte[0]);
    assertThat(c.state()).isEqualTo(TcpState.CLOSED);
  }

  /** Issue 15: RFC 9293 §3.8.5 and RFC 6093: urgent data is delivered in line; the flag never tears a connection down. */
  @Test void urgentDataIsDeliveredInLineAndTheConnectionLives() throws Exception {
    TcpConnection c = open(FULL, 8);
    send(PEER_PORT, TcpRepr.ACK | TcpRepr.URG, 1001, iss + 1, 512, ts(), bytes(100, 0));
    send(PEER_PORT, TcpRepr.ACK | TcpRepr.URG, 1101, iss + 1, 512, ts(), bytes(100, 0));   // "spanning" segments
    send(PEER_PORT, TcpRepr.ACK | TcpRepr.URG, 1201, iss + 1, 512, ts(), new byte[0]);   // URG on a bare ACK
    replies();
    assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
    assertThat(c.available()).isEqualTo(200);
  }

  @Test void aSynOnAnEstablishedConnectionGetsAChallengeAck() throws Exception {
    TcpConnection c = open(FULL, 8);
    send(PEER_PORT, TcpRepr.SYN, 5000, 0, 512, ts(), new byte[0]);
    assertThat(reply().r().flags()).isEqualTo(TcpRepr.ACK);
    assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
  }

  @Test void dataWithAnAckFarBelowSndUnaIsDropped() throws Exception {
    TcpConnection c = open(FULL, 8);
    // RFC 5961 §5.2: SEG.ACK < SND.UNA - MAX.SND.WND is blind injection
    send(PEER_PORT, TcpRepr.ACK, 1001, iss + 1 - (1L << 24), 512, ts(), bytes(20, 0));
    assertThat(reply().r().flags()).isEqualTo(TcpRepr.ACK);
    assertThat(c.available()).isZero();
    assertThat(f.drops(DropReason.TCP_BAD_ACK)).isEqualTo(1);
  }

  @Test void challengeAcksAreRateLimited() throws Exception {
    f.settings().set(Sysctl.TCP_CHALLENGE_ACK_LIMIT, 5);
    open(FULL, 8);
    for (int i = 0; i < 20; i++) send(PEER_PORT, TcpRepr.RST, 1001 + 10 + i, 0, 0, TcpOptions.NONE, new byte[0]);
    assertThat(replies()).hasSize(5);
    assertThat(f.nic.tcp().counters().get(TcpStat.CHALLENGE_ACKS_LIMITED)).isEqualTo(15);
    f.advanceMillis(1001);                                     // a new second: allowed again
    send(PEER_PORT, TcpRepr.RST, 1001 + 50, 0, 0, TcpOptions.NONE, new byte[0]);
    assertThat(replies()).hasSize(1);
  }

  // ---------------------------------------------------------------- SACK receiver

  @Test void outOfOrderDataIsSackedAtOnceAndDeliveredInOrderWhenTheHoleFills() throws Exception {
    TcpConnection c = open(FULL, 8);
    byte[] all = bytes(3000, 7);
    send(PEER_PORT, TcpRepr.ACK, 2001, iss + 1, 512, ts(), java.util.Arrays.copyOfRange(all, 1000, 2000));
    Seg a1 = reply();
    assertThat(a1.r().ack().toUnsigned()).isEqualTo(1001);     // a duplicate ACK, at once (RFC 5681 §4.2)
    assertThat(a1.r().options().sack()).containsExactly(new TcpOptions.SackBlock(SeqNumber.of(2001), SeqNumber.of(3001)));
    send(PEER_PORT, TcpRepr.ACK, 3001, iss + 1, 512, ts(), java.util.Arrays.copyOfRange(all, 2000, 3000));
    Seg a2 = reply();
    assertThat(a2.r().options().sack()).containsExactly(new TcpOptions.SackBlock(SeqNumber.of(2001), SeqNumber.of(4001)));
    assertThat(c.available()).isZero();
    send(PEER_PORT, TcpRepr.ACK, 1001, iss + 1, 512, ts(), java.util.Arrays.copyOfRange(all, 0, 1000));
    Seg a3 = reply();                                          // the hole is filled: ACK everything at once
    assertThat(a3.r().ack().toUnsigned()).isEqualTo(4001);
    assertThat(a3.r().options().sack()).isEmpty();
    ByteBuffer got = ByteBuffer.allocate(3000);
    while (got.hasRemaining()) c.read(got, TcpConnection.NONBLOCKING);
    assertThat(got.array()).isEqualTo(all);
  }

  @Test void aFinBeyondAHoleCountsOnceTheHoleIsFilled() throws Exception {
    TcpConnection c = open(FULL, 8);
    send(PEER_PORT, TcpRepr.ACK | TcpRepr.FIN, 1101, iss + 1, 512, ts(), bytes(100, 1));
    replies();
    assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
    send(PEER_PORT, TcpRepr.ACK, 1001, iss + 1, 512, ts(), bytes(100, 2));
    assertThat(reply().r().ack().toUnsigned()).isEqualTo(1202);   // 200 bytes and the FIN
    assertThat(c.state()).isEqualTo(TcpState.CLOSE_WAIT);
  }

  // ---------------------------------------------------------------- SYN cookies

  @Test void aFullBacklogAnswersWithSynCookiesThatEstablishConnections() throws Exception {
    TcpListener l = f.nic.tcp().listen(PORT, 1);
    send(40001, TcpRepr.SYN, 7000, 0, 65535, FULL, new byte[0]);   // takes the one backlog slot
    replies();
    send(40002, TcpRepr.SYN, 9000, 0, 65535, FULL, new byte[0]);
    Seg cookie = reply();
    assertThat(cookie.r().flags()).isEqualTo(TcpRepr.SYN | TcpRepr.ACK);
    assertThat(f.nic.tcp().counters().get(TcpStat.SYNCOOKIES_SENT)).isEqualTo(1);
    assertThat(f.nic.tcp().connectionCount()).isEqualTo(1);         // no state kept for the cookie
    long cookieIss = cookie.r().seq().toUnsigned();
    // a forged ACK does not pass
    send(40002, TcpRepr.ACK, 9001, cookieIss + 2, 512, TcpOptions.NONE.withTimestamps(101, cookie.r().options().tsVal()), new byte[0]);
    assertThat(reply().r().flags() & TcpRepr.RST).isNotZero();
    assertThat(f.nic.tcp().counters().get(TcpStat.SYNCOOKIES_FAILED)).isEqualTo(1);
    // the real one does, and carries the options through the timestamp
    send(40002, TcpRepr.ACK, 9001, cookieIss + 1, 100, TcpOptions.NONE.withTimestamps(101, cookie.r().options().tsVal()), new byte[0]);
    TcpConnection c = l.poll();
    assertThat(c).isNotNull();
    assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
    assertThat(c.remotePort()).isEqualTo(40002);
    assertThat(c.optionsSummary()).isEqualTo("ts sack wscale:7,7");
    assertThat(c.sndWnd).isEqualTo(100L << 7);
    assertThat(f.nic.tcp().counters().get(TcpStat.SYNCOOKIES_RECV)).isEqualTo(1);
  }

  /** Issue 15: a good cookie's ACK while the accept queue is full is dropped (Linux), not reset; the client's resend gets in. */
  @Test void aGoodCookieFindingTheAcceptQueueFullIsDroppedNotReset() throws Exception {
    TcpListener l = f.nic.tcp().listen(PORT, 1);
    send(40001, TcpRepr.SYN, 7000, 0, 65535, FULL, new byte[0]);   // A takes the one backlog slot
    Seg synAckA = reply();
    send(40002, TcpRepr.SYN, 9000, 0, 65535, FULL, new byte[0]);   // B gets a cookie
    Seg cookie = reply();
    TcpOptions echo = TcpOptions.NONE.withTimestamps(101, cookie.r().options().tsVal());
    send(40001, TcpRepr.ACK, 7001, synAckA.r().seq().toUnsigned() + 1, 100,
        TcpOptions.NONE.withTimestamps(101, synAckA.r().options().tsVal()), new byte[0]);   // A established: the accept queue is full
    replies();
    long cookieIss = cookie.r().seq().toUnsigned();
    send(40002, TcpRepr.ACK, 9001, cookieIss + 1, 100, echo, new byte[0]);
    assertThat(replies()).as("no RST for a handshake that worked").isEmpty();
    assertThat(f.nic.tcp().counters().get(TcpStat.SYNCOOKIES_FAILED)).isZero();
    assertThat(f.nic.tcp().counters().get(TcpStat.LISTEN_OVERFLOWS)).isPositive();
    assertThat(l.poll().remotePort()).isEqualTo(40001);                  // the application takes A
    send(40002, TcpRepr.ACK, 9001, cookieIss + 1, 100, echo, new byte[0]);   // B's client sends its ACK again
    TcpConnection b = l.poll();
    assertThat(b).isNotNull();
    assertThat(b.remotePort()).isEqualTo(40002);
    assertThat(b.state()).isEqualTo(TcpState.ESTABLISHED);
  }

  @Test void aSynFloodIsAnsweredWithCookiesWhileAnEstablishedConnectionKeepsFlowing() throws Exception {
    TcpConnection c = open(FULL, 4);
    for (int i = 0; i < 2000; i++) send(10000 + i, TcpRepr.SYN, 1000L * i, 0, 65535, FULL, new byte[0]);
    List<Seg> answers = replies();
    assertThat(answers).hasSize(2000).allMatch(s -> s.r().flags() == (TcpRepr.SYN | TcpRepr.ACK));
    assertThat(f.nic.tcp().connectionCount()).isLessThanOrEqualTo(1 + 4);   // the table stays bounded
    assertThat(f.nic.tcp().counters().get(TcpStat.SYNCOOKIES_SENT)).isGreaterThanOrEqualTo(2000 - 4);
    long seq = 1001;
    for (int i = 0; i < 50; i++) {
      send(PEER_PORT, TcpRepr.ACK, seq, iss + 1, 512, ts(), bytes(1000, i));
      seq += 1000;
    }
    replies();
    assertThat(c.available()).isEqualTo(50_000);
  }

  @Test void theConnectionCapDropsSynsEvenWithCookies() throws Exception {
    f.settings().set(Sysctl.TCP_MAX_CONNECTIONS, 2);
    f.nic.tcp().listen(PORT, 100);
    for (int i = 0; i < 3; i++) send(20000 + i, TcpRepr.SYN, 1, 0, 65535, FULL, new byte[0]);
    assertThat(replies()).hasSize(2);
    assertThat(f.drops(DropReason.TCP_LISTEN_OVERFLOW)).isEqualTo(1);
  }

  // ---------------------------------------------------------------- keepalive, FIN-WAIT-2, close

  @Test void keepaliveProbesAnIdlePeerAndDropsItWhenProbesGoUnanswered() throws Exception {
    TcpConnection c = open(FULL, 8);
    c.setKeepAliveTimes(Duration.ofSeconds(10), Duration.ofSeconds(2), 3);
    c.setKeepAlive(true);
    f.advanceMillis(9_000);
    assertThat(f.sent).isEmpty();
    f.advanceMillis(1_100);
    Seg probe = reply();                                       // RFC 1122 §4.2.3.6: SEG.SEQ = SND.NXT - 1, no data
    assertThat(probe.r().seq().toUnsigned()).isEqualTo(iss);
    assertThat(probe.data()).isEmpty();
    send(PEER_PORT, TcpRepr.ACK, 1001, iss + 1, 512, ts(), new byte[0]);    // the peer answers
    f.advanceMillis(9_000);
    assertThat(f.sent).isEmpty();                              // idle time starts over
    for (int i = 0; i < 3; i++) { f.advanceMillis(2_100); replies(); }
    f.advanceMillis(2_100);
    assertThat(c.state()).isEqualTo(TcpState.CLOSED);
    assertThat(c.error()).hasMessageContaining("keepalive");
    assertThat(f.nic.tcp().counters().get(TcpStat.KEEPALIVE_PROBES)).isEqualTo(4);
    assertThat(f.nic.tcp().counters().get(TcpStat.KEEPALIVE_TIMEOUTS)).isEqualTo(1);
  }

  @Test void anOrphanedFinWait2TimesOutButAHalfClosedOneDoesNot() throws Exception {
    TcpConnection c = open(FULL, 8);
    c.shutdownOutput();
    Seg fin = reply();
    assertThat(fin.r().flags() & TcpRepr.FIN).isNotZero();
    send(PEER_PORT, TcpRepr.ACK, 1001, iss + 2, 512, ts(), new byte[0]);
    assertThat(c.state()).isEqualTo(TcpState.FIN_WAIT_2);
    f.advanceMillis(120_000);
    assertThat(c.state()).isEqualTo(TcpState.FIN_WAIT_2);    // half-closed: the peer may still send
    send(PEER_PORT, TcpRepr.ACK, 1001, iss + 2, 512, ts(), bytes(5, 0));
    assertThat(c.available()).isEqualTo(5);
    c.read(ByteBuffer.allocate(5), 1);
    c.close();                                                 // now orphaned
    f.advanceMillis(61_000);
    assertThat(c.state()).isEqualTo(TcpState.CLOSED);
    assertThat(f.nic.tcp().counters().get(TcpStat.FIN_WAIT2_TIMEOUTS)).isEqualTo(1);
  }

  @Test void dataArrivingAfterCloseResetsTheConnection() throws Exception {
    TcpConnection c = open(FULL, 8);
    c.close();
    replies();                                                 // our FIN
    send(PEER_PORT, TcpRepr.ACK, 1001, iss + 1, 512, ts(), bytes(10, 0));
    Seg rst = reply();
    assertThat(rst.r().flags() & TcpRepr.RST).isNotZero();
    assertThat(c.state()).isEqualTo(TcpState.CLOSED);
    assertThat(f.drops(DropReason.TCP_DATA_AFTER_CLOSE)).isEqualTo(1);
  }

  // ---------------------------------------------------------------- TIME-WAIT, simultaneous open

  @Test void aNewerSynTakesOverTimeWaitButAnOldOneGetsAChallengeAck() throws Exception {
    TcpConnection c = open(FULL, 8);
    c.close();
    replies();
    send(PEER_PORT, TcpRepr.ACK | TcpRepr.FIN, 1001, iss + 2, 512, ts(), new byte[0]);
    replies();
    assertThat(c.state()).isEqualTo(TcpState.TIME_WAIT);
    // RFC 6191: an older timestamp is not a new incarnation
    send(PEER_PORT, TcpRepr.SYN, 5000, 0, 65535, TcpOptions.NONE.withTimestamps(50, 0), new byte[0]);
    assertThat(reply().r().flags()).isEqualTo(TcpRepr.ACK);
    // a newer timestamp is, even with a lower sequence number: the Linux NFS client reconnects so
    send(PEER_PORT, TcpRepr.SYN, 500, 0, 65535, TcpOptions.NONE.withMss(1460).withTimestamps(peerTs + 10, 0), new byte[0]);
    Seg synAck = reply();
    assertThat(synAck.r().flags()).isEqualTo(TcpRepr.SYN | TcpRepr.ACK);
    assertThat(synAck.r().ack().toUnsigned()).isEqualTo(501);
    assertThat(c.state()).isEqualTo(TcpState.CLOSED);
  }

  @Test void aSimultaneousOpenEstablishes() throws Exception {
    TcpConnection c = f.nic.tcp().connect(f.clock.nanos(), PEER_IP, PORT + 1);
    Seg syn = reply();
    int ourPort = syn.r().srcPort();
    long ourIss = syn.r().seq().toUnsigned();
    // the peer's SYN crosses ours
    TcpRepr peerSyn = new TcpRepr(PORT + 1, ourPort, SeqNumber.of(3000), SeqNumber.of(0), TcpRepr.SYN, 65535,
        TcpOptions.NONE.withMss(1460), 0);
    f.receiveIp(Frames.ipv4(PEER_IP, OUR_IP, IpProtocol.TCP, TcpRepr.build(PEER_IP, OUR_IP, peerSyn, ByteBuffer.allocate(0))));
    assertThat(c.state()).isEqualTo(TcpState.SYN_RECEIVED);
    Seg synAck = reply();
    assertThat(synAck.r().flags()).isEqualTo(TcpRepr.SYN | TcpRepr.ACK);
    assertThat(synAck.r().ack().toUnsigned()).isEqualTo(3001);
    TcpRepr peerSynAck = new TcpRepr(PORT + 1, ourPort, SeqNumber.of(3000), SeqNumber.of(ourIss + 1),
        TcpRepr.SYN | TcpRepr.ACK, 65535, TcpOptions.NONE.withMss(1460), 0);
    f.receiveIp(Frames.ipv4(PEER_IP, OUR_IP, IpProtocol.TCP, TcpRepr.build(PEER_IP, OUR_IP, peerSynAck, ByteBuffer.allocate(0))));
    replies();
    TcpRepr ack = new TcpRepr(PORT + 1, ourPort, SeqNumber.of(3001), SeqNumber.of(ourIss + 1), TcpRepr.ACK, 65535, TcpOptions.NONE, 0);
    f.receiveIp(Frames.ipv4(PEER_IP, OUR_IP, IpProtocol.TCP, TcpRepr.build(PEER_IP, OUR_IP, ack, ByteBuffer.allocate(0))));
    assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
  }

  @Test void dataAndFinInOneSegmentThenThePeersFinEndInTimeWait() throws Exception {
    TcpConnection c = open(TcpOptions.NONE.withMss(1460).withWindowScale(10).withSackPermitted(true).withTimestamps(100, 0), 8);
    c.write(ByteBuffer.wrap(bytes(31, 0)), 1);
    c.close();
    List<Seg> out = replies();
    Seg last = out.get(out.size() - 1);
    assertThat(last.r().flags() & TcpRepr.FIN).isNotZero();
    long end = iss + 1 + 31 + 1;
    send(PEER_PORT, TcpRepr.FIN | TcpRepr.ACK, 1001, end, 63, ts(), new byte[0]);
    Seg ack = reply();
    assertThat(ack.r().ack().toUnsigned()).isEqualTo(1002);
    assertThat(c.state()).isEqualTo(TcpState.TIME_WAIT);
    f.advanceMillis(1000);
    assertThat(f.sent).isEmpty();
  }

  @Test void aClientMayConnectFromAFixedPortOncePerFourTuple() throws Exception {
    f.nic.tcp().connect(f.clock.nanos(), PEER_IP, 2049, 700);
    assertThat(reply().r().srcPort()).isEqualTo(700);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.nic.tcp().connect(f.clock.nanos(), PEER_IP, 2049, 700))
        .isInstanceOf(java.net.BindException.class).hasMessageContaining("in use");
    f.nic.tcp().connect(f.clock.nanos(), PEER_IP, 2050, 700);          // another peer port: another 4-tuple
    assertThat(reply().r().srcPort()).isEqualTo(700);
    f.nic.tcp().listen(PORT, 8);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.nic.tcp().connect(f.clock.nanos(), PEER_IP, 2049, PORT))
        .isInstanceOf(java.net.BindException.class);
  }

  /** An ICMP fragmentation-needed from a router, quoting our segment at {@code seq}. */
  void fragNeeded(int mtu, long seq) {
    ByteBuffer tcp8 = ByteBuffer.allocate(8).putShort((short) PORT).putShort((short) PEER_PORT).putInt((int) seq).flip();
    ByteBuffer quote = Frames.ipv4(OUR_IP, PEER_IP, IpProtocol.TCP, tcp8);
    quote.putShort(2, (short) 1500);                        // the quoted header says how big the original was
    io.tapnfs.netstack.ipv4.Ipv4Address router = io.tapnfs.netstack.ipv4.Ipv4Address.parse("10.0.0.9");
    f.receiveIp(Frames.ipv4(router, OUR_IP, IpProtocol.ICMP, Frames.icmp(new io.tapnfs.netstack.icmp.IcmpRepr(
        io.tapnfs.netstack.icmp.IcmpType.DEST_UNREACHABLE, io.tapnfs.netstack.icmp.IcmpType.CODE_FRAGMENTATION_NEEDED, mtu, quote))));
  }

  @Test void fragmentationNeededShrinksTheSegmentsAndResendsButAForgedOneIsIgnored() throws Exception {
    TcpConnection c = open(FULL, 8);
    c.write(ByteBuffer.wrap(bytes(4000, 3)), 1);
    List<Seg> first = replies();
    assertThat(first).extracting(x -> x.data().length).containsExactly(1448, 1448);     // Nagle holds the last 1104
    assertThat(first.get(0).r().options().hasTimestamps()).isTrue();
    fragNeeded(1000, iss + 1 + (1L << 20));                  // RFC 5927: a sequence number we never sent
    assertThat(f.sent).isEmpty();
    assertThat(f.nic.tcp().counters().get(TcpStat.ICMP_IGNORED)).isEqualTo(1);
    fragNeeded(1000, iss + 1);
    List<Seg> again = replies();                            // RFC 1191: resent in segments that fit 1000 bytes
    assertThat(again).isNotEmpty();
    assertThat(again).allMatch(x -> x.data().length <= 1000 - 40 - 12);
    assertThat(again.get(0).r().seq().toUnsigned()).isEqualTo(iss + 1);
    assertThat(c.effMss()).isEqualTo(1000 - 40 - 12);
    assertThat(f.nic.tcp().counters().get(TcpStat.PMTU_UPDATES)).isEqualTo(1);
  }

  @Test void aSimultaneousCloseGoesThroughClosingToTimeWait() throws Exception {
    TcpConnection c = open(FULL, 8);
    c.shutdownOutput();
    assertThat(reply().r().flags() & TcpRepr.FIN).isNotZero();
    assertThat(c.state()).isEqualTo(TcpState.FIN_WAIT_1);
    send(PEER_PORT, TcpRepr.FIN | TcpRepr.ACK, 1001, iss + 1, 512, ts(), new byte[0]);   // crosses ours: acks nothing
    assertThat(c.state()).isEqualTo(TcpState.CLOSING);
    assertThat(reply().r().ack().toUnsigned()).isEqualTo(1002);
    send(PEER_PORT, TcpRepr.ACK, 1002, iss + 2, 512, ts(), new byte[0]);
    assertThat(c.state()).isEqualTo(TcpState.TIME_WAIT);
    f.advanceMillis(61_000);
    assertThat(c.state()).isEqualTo(TcpState.CLOSED);
    assertThat(f.nic.tcp().connectionCount()).isZero();
  }
}
