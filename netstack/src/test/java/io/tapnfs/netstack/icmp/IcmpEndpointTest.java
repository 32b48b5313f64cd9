package io.tapnfs.netstack.icmp;

import static io.tapnfs.netstack.NicFixture.OUR_IP;
import static io.tapnfs.netstack.NicFixture.PEER_IP;
import static io.tapnfs.netstack.NicFixture.PEER_MAC;
import static org.assertj.core.api.Assertions.assertThat;

import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Frames;
import io.tapnfs.netstack.Malformed;
import io.tapnfs.netstack.NicFixture;
import io.tapnfs.netstack.StackConfig;
import io.tapnfs.netstack.Sysctl;
import io.tapnfs.netstack.ethernet.EtherType;
import io.tapnfs.netstack.ethernet.MacAddress;
import io.tapnfs.netstack.ipv4.InboundDatagram;
import io.tapnfs.netstack.ipv4.IpProtocol;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import io.tapnfs.netstack.ipv4.Ipv4Repr;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class IcmpEndpointTest {
  NicFixture f = new NicFixture().knowPeer();

  static IcmpRepr icmpOf(ByteBuffer frame) {
    try {
      return IcmpRepr.parse(IcmpHeader.checked(NicFixture.ipHeaderOf(frame).payload()), true);
    } catch (Malformed m) {
      throw new AssertionError(m.reason());
    }
  }

  @Test void echoIsAnsweredWithSameIdSequenceAndData() {
    f.receiveIp(Frames.ipv4(PEER_IP, OUR_IP, IpProtocol.ICMP, Frames.echoRequest(0x1234, 7, 56)));
    ByteBuffer out = f.take();
    Ipv4Repr ip = NicFixture.ipOf(out);
    assertThat(ip.src()).isEqualTo(OUR_IP);
    assertThat(ip.dst()).isEqualTo(PEER_IP);
    IcmpRepr r = icmpOf(out);
    assertThat(r.type()).isEqualTo(IcmpType.ECHO_REPLY);
    assertThat(r.echoId()).isEqualTo(0x1234);
    assertThat(r.echoSeq()).isEqualTo(7);
    assertThat(r.data()).isEqualTo(Frames.echoRequest(0x1234, 7, 56).position(8).slice());
    assertThat(f.nic.icmp().counters().get(IcmpStat.IN_ECHOS)).isEqualTo(1);
    assertThat(f.nic.icmp().counters().get(IcmpStat.OUT_ECHO_REPS)).isEqualTo(1);
  }

  @Test void badChecksumIsDropped() {
    ByteBuffer m = Frames.echoRequest(1, 1, 8);
    m.put(9, (byte) (m.get(9) ^ 1));
    f.receiveIp(Frames.ipv4(PEER_IP, OUR_IP, IpProtocol.ICMP, m));
    assertThat(f.sent).isEmpty();
    assertThat(f.drops(DropReason.ICMP_BAD_CHECKSUM)).isEqualTo(1);
  }

  @Test void truncatedMessagesAreDropped() {
    for (int len : new int[] {0, 1, 7}) f.receiveIp(Frames.ipv4(PEER_IP, OUR_IP, IpProtocol.ICMP, ByteBuffer.allocate(len)));
    assertThat(f.drops(DropReason.ICMP_TRUNCATED)).isEqualTo(3);
    assertThat(f.nic.icmp().counters().get(IcmpStat.IN_ERRORS)).isEqualTo(3);
    assertThat(f.sent).isEmpty();
  }

  @Test void broadcastEchoIsIgnoredByDefault() {
    ByteBuffer p = Frames.ipv4(PEER_IP, Ipv4Address.parse("10.0.0.255"), IpProtocol.ICMP, Frames.echoRequest(1, 1, 8));
    f.receive(Frames.eth(PEER_MAC, MacAddress.BROADCAST, EtherType.IPV4, p));
    assertThat(f.sent).isEmpty();
    assertThat(f.drops(DropReason.ICMP_BROADCAST_ECHO_IGNORED)).isEqualTo(1);
    f.settings().set(Sysctl.ICMP_ECHO_IGNORE_BROADCASTS, 0);
    f.receive(Frames.eth(PEER_MAC, MacAddress.BROADCAST, EtherType.IPV4, p));
    assertThat(icmpOf(f.take()).type()).isEqualTo(IcmpType.ECHO_REPLY);
  }

  @Test void echoIgnoreAll() {
    f.settings().set(Sysctl.ICMP_ECHO_IGNORE_ALL, 1);
    f.receiveIp(Frames.ipv4(PEER_IP, OUR_IP, IpProtocol.ICMP, Frames.echoRequest(1, 1, 8)));
    assertThat(f.sent).isEmpty();
  }

  @Test void noErrorAboutAnErrorMessage() {
    // RFC 1122 §3.2.2: never an error about an ICMP error message.
    ByteBuffer err = Frames.icmp(new IcmpRepr(IcmpType.DEST_UNREACHABLE, 3, 0, ByteBuffer.allocate(28)));
    ByteBuffer dgram = Frames.ipv4(PEER_IP, OUR_IP, IpProtocol.ICMP, err);
    Ipv4Repr ip = Ipv4Repr.of(PEER_IP, OUR_IP, IpProtocol.ICMP, err.remaining(), 64, 1, false);
    f.nic.icmp().sendError(f.clock.nanos(), IcmpType.DEST_UNREACHABLE, 2, 0, new InboundDatagram(ip, err, dgram, false));
    assertThat(f.sent).isEmpty();
    assertThat(f.nic.icmp().counters().get(IcmpStat.OUT_SUPPRESSED)).isEqualTo(1);
    // an echo request is not an error: an error about it may be sent
    ByteBuffer echo = Frames.echoRequest(1, 1, 8);
    f.nic.icmp().sendError(f.clock.nanos(), IcmpType.DEST_UNREACHABLE, 2, 0,
        new InboundDatagram(ip, echo, Frames.ipv4(PEER_IP, OUR_IP, IpProtocol.ICMP, echo), false));
    assertThat(f.sent).hasSize(1);
  }

  @Test void noErrorAboutBroadcastsNonInitialFragmentsOrMartians() {
    ByteBuffer udp = ByteBuffer.allocate(16);
    Ipv4Repr toBcast = Ipv4Repr.of(PEER_IP, Ipv4Address.BROADCAST, IpProtocol.UDP, 16, 64, 1, false);
    Ipv4Repr linkBcast = Ipv4Repr.of(PEER_IP, OUR_IP, IpProtocol.UDP, 16, 64, 1, false);
    Ipv4Repr fragment = new Ipv4Repr(PEER_IP, OUR_IP, IpProtocol.UDP, 16, 64, 1, false, false, 1480, 0, false);
    Ipv4Repr martian = Ipv4Repr.of(Ipv4Address.parse("0.0.0.0"), OUR_IP, IpProtocol.UDP, 16, 64, 1, false);
    long now = f.clock.nanos();
    f.nic.icmp().sendError(now, 3, 3, 0, new InboundDatagram(toBcast, udp, Frames.ipv4(toBcast, udp), false));
    f.nic.icmp().sendError(now, 3, 3, 0, new InboundDatagram(linkBcast, udp, Frames.ipv4(linkBcast, udp), true));
    f.nic.icmp().sendError(now, 3, 3, 0, new InboundDatagram(fragment, udp, Frames.ipv4(fragment, udp), false));
    f.nic.icmp().sendError(now, 3, 3, 0, new InboundDatagram(martian, udp, Frames.ipv4(martian, udp), false));
    assertThat(f.sent).isEmpty();
    assertThat(f.nic.icmp().counters().get(IcmpStat.OUT_SUPPRESSED)).isEqualTo(4);
  }

  @Test void errorsAreRateLimitedByTokenBucket() {
    f.settings().set(Sysctl.ICMP_MSGS_PER_SEC, 10).set(Sysctl.ICMP_MSGS_BURST, 5);   // at run time
    for (int i = 0; i < 20; i++) f.receiveIp(Frames.ipUdp(PEER_IP, 4000, OUR_IP, 9999, new byte[4]));
    assertThat(f.takeAll()).hasSize(5);
    assertThat(f.drops(DropReason.ICMP_ERROR_RATE_LIMITED)).isEqualTo(15);
    f.advanceMillis(100);                                  // one token at 10/s
    for (int i = 0; i < 3; i++) f.receiveIp(Frames.ipUdp(PEER_IP, 4000, OUR_IP, 9999, new byte[4]));
    assertThat(f.takeAll()).hasSize(1);
    // echo replies are not errors and not limited
    for (int i = 0; i < 20; i++) f.receiveIp(Frames.ipv4(PEER_IP, OUR_IP, IpProtocol.ICMP, Frames.echoRequest(1, i, 8)));
    assertThat(f.takeAll()).hasSize(20);
  }

  /** Issue: 1 000 probes to closed ports in one second drew 1 000 unreachables. Linux: 6 at once, then one a second per destination. */
  @Test void errorsToOneDestinationAreLimitedAsLinuxDoesAndOthersKeepTheirOwnBudget() {
    Ipv4Address other = Ipv4Address.parse("10.0.0.77");
    int sent = 0;
    for (int i = 0; i < 1000; i++) {                        // 1 000 probes over one second
      f.receiveIp(Frames.ipUdp(PEER_IP, 4000 + i, OUR_IP, 9999, new byte[4]));
      sent += f.takeAll().size();
      f.advanceMillis(1);
    }
    assertThat(sent).as("a burst of 6, then one per icmp_ratelimit (1 s)").isBetween(6, 7);
    assertThat(f.nic.icmp().counters().get(IcmpStat.OUT_RATE_LIMIT_HOST)).isEqualTo(1000 - sent);
    long limited = f.nic.icmp().counters().get(IcmpStat.OUT_RATE_LIMIT_HOST);
    for (int i = 0; i < 10; i++) f.receiveIp(Frames.ipUdp(other, 4000, OUR_IP, 9999, new byte[4]));
    assertThat(f.nic.icmp().counters().get(IcmpStat.OUT_RATE_LIMIT_HOST) - limited).as("another destination has its own bucket of 6")
        .isEqualTo(4);
    f.takeAll();
    f.settings().set(Sysctl.ICMP_RATELIMIT, 0);             // per destination off: the global bucket only
    for (int i = 0; i < 20; i++) f.receiveIp(Frames.ipUdp(PEER_IP, 4000, OUR_IP, 9999, new byte[4]));
    assertThat(f.takeAll()).hasSize(20);
    f.settings().set(Sysctl.ICMP_RATELIMIT, 1000).set(Sysctl.ICMP_RATEMASK, 0);   // no type under the limits
    for (int i = 0; i < 20; i++) f.receiveIp(Frames.ipUdp(PEER_IP, 4000, OUR_IP, 9999, new byte[4]));
    assertThat(f.takeAll()).hasSize(20);
  }

  @Test void theGlobalLimitHoldsAcrossDestinations() {
    f.settings().set(Sysctl.ICMP_MSGS_PER_SEC, 1000).set(Sysctl.ICMP_MSGS_BURST, 50);
    for (int i = 0; i < 200; i++)                            // 200 destinations at once: 6 each allowed, 50 globally
      f.receiveIp(Frames.ipUdp(Ipv4Address.parse("10.0.0." + (10 + i)), 4000, OUR_IP, 9999, new byte[4]));
    assertThat(f.nic.icmp().counters().get(IcmpStat.OUT_RATE_LIMIT_GLOBAL)).isEqualTo(150);
    assertThat(f.nic.icmp().counters().get(IcmpStat.OUT_RATE_LIMIT_HOST)).isZero();
  }

  @Test void theDestinationsRememberedAreBounded() {
    PeerRateLimiter p = new PeerRateLimiter();
    for (int i = 0; i < 100; i++) p.allow(0, Ipv4Address.parse("10.1.0." + i), 1000, 16);
    assertThat(p.size()).isEqualTo(16);
  }

  @Test void errorQuotesTheOffendingHeaderAndFitsIn576() {
    byte[] big = new byte[1400];
    f.receiveIp(Frames.ipUdp(PEER_IP, 4000, OUR_IP, 9999, big));
    ByteBuffer out = f.take();
    Ipv4Repr ip = NicFixture.ipOf(out);
    assertThat(ip.totalLen()).isLessThanOrEqualTo(576);
    IcmpRepr r = icmpOf(out);
    assertThat(r.type()).isEqualTo(IcmpType.DEST_UNREACHABLE);
    assertThat(r.code()).isEqualTo(IcmpType.CODE_PORT_UNREACHABLE);
    ByteBuffer q = r.data();
    assertThat(Ipv4Address.read(q, 12)).isEqualTo(PEER_IP);
    assertThat(q.getShort(20 + 2) & 0xffff).isEqualTo(9999);        // quoted UDP destination port
  }

  @Test void redirectsAreIgnoredByDefaultAndHonouredOnlyFromTheGatewayWhenEnabled() {
    Ipv4Address gw = Ipv4Address.parse("10.0.0.1");   // the peer is our gateway
    Ipv4Address newGw = Ipv4Address.parse("10.0.0.3");
    Ipv4Address target = Ipv4Address.parse("198.51.100.9");
    StackConfig cfg = NicFixture.base().withGateway(gw);
    f = new NicFixture(cfg).knowPeer();
    ByteBuffer quote = Frames.ipv4(OUR_IP, target, IpProtocol.UDP, ByteBuffer.allocate(8));
    ByteBuffer redirect = Frames.icmp(new IcmpRepr(IcmpType.REDIRECT, 1, newGw.bits(), quote));
    f.receiveIp(Frames.ipv4(gw, OUR_IP, IpProtocol.ICMP, redirect));
    assertThat(f.drops(DropReason.ICMP_REDIRECT_IGNORED)).isEqualTo(1);
    assertThat(f.nic.routes().lookup(target).orElseThrow().nextHop(target)).isEqualTo(gw);

    f.settings().set(Sysctl.ACCEPT_REDIRECTS, 1);
    Ipv4Address notGw = Ipv4Address.parse("10.0.0.4");
    f.receiveIp(Frames.ipv4(notGw, OUR_IP, IpProtocol.ICMP, redirect));   // not from the current gateway
    assertThat(f.drops(DropReason.ICMP_REDIRECT_IGNORED)).isEqualTo(2);
    f.receiveIp(Frames.ipv4(gw, OUR_IP, IpProtocol.ICMP, redirect));
    assertThat(f.nic.routes().lookup(target).orElseThrow().nextHop(target)).isEqualTo(newGw);
    assertThat(f.nic.icmp().counters().get(IcmpStat.IN_REDIRECTS_ACCEPTED)).isEqualTo(1);
  }

  @Test void errorsFromTheNetworkReachTheListener() {
    java.util.List<IcmpEndpoint.ErrorReport> got = new java.util.ArrayList<>();
    f.nic.icmp().onError(got::add);
    ByteBuffer quote = Frames.ipv4(OUR_IP, PEER_IP, IpProtocol.UDP, ByteBuffer.allocate(8));
    f.receiveIp(Frames.ipv4(PEER_IP, OUR_IP, IpProtocol.ICMP,
        Frames.icmp(new IcmpRepr(IcmpType.DEST_UNREACHABLE, IcmpType.CODE_FRAGMENTATION_NEEDED, 1280, quote))));
    assertThat(got).hasSize(1);
    assertThat(got.get(0).code()).isEqualTo(IcmpType.CODE_FRAGMENTATION_NEEDED);
    assertThat(new IcmpRepr(3, 4, got.get(0).rest(), null).nextHopMtu()).isEqualTo(1280);
    assertThat(f.nic.icmp().counters().get(IcmpStat.IN_FRAG_NEEDED)).isEqualTo(1);
  }

}
