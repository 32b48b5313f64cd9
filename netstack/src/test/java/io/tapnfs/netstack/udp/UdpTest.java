package io.tapnfs.netstack.udp;

import static io.tapnfs.netstack.NicFixture.OUR_IP;
import static io.tapnfs.netstack.NicFixture.PEER_IP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Frames;
import io.tapnfs.netstack.Malformed;
import io.tapnfs.netstack.NicFixture;
import io.tapnfs.netstack.ipv4.IpProtocol;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import java.net.BindException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UdpTest {
  final NicFixture f = new NicFixture().knowPeer();
  final List<byte[]> got = new ArrayList<>();

  UdpReceiver collector(int max) {
    return new UdpReceiver() {
      @Override public boolean offer(Ipv4Address src, int srcPort, Ipv4Address dst, ByteBuffer payload) {
        if (got.size() >= max) return false;
        byte[] b = new byte[payload.remaining()];
        payload.duplicate().get(b);
        got.add(b);
        return true;
      }
      @Override public long queuedBytes() { return 0; }
    };
  }

  @Test void wireRoundTripAndChecksum() throws Malformed {
    ByteBuffer d = Frames.udp(PEER_IP, 1234, OUR_IP, 7, "hello".getBytes());
    UdpHeader h = UdpHeader.checked(d);
    UdpRepr r = UdpRepr.parse(h, PEER_IP, OUR_IP, true);
    assertThat(r).isEqualTo(new UdpRepr(1234, 7, 5));
    assertThat(h.checksum()).isNotZero();
    // the same datagram checked against another pseudo-header fails
    assertThatThrownBy(() -> UdpRepr.parse(UdpHeader.checked(d), PEER_IP, Ipv4Address.parse("10.0.0.3"), true))
        .extracting(e -> ((Malformed) e).reason()).isEqualTo(DropReason.UDP_BAD_CHECKSUM);
  }

  @Test void badLengths() {
    ByteBuffer d = Frames.udp(PEER_IP, 1234, OUR_IP, 7, "hello".getBytes());
    assertThatThrownBy(() -> UdpHeader.checked(d.duplicate().limit(7)))
        .extracting(e -> ((Malformed) e).reason()).isEqualTo(DropReason.UDP_TRUNCATED);
    ByteBuffer longer = d.duplicate();
    longer.putShort(4, (short) 14);
    assertThatThrownBy(() -> UdpHeader.checked(longer))
        .extracting(e -> ((Malformed) e).reason()).isEqualTo(DropReason.UDP_BAD_LENGTH);
    ByteBuffer shorter = Frames.udp(PEER_IP, 1234, OUR_IP, 7, "hello".getBytes());
    shorter.putShort(4, (short) 7);
    assertThatThrownBy(() -> UdpHeader.checked(shorter))
        .extracting(e -> ((Malformed) e).reason()).isEqualTo(DropReason.UDP_BAD_LENGTH);
  }

  @Test void deliversToTheBoundPortAndZeroChecksumMeansNone() throws BindException {
    f.nic.udp().bind(7, collector(10));
    f.receiveIp(Frames.ipUdp(PEER_IP, 1234, OUR_IP, 7, "one".getBytes()));
    ByteBuffer noSum = Frames.udp(PEER_IP, 1234, OUR_IP, 7, "two".getBytes());
    noSum.putShort(6, (short) 0);
    f.receiveIp(Frames.ipv4(PEER_IP, OUR_IP, IpProtocol.UDP, noSum));
    ByteBuffer bad = Frames.udp(PEER_IP, 1234, OUR_IP, 7, "three".getBytes());
    bad.put(9, (byte) 'X');
    f.receiveIp(Frames.ipv4(PEER_IP, OUR_IP, IpProtocol.UDP, bad));
    assertThat(got).extracting(String::new).containsExactly("one", "two");
    assertThat(f.drops(DropReason.UDP_BAD_CHECKSUM)).isEqualTo(1);
    assertThat(f.nic.udp().counters().get(UdpStat.IN_CSUM_ERRORS)).isEqualTo(1);
    assertThat(f.nic.udp().counters().get(UdpStat.IN_DATAGRAMS)).isEqualTo(2);
  }

  @Test void fullQueueIsCountedAsReceiveBufferError() throws BindException {
    f.nic.udp().bind(7, collector(2));
    for (int i = 0; i < 5; i++) f.receiveIp(Frames.ipUdp(PEER_IP, 1234, OUR_IP, 7, new byte[] {(byte) i}));
    assertThat(got).hasSize(2);
    assertThat(f.drops(DropReason.UDP_RECEIVE_QUEUE_FULL)).isEqualTo(3);
    assertThat(f.nic.udp().counters().get(UdpStat.RCVBUF_ERRORS)).isEqualTo(3);
  }

  @Test void closedPortGetsPortUnreachable() {
    f.receiveIp(Frames.ipUdp(PEER_IP, 1234, OUR_IP, 9, new byte[4]));
    assertThat(f.drops(DropReason.UDP_NO_PORT)).isEqualTo(1);
    assertThat(f.nic.udp().counters().get(UdpStat.NO_PORTS)).isEqualTo(1);
    ByteBuffer icmp = NicFixture.ipHeaderOf(f.take()).payload();
    assertThat(icmp.get(0)).isEqualTo((byte) 3);
    assertThat(icmp.get(1)).isEqualTo((byte) 3);
  }

  @Test void bindConflictsAndEphemeralPorts() throws BindException {
    f.nic.udp().bind(7, collector(1));
    assertThatThrownBy(() -> f.nic.udp().bind(7, collector(1))).isInstanceOf(BindException.class)
        .hasMessageContaining("in use");
    int p = f.nic.udp().bind(0, collector(1));
    assertThat(p).isBetween(UdpEndpoint.EPHEMERAL_FIRST, UdpEndpoint.EPHEMERAL_LAST);
    int q = f.nic.udp().bind(0, collector(1));
    assertThat(q).isNotEqualTo(p);
  }

  @Test void sendBuildsAValidDatagram() throws Malformed {
    f.nic.udp().send(f.clock.nanos(), 5000, PEER_IP, 6000, ByteBuffer.wrap("hi".getBytes()));
    ByteBuffer ipPayload = NicFixture.ipHeaderOf(f.take()).payload();
    UdpRepr r = UdpRepr.parse(UdpHeader.checked(ipPayload), OUR_IP, PEER_IP, true);
    assertThat(r).isEqualTo(new UdpRepr(5000, 6000, 2));
  }

  @Test void oversizedPayloadIsRefused() {
    boolean ok = f.nic.udp().send(f.clock.nanos(), 5000, PEER_IP, 6000, ByteBuffer.allocate(UdpRepr.MAX_PAYLOAD + 1));
    assertThat(ok).isFalse();
    assertThat(f.drops(DropReason.UDP_PAYLOAD_TOO_LARGE)).isEqualTo(1);
  }
}
