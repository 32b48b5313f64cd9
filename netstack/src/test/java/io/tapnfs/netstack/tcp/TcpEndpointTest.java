package io.tapnfs.netstack.tcp;

import static io.tapnfs.netstack.NicFixture.OUR_IP;
import static io.tapnfs.netstack.NicFixture.PEER_IP;
import static io.tapnfs.netstack.NicFixture.PEER_MAC;
import static org.assertj.core.api.Assertions.assertThat;

import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Frames;
import io.tapnfs.netstack.Malformed;
import io.tapnfs.netstack.NicFixture;
import io.tapnfs.netstack.ethernet.EtherType;
import io.tapnfs.netstack.ethernet.MacAddress;
import io.tapnfs.netstack.ipv4.IpProtocol;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** RFC 9293 §3.10.7.1: what a segment for a port with no connection gets back. */
class TcpEndpointTest {
  final NicFixture f = new NicFixture().knowPeer();

  static TcpRepr seg(int flags, long seq, long ack, int payloadLen) {
    return new TcpRepr(40000, 2049, SeqNumber.of(seq), SeqNumber.of(ack), flags, 64240, TcpOptions.NONE, payloadLen);
  }

  void send(TcpRepr r) {
    f.receiveIp(Frames.ipv4(PEER_IP, OUR_IP, IpProtocol.TCP, TcpRepr.build(PEER_IP, OUR_IP, r, ByteBuffer.allocate(r.payloadLen()))));
  }

  TcpRepr reply() {
    try {
      return TcpRepr.parse(TcpHeader.checked(NicFixture.ipHeaderOf(f.take()).payload()), OUR_IP, PEER_IP, true);
    } catch (Malformed m) {
      throw new AssertionError(m.reason());
    }
  }

  @Test void synToAClosedPortGetsRstAckForSynPlusOne() {
    send(seg(TcpRepr.SYN, 1000, 0, 0));
    TcpRepr r = reply();
    assertThat(r.flags()).isEqualTo(TcpRepr.RST | TcpRepr.ACK);
    assertThat(r.seq()).isEqualTo(SeqNumber.of(0));
    assertThat(r.ack()).isEqualTo(SeqNumber.of(1001));       // SEG.SEQ + SEG.LEN, SYN counts one
    assertThat(r.srcPort()).isEqualTo(2049);
    assertThat(r.dstPort()).isEqualTo(40000);
    assertThat(f.nic.tcp().counters().get(TcpStat.OUT_RSTS)).isEqualTo(1);
    assertThat(f.drops(DropReason.TCP_NO_CONNECTION)).isEqualTo(1);
  }

  @Test void segmentWithoutSynRstOrAckIsInvalidAndNotAnswered() {
    send(seg(TcpRepr.FIN | TcpRepr.PSH, 5, 0, 10));
    assertThat(f.sent).isEmpty();
    assertThat(f.drops(DropReason.TCP_BAD_FLAGS)).isEqualTo(1);
  }

  @Test void ackSegmentGetsRstWithSeqFromItsAck() {
    send(seg(TcpRepr.ACK | TcpRepr.PSH, 5000, 777_777, 10));
    TcpRepr r = reply();
    assertThat(r.flags()).isEqualTo(TcpRepr.RST);
    assertThat(r.seq()).isEqualTo(SeqNumber.of(777_777));
  }

  @Test void synWrapsAroundTheSequenceSpace() {
    send(seg(TcpRepr.SYN, 0xffffffffL, 0, 0));
    assertThat(reply().ack()).isEqualTo(SeqNumber.of(0));
  }

  @Test void aResetIsNeverAnsweredWithAReset() {
    send(seg(TcpRepr.RST, 1, 0, 0));
    send(seg(TcpRepr.RST | TcpRepr.ACK, 1, 5, 0));
    assertThat(f.sent).isEmpty();
    assertThat(f.nic.tcp().counters().get(TcpStat.CLOSED_PORT_SEGMENTS)).isEqualTo(2);
  }

  @Test void broadcastSegmentsAreDiscardedSilently() {
    ByteBuffer tcp = TcpRepr.build(PEER_IP, Ipv4Address.BROADCAST, seg(TcpRepr.SYN, 1, 0, 0), ByteBuffer.allocate(0));
    f.receive(Frames.eth(PEER_MAC, MacAddress.BROADCAST, EtherType.IPV4, Frames.ipv4(PEER_IP, Ipv4Address.BROADCAST, IpProtocol.TCP, tcp)));
    assertThat(f.sent).isEmpty();
    assertThat(f.drops(DropReason.TCP_NOT_UNICAST)).isEqualTo(1);
  }

  @Test void badChecksumIsCountedAndNotAnswered() {
    ByteBuffer tcp = TcpRepr.build(PEER_IP, OUR_IP, seg(TcpRepr.SYN, 1, 0, 0), ByteBuffer.allocate(0));
    tcp.put(4, (byte) (tcp.get(4) ^ 0x10));
    f.receiveIp(Frames.ipv4(PEER_IP, OUR_IP, IpProtocol.TCP, tcp));
    assertThat(f.sent).isEmpty();
    assertThat(f.drops(DropReason.TCP_BAD_CHECKSUM)).isEqualTo(1);
    assertThat(f.nic.tcp().counters().get(TcpStat.IN_CSUM_ERRORS)).isEqualTo(1);
  }

  @Test void isnsAreKeyedPerTupleAndAdvanceWithTime() {
    IsnGenerator g = new IsnGenerator(new byte[16]);
    SeqNumber a = g.isn(0, OUR_IP, 2049, PEER_IP, 40000);
    SeqNumber b = g.isn(0, OUR_IP, 2049, PEER_IP, 40001);
    assertThat(a).isNotEqualTo(b);
    SeqNumber later = g.isn(4_000_000L, OUR_IP, 2049, PEER_IP, 40000);   // 4 ms = 1000 ticks of 4 us
    assertThat(later.minus(a)).isEqualTo(1000);
    IsnGenerator other = new IsnGenerator(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
    assertThat(other.isn(0, OUR_IP, 2049, PEER_IP, 40000)).isNotEqualTo(a);
  }
}
