package io.tapnfs.netstack;

import io.tapnfs.netstack.arp.ArpOperation;
import io.tapnfs.netstack.arp.ArpPacket;
import io.tapnfs.netstack.arp.ArpRepr;
import io.tapnfs.netstack.ethernet.EtherType;
import io.tapnfs.netstack.ethernet.EthernetHeader;
import io.tapnfs.netstack.ethernet.EthernetRepr;
import io.tapnfs.netstack.ethernet.MacAddress;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import io.tapnfs.netstack.ipv4.Ipv4Cidr;
import io.tapnfs.netstack.ipv4.Ipv4Header;
import io.tapnfs.netstack.ipv4.Ipv4Repr;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Nic} on a manual clock with an in-memory sink: inject frames as the peer, read exactly
 * what the stack sent back (gVisor's channel endpoint, smoltcp's loopback).
 */
public final class NicFixture {
  public static final MacAddress OUR_MAC = MacAddress.parse("02:00:00:00:00:02");
  public static final MacAddress PEER_MAC = MacAddress.parse("52:54:00:12:34:56");
  public static final Ipv4Address OUR_IP = Ipv4Address.parse("10.0.0.2");
  public static final Ipv4Address PEER_IP = Ipv4Address.parse("10.0.0.1");
  public static final Ipv4Address GATEWAY = Ipv4Address.parse("10.0.0.254");

  public final ManualClock clock = new ManualClock();
  public final TimerWheel wheel = new TimerWheel(clock.nanos());
  public final ArrayDeque<ByteBuffer> sent = new ArrayDeque<>();
  public final Nic nic;

  public NicFixture() { this(base()); }

  public NicFixture(StackConfig config) {
    nic = new Nic(config, wheel, f -> {
      ByteBuffer c = ByteBuffer.allocate(f.remaining());
      c.put(0, f, f.position(), f.remaining());
      sent.add(c);
    });
  }

  public static StackConfig base() {
    return StackConfig.of(OUR_MAC, new Ipv4Cidr(OUR_IP, 24)).withSettings(new StackSettings());
  }

  public StackSettings settings() { return nic.config().settings(); }

  /** Delivers a frame from the peer. */
  public void receive(ByteBuffer frame) {
    nic.receive(clock.nanos(), frame.duplicate());
    nic.tcp().endOfBurst(clock.nanos());               // each frame is a burst of its own, as if the loop then slept
  }

  /** Delivers an IPv4 packet from the peer's MAC to ours. */
  public void receiveIp(ByteBuffer ipPacket) { receive(Frames.eth(PEER_MAC, OUR_MAC, EtherType.IPV4, ipPacket)); }

  /** Teaches the stack the peer's MAC (a static entry), so IP replies go out at once. */
  public NicFixture knowPeer() {
    nic.arp().addStatic(clock.nanos(), PEER_IP, PEER_MAC);
    return this;
  }

  public void advanceMillis(long ms) {
    clock.advanceMillis(ms);
    wheel.advance(clock.nanos());
  }

  public ByteBuffer take() {
    ByteBuffer f = sent.poll();
    if (f == null) throw new AssertionError("the stack sent nothing");
    return f;
  }

  public List<ByteBuffer> takeAll() {
    List<ByteBuffer> l = new ArrayList<>(sent);
    sent.clear();
    return l;
  }

  public long drops(DropReason r) { return nic.drops().get(r); }

  // ---- decoding what was sent

  public static EthernetRepr ethOf(ByteBuffer f) {
    try {
      return EthernetRepr.parse(EthernetHeader.checked(f.duplicate()));
    } catch (Malformed m) {
      throw new AssertionError(m.reason());
    }
  }

  public static ArpRepr arpOf(ByteBuffer f) {
    try {
      return ArpRepr.parse(ArpPacket.checked(EthernetHeader.checked(f.duplicate()).payload()));
    } catch (Malformed m) {
      throw new AssertionError(m.reason());
    }
  }

  public static Ipv4Header ipHeaderOf(ByteBuffer f) {
    try {
      return Ipv4Header.checked(EthernetHeader.checked(f.duplicate()).payload());
    } catch (Malformed m) {
      throw new AssertionError(m.reason());
    }
  }

  public static Ipv4Repr ipOf(ByteBuffer f) {
    try {
      return Ipv4Repr.parse(ipHeaderOf(f), true);
    } catch (Malformed m) {
      throw new AssertionError(m.reason());
    }
  }

  public static ByteBuffer arpRequestFromPeer(Ipv4Address target) {
    return Frames.eth(PEER_MAC, MacAddress.BROADCAST, EtherType.ARP,
        Frames.arp(ArpOperation.REQUEST, PEER_MAC, PEER_IP, MacAddress.ZERO, target));
  }
}
