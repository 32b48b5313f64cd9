package io.tapnfs.netstack.arp;

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
import io.tapnfs.netstack.ipv4.Ipv4Address;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArpCacheTest {
  final NicFixture f = new NicFixture();
  final ArpCache arp = f.nic.arp();

  void sendUdpToPeer(int n) {
    f.nic.udp().send(f.clock.nanos(), 5000, PEER_IP, 6000, ByteBuffer.wrap(new byte[] {(byte) n}));
  }

  ByteBuffer reply(Ipv4Address from, MacAddress mac) {
    return Frames.eth(mac, OUR_MAC, EtherType.ARP, Frames.arp(ArpOperation.REPLY, mac, from, OUR_MAC, OUR_IP));
  }

  @Test void answersRequestsForOurAddressOnly() {
    f.receive(NicFixture.arpRequestFromPeer(OUR_IP));
    ByteBuffer out = f.take();
    assertThat(NicFixture.ethOf(out).dst()).isEqualTo(PEER_MAC);
    assertThat(NicFixture.arpOf(out)).isEqualTo(new ArpRepr(ArpOperation.REPLY, OUR_MAC, OUR_IP, PEER_MAC, PEER_IP));
    // RFC 826: we were the target, so the sender is now in our table.
    assertThat(arp.state(PEER_IP)).isEqualTo(ArpState.STALE);

    f.receive(NicFixture.arpRequestFromPeer(Ipv4Address.parse("10.0.0.77")));
    assertThat(f.sent).isEmpty();
    assertThat(f.drops(DropReason.ARP_NOT_FOR_US)).isEqualTo(1);
  }

  @Test void resolvesQueuesAndFlushesInOrder() {
    sendUdpToPeer(1);
    sendUdpToPeer(2);
    ByteBuffer req = f.take();
    assertThat(NicFixture.ethOf(req).dst()).isEqualTo(MacAddress.BROADCAST);
    assertThat(NicFixture.arpOf(req).targetIp()).isEqualTo(PEER_IP);
    assertThat(f.sent).isEmpty();                      // the datagrams wait
    assertThat(arp.state(PEER_IP)).isEqualTo(ArpState.INCOMPLETE);

    f.receive(reply(PEER_IP, PEER_MAC));
    List<ByteBuffer> out = f.takeAll();
    assertThat(out).hasSize(2);
    assertThat(out).allSatisfy(b -> assertThat(NicFixture.ethOf(b).dst()).isEqualTo(PEER_MAC));
    assertThat(out.get(0).get(14 + 20 + 8)).isEqualTo((byte) 1);
    assertThat(out.get(1).get(14 + 20 + 8)).isEqualTo((byte) 2);
    assertThat(arp.state(PEER_IP)).isEqualTo(ArpState.REACHABLE);
    assertThat(arp.counters().get(ArpStat.RESOLVED)).isEqualTo(1);
  }

  @Test void retriesWithBackoffThenFailsAndDropsTheQueue() {
    sendUdpToPeer(1);
    f.take();                                           // request 1 at t=0
    f.advanceMillis(999);
    assertThat(f.sent).isEmpty();
    f.advanceMillis(1);                                 // t=1000: request 2
    assertThat(NicFixture.arpOf(f.take()).targetIp()).isEqualTo(PEER_IP);
    f.advanceMillis(1999);
    assertThat(f.sent).isEmpty();
    f.advanceMillis(1);                                 // t=3000: request 3 (backoff doubled)
    f.take();
    f.advanceMillis(4000);                              // t=7000: gave up after 3
    assertThat(f.sent).isEmpty();
    assertThat(arp.state(PEER_IP)).isNull();
    assertThat(f.drops(DropReason.ARP_RESOLUTION_FAILED)).isEqualTo(1);
    assertThat(arp.counters().get(ArpStat.RESOLUTION_FAILURES)).isEqualTo(1);
  }

  @Test void queueIsBoundedAndDropsTheOldest() {
    f.settings().set(Sysctl.ARP_UNRES_QLEN_BYTES, 3 * 29);    // three 29-byte datagrams (20 IP + 8 UDP + 1)
    for (int i = 1; i <= 5; i++) sendUdpToPeer(i);
    f.take();
    f.receive(reply(PEER_IP, PEER_MAC));
    List<ByteBuffer> out = f.takeAll();
    assertThat(out).extracting(b -> b.get(14 + 20 + 8)).containsExactly((byte) 3, (byte) 4, (byte) 5);
    assertThat(f.drops(DropReason.ARP_QUEUE_OVERFLOW)).isEqualTo(2);
  }

  @Test void agesReachableToStaleThenProbesOnUseThenExpires() {
    sendUdpToPeer(1);
    f.take();
    f.receive(reply(PEER_IP, PEER_MAC));
    f.takeAll();
    f.advanceMillis(30_000);
    assertThat(arp.state(PEER_IP)).isEqualTo(ArpState.STALE);
    sendUdpToPeer(2);                                   // sent at once with the stale MAC, plus a unicast probe
    List<ByteBuffer> out = f.takeAll();
    assertThat(out).hasSize(2);
    ByteBuffer probe = out.stream().filter(b -> NicFixture.ethOf(b).etherType() == EtherType.ARP).findFirst().orElseThrow();
    assertThat(NicFixture.ethOf(probe).dst()).isEqualTo(PEER_MAC);
    assertThat(arp.state(PEER_IP)).isEqualTo(ArpState.PROBE);
    f.receive(reply(PEER_IP, PEER_MAC));
    assertThat(arp.state(PEER_IP)).isEqualTo(ArpState.REACHABLE);
    f.advanceMillis(30_000);                            // stale again, unused
    f.advanceMillis(60_000);                            // garbage-collected
    assertThat(arp.state(PEER_IP)).isNull();
    assertThat(arp.counters().get(ArpStat.ENTRIES_EXPIRED)).isEqualTo(1);
  }

  @Test void staticEntriesAreNeitherAgedNorOverwritten() {
    f.knowPeer();
    f.advanceMillis(3_600_000);
    assertThat(arp.state(PEER_IP)).isEqualTo(ArpState.PERMANENT);
    MacAddress other = MacAddress.parse("52:54:00:99:99:99");
    f.receive(reply(PEER_IP, other));
    sendUdpToPeer(1);
    assertThat(NicFixture.ethOf(f.take()).dst()).isEqualTo(PEER_MAC);
  }

  @Test void gratuitousArpUpdatesOnlyKnownEntries() {
    MacAddress newMac = MacAddress.parse("52:54:00:00:00:99");
    Ipv4Address stranger = Ipv4Address.parse("10.0.0.50");
    f.receive(Frames.eth(newMac, MacAddress.BROADCAST, EtherType.ARP,
        Frames.arp(ArpOperation.REQUEST, newMac, stranger, MacAddress.ZERO, stranger)));
    assertThat(arp.state(stranger)).isNull();

    sendUdpToPeer(1);
    f.take();
    f.receive(reply(PEER_IP, PEER_MAC));
    f.takeAll();
    f.receive(Frames.eth(newMac, MacAddress.BROADCAST, EtherType.ARP,
        Frames.arp(ArpOperation.REQUEST, newMac, PEER_IP, MacAddress.ZERO, PEER_IP)));
    sendUdpToPeer(2);
    assertThat(NicFixture.ethOf(f.takeAll().get(0)).dst()).isEqualTo(newMac);
  }

  @Test void announcesAtStartTwiceTwoSecondsApart() {
    f.nic.start(f.clock.nanos());
    ArpRepr a = NicFixture.arpOf(f.take());
    assertThat(a.isAnnouncement()).isTrue();
    assertThat(a.senderIp()).isEqualTo(OUR_IP);
    f.advanceMillis(1999);
    assertThat(f.sent).isEmpty();
    f.advanceMillis(1);
    assertThat(NicFixture.arpOf(f.take()).isAnnouncement()).isTrue();
    f.advanceMillis(10_000);
    assertThat(f.sent).isEmpty();
  }

  @Test void conflictIsCountedAndDefendedAtMostEveryTenSeconds() {
    MacAddress thief = MacAddress.parse("52:54:00:de:ad:01");
    ByteBuffer claim = Frames.eth(thief, MacAddress.BROADCAST, EtherType.ARP,
        Frames.arp(ArpOperation.REQUEST, thief, OUR_IP, MacAddress.ZERO, OUR_IP));
    f.receive(claim);
    assertThat(NicFixture.arpOf(f.take()).isAnnouncement()).isTrue();   // defended
    f.advanceMillis(5000);
    f.receive(claim);
    assertThat(f.sent).isEmpty();                                       // within DEFEND_INTERVAL
    f.advanceMillis(5000);
    f.receive(claim);
    assertThat(f.sent).hasSize(1);
    assertThat(arp.counters().get(ArpStat.ADDRESS_CONFLICTS)).isEqualTo(3);
    assertThat(arp.counters().get(ArpStat.CONFLICT_DEFENSES)).isEqualTo(2);
  }

  @Test void probeForOurAddressIsAnswered() {
    MacAddress prober = MacAddress.parse("52:54:00:00:00:42");
    f.receive(Frames.eth(prober, MacAddress.BROADCAST, EtherType.ARP,
        Frames.arp(ArpOperation.REQUEST, prober, Ipv4Address.ANY, MacAddress.ZERO, OUR_IP)));
    ArpRepr r = NicFixture.arpOf(f.take());
    assertThat(r.operation()).isEqualTo(ArpOperation.REPLY);
    assertThat(r.targetMac()).isEqualTo(prober);
  }

  @Test void cacheIsBoundedAndEvictsStaleEntriesFirst() {
    f.settings().set(Sysctl.ARP_CACHE_MAX, 4);
    for (int i = 10; i < 14; i++) {
      Ipv4Address ip = Ipv4Address.of(10, 0, 0, i);
      MacAddress m = new MacAddress(0x525400000000L + i);
      f.receive(Frames.eth(m, MacAddress.BROADCAST, EtherType.ARP, Frames.arp(ArpOperation.REQUEST, m, ip, MacAddress.ZERO, OUR_IP)));
    }
    f.takeAll();
    assertThat(arp.size()).isEqualTo(4);
    sendUdpToPeer(1);                     // needs a fifth entry: the least recently used STALE goes
    assertThat(arp.size()).isEqualTo(4);
    assertThat(arp.state(PEER_IP)).isEqualTo(ArpState.INCOMPLETE);
  }
}
