package io.tapnfs.netstack.ipv4;

import static io.tapnfs.netstack.NicFixture.OUR_IP;
import static io.tapnfs.netstack.NicFixture.OUR_MAC;
import static io.tapnfs.netstack.NicFixture.PEER_IP;
import static io.tapnfs.netstack.NicFixture.PEER_MAC;
import static org.assertj.core.api.Assertions.assertThat;

import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Frames;
import io.tapnfs.netstack.NicFixture;
import io.tapnfs.netstack.Sysctl;
import io.tapnfs.netstack.ethernet.EtherType;
import io.tapnfs.netstack.ethernet.MacAddress;
import io.tapnfs.netstack.icmp.IcmpType;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv4EndpointTest {
  final NicFixture f = new NicFixture().knowPeer();

  ByteBuffer ping(Ipv4Address src, Ipv4Address dst) {
    return Frames.ipv4(src, dst, IpProtocol.ICMP, Frames.echoRequest(1, 1, 16));
  }

  @Test void packetForAnotherHostIsNotForwarded() {
    f.receiveIp(ping(PEER_IP, Ipv4Address.parse("10.0.0.9")));
    assertThat(f.sent).isEmpty();
    assertThat(f.drops(DropReason.IPV4_NOT_FOR_US)).isEqualTo(1);
    assertThat(f.nic.ipv4().counters().get(Ipv4Stat.IN_ADDR_ERRORS)).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "0.0.0.5", "224.0.0.9", "240.0.0.1", "255.255.255.255", "10.0.0.255", "10.0.0.2"})
  void martianSourcesAreDroppedAndCounted(String src) {
    f.receiveIp(ping(Ipv4Address.parse(src), OUR_IP));
    assertThat(f.sent).isEmpty();
    assertThat(f.drops(DropReason.IPV4_MARTIAN_SOURCE)).isEqualTo(1);
    assertThat(f.nic.ipv4().counters().get(Ipv4Stat.IN_MARTIANS)).isEqualTo(1);
  }

  @Test void martianDropIsASwitch() {
    f.settings().set(Sysctl.DROP_MARTIANS, 0).set(Sysctl.RP_FILTER, 0);
    f.receiveIp(ping(Ipv4Address.parse("127.0.0.1"), OUR_IP));
    assertThat(f.drops(DropReason.IPV4_MARTIAN_SOURCE)).isZero();
    assertThat(f.nic.ipv4().counters().get(Ipv4Stat.IN_MARTIANS)).isEqualTo(1);
  }

  @Test void reversePathFilterDropsUnroutableSources() {
    Ipv4Address far = Ipv4Address.parse("192.0.2.7");   // no default gateway: no route back
    f.receiveIp(ping(far, OUR_IP));
    assertThat(f.drops(DropReason.IPV4_REVERSE_PATH)).isEqualTo(1);
    f.settings().set(Sysctl.RP_FILTER, 0);
    f.receiveIp(ping(far, OUR_IP));
    assertThat(f.drops(DropReason.IPV4_REVERSE_PATH)).isEqualTo(1);
    assertThat(f.drops(DropReason.IPV4_NO_ROUTE)).isEqualTo(1);   // the reply has nowhere to go
  }

  @Test void sourceRoutedPacketsAreDroppedByDefault() {
    ByteBuffer p = Ipv4WireTest.withOptions("8307040a000001 00");
    // make it a packet from the peer to us
    PEER_IP.write(p, 12);
    OUR_IP.write(p, 16);
    p.putShort(10, (short) 0);
    p.putShort(10, (short) Checksum.of(p, 0, 28));
    f.receiveIp(p);
    assertThat(f.drops(DropReason.IPV4_SOURCE_ROUTED)).isEqualTo(1);
  }

  @Test void ttlZeroIsDropped() {
    ByteBuffer p = Frames.ipv4(Ipv4Repr.of(PEER_IP, OUR_IP, IpProtocol.ICMP, 24, 0, 7, false), Frames.echoRequest(1, 1, 16));
    f.receiveIp(p);
    assertThat(f.drops(DropReason.IPV4_TTL_ZERO)).isEqualTo(1);
    assertThat(f.sent).isEmpty();
  }

  @Test void unknownProtocolGetsProtocolUnreachable() {
    f.receiveIp(Frames.ipv4(PEER_IP, OUR_IP, 132, ByteBuffer.allocate(12)));
    assertThat(f.drops(DropReason.IPV4_UNKNOWN_PROTOCOL)).isEqualTo(1);
    ByteBuffer out = f.take();
    Ipv4Header h = NicFixture.ipHeaderOf(out);
    ByteBuffer icmp = h.payload();
    assertThat(icmp.get(0)).isEqualTo((byte) IcmpType.DEST_UNREACHABLE);
    assertThat(icmp.get(1)).isEqualTo((byte) IcmpType.CODE_PROTOCOL_UNREACHABLE);
  }

  @Test void sendFragmentsToTheMtuInMultiplesOfEight() {
    byte[] payload = new byte[4000];
    for (int i = 0; i < payload.length; i++) payload[i] = (byte) (i * 7);
    f.nic.udp().send(f.clock.nanos(), 1000, PEER_IP, 2000, ByteBuffer.wrap(payload));
    List<ByteBuffer> frames = f.takeAll();
    assertThat(frames).hasSize(3);               // 4008 bytes of UDP in 1480 + 1480 + 1048
    int expectOff = 0;
    ByteBuffer whole = ByteBuffer.allocate(4008);
    for (int i = 0; i < frames.size(); i++) {
      ByteBuffer fr = frames.get(i);
      assertThat(fr.remaining()).isLessThanOrEqualTo(14 + 1500);
      Ipv4Repr r = NicFixture.ipOf(fr);
      assertThat(r.fragOffset()).isEqualTo(expectOff);
      assertThat(r.moreFragments()).isEqualTo(i < frames.size() - 1);
      if (r.moreFragments()) assertThat(r.payloadLen() % 8).isZero();
      whole.put(r.fragOffset(), NicFixture.ipHeaderOf(fr).payload(), 0, r.payloadLen());
      expectOff += r.payloadLen();
    }
    assertThat(expectOff).isEqualTo(4008);
    assertThat(whole.array()).endsWith(payload);
    assertThat(f.nic.ipv4().counters().get(Ipv4Stat.OUT_FRAG_CREATES)).isEqualTo(3);
  }

  @Test void dontFragmentBiggerThanMtuIsRefused() {
    boolean sent = f.nic.ipv4().send(f.clock.nanos(), PEER_IP, IpProtocol.UDP, ByteBuffer.allocate(1481), true);
    assertThat(sent).isFalse();
    assertThat(f.drops(DropReason.IPV4_DONT_FRAGMENT)).isEqualTo(1);
  }

  @Test void fragmentedInputIsReassembledAndAnswered() {
    // an 8000-byte ping, as `ping -s 8000` sends it: 6 fragments
    ByteBuffer icmp = Frames.echoRequest(9, 4, 8000);
    int total = icmp.remaining();
    for (int off = 0; off < total; off += 1480) {
      int n = Math.min(1480, total - off);
      Ipv4Repr r = new Ipv4Repr(PEER_IP, OUR_IP, IpProtocol.ICMP, n, 64, 77, false, off + n < total, off, 0, false);
      f.receiveIp(Frames.ipv4(r, icmp.duplicate().position(off).limit(off + n)));
    }
    List<ByteBuffer> out = f.takeAll();
    assertThat(out).hasSize(6);                               // the reply, fragmented the same way
    int sum = out.stream().mapToInt(b -> NicFixture.ipOf(b).payloadLen()).sum();
    assertThat(sum).isEqualTo(total);
    assertThat(NicFixture.ipHeaderOf(out.get(0)).payload().get(0)).isEqualTo((byte) IcmpType.ECHO_REPLY);
  }

  @Test void reassemblyTimeoutSendsTimeExceededOnlyWithFragmentZero() {
    Ipv4Repr first = new Ipv4Repr(PEER_IP, OUR_IP, IpProtocol.UDP, 16, 64, 5, false, true, 0, 0, false);
    f.receiveIp(Frames.ipv4(first, ByteBuffer.allocate(16)));
    Ipv4Repr other = new Ipv4Repr(PEER_IP, OUR_IP, IpProtocol.UDP, 16, 64, 6, false, true, 16, 0, false);
    f.receiveIp(Frames.ipv4(other, ByteBuffer.allocate(16)));
    f.advanceMillis(29_999);
    assertThat(f.sent).isEmpty();
    f.advanceMillis(1);
    ByteBuffer out = f.take();                                 // only for id 5
    ByteBuffer icmp = NicFixture.ipHeaderOf(out).payload();
    assertThat(icmp.get(0)).isEqualTo((byte) IcmpType.TIME_EXCEEDED);
    assertThat(icmp.get(1)).isEqualTo((byte) IcmpType.CODE_REASSEMBLY_TIME_EXCEEDED);
    assertThat(icmp.getShort(8 + 4) & 0xffff).isEqualTo(5);     // the quoted header's id
    assertThat(f.sent).isEmpty();
    assertThat(f.drops(DropReason.IPV4_FRAG_TIMEOUT)).isEqualTo(2);
  }

  @Test void broadcastFramesReachUsButUnicastFramesForOthersDoNot() {
    ByteBuffer p = ping(PEER_IP, OUR_IP);
    f.receive(Frames.eth(PEER_MAC, MacAddress.parse("02:99:99:99:99:99"), EtherType.IPV4, p));
    assertThat(f.drops(DropReason.ETH_NOT_FOR_US)).isEqualTo(1);
    assertThat(f.sent).isEmpty();
    f.receive(Frames.eth(PEER_MAC, OUR_MAC, EtherType.IPV4, p));
    assertThat(f.sent).hasSize(1);
  }

  @Test void unknownEtherTypeAndOversizedFramesAreCounted() {
    f.receive(Frames.eth(PEER_MAC, OUR_MAC, 0x86dd, ByteBuffer.allocate(40)));
    assertThat(f.drops(DropReason.ETH_UNKNOWN_ETHERTYPE)).isEqualTo(1);
    f.receive(Frames.eth(PEER_MAC, OUR_MAC, EtherType.IPV4, ByteBuffer.allocate(1501)));
    assertThat(f.drops(DropReason.ETH_OVERSIZED)).isEqualTo(1);
    assertThat(f.nic.linkCounters().get(io.tapnfs.netstack.link.LinkStat.RX_DROPPED)).isEqualTo(2);
  }
}
