package io.tapnfs.netstack.arp;

import io.tapnfs.netstack.Counters;
import io.tapnfs.netstack.DropCounter;
import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.StackSettings;
import io.tapnfs.netstack.Sysctl;
import io.tapnfs.netstack.TimerWheel;
import io.tapnfs.netstack.ethernet.EtherType;
import io.tapnfs.netstack.ethernet.EthernetOutput;
import io.tapnfs.netstack.ethernet.MacAddress;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ARP cache and its protocol (RFC 826), with Linux-style neighbour states ({@link ArpState}),
 * retries with exponential backoff, aging, a bounded per-destination queue of packets awaiting
 * resolution, static entries, announcements and address-conflict detection (RFC 5227 §2.4).
 *
 * <p>Event-loop thread only. Every entry owns one timer on the loop's wheel.
 */
public final class ArpCache {
  private static final Logger log = LoggerFactory.getLogger(ArpCache.class);
  /** RFC 5227 §2.4 (c): defend at most once per DEFEND_INTERVAL (10 s). */
  static final long DEFEND_INTERVAL_NANOS = 10_000_000_000L;
  /** RFC 5227 §1.1: ANNOUNCE_INTERVAL, 2 s between announcements. */
  static final long ANNOUNCE_INTERVAL_NANOS = 2_000_000_000L;

  private final StackSettings settings;
  private final MacAddress ourMac;
  private final Ipv4Address ourIp;
  private final EthernetOutput out;
  private final DropCounter drops;
  private final TimerWheel wheel;
  private final Map<Ipv4Address, Entry> table = new HashMap<>();
  private final Counters<ArpStat> stats = new Counters<>(ArpStat.class);
  private final ByteBuffer arpBuf = ByteBuffer.allocate(ArpPacket.LENGTH);
  private final TimerWheel.Timer announceTimer;
  private int announcementsLeft;
  private long lastDefense = Long.MIN_VALUE;

  public ArpCache(StackSettings settings, MacAddress ourMac, Ipv4Address ourIp, EthernetOutput out,
                  DropCounter drops, TimerWheel wheel) {
    this.settings = settings;
    this.ourMac = ourMac;
    this.ourIp = ourIp;
    this.out = out;
    this.drops = drops;
    this.wheel = wheel;
    this.announceTimer = wheel.newTimer(this::announceTick);
  }

  public Counters<ArpStat> counters() { return stats; }

  /**
   * Sends an IPv4 datagram to an on-link next hop, resolving its MAC first if needed. The
   * datagram is copied when it has to wait.
   */
  public void send(long now, Ipv4Address nextHop, ByteBuffer datagram) { send(now, nextHop, datagram, 0); }

  /**
   * {@link #send}, for a datagram the link is to cut into TCP segments of {@code gsoMss} bytes
   * ({@link EthernetOutput#sendGso}; 0: an ordinary datagram). A waiting one keeps its {@code gsoMss}.
   */
  public void send(long now, Ipv4Address nextHop, ByteBuffer datagram, int gsoMss) {
    Entry e = table.get(nextHop);
    if (e == null) {
      e = create(now, nextHop);
      if (e == null) { drops.drop(DropReason.ARP_CACHE_FULL); return; }
      enqueue(e, datagram, gsoMss);
      solicit(now, e);
      return;
    }
    e.lastUsed = now;
    switch (e.state) {
      case REACHABLE, PERMANENT, PROBE -> out.sendGso(e.mac, datagram, gsoMss);
      case STALE -> {
        out.sendGso(e.mac, datagram, gsoMss);
        e.state = ArpState.PROBE;             // Linux goes STALE -> DELAY -> PROBE; we probe at once
        e.probes = 0;
        solicit(now, e);
      }
      case INCOMPLETE -> enqueue(e, datagram, gsoMss);
    }
  }

  /** Handles a received ARP packet (RFC 826 "Packet Reception", RFC 5227 §2.4). */
  public void receive(long now, ArpRepr arp) {
    stats.inc(ArpStat.IN_PACKETS);
    stats.inc(arp.operation() == ArpOperation.REQUEST ? ArpStat.IN_REQUESTS : ArpStat.IN_REPLIES);
    if (arp.senderMac().equals(ourMac)) return;    // our own broadcast, looped back by a bridge
    if (arp.senderIp().equals(ourIp)) { conflict(now, arp); return; }

    boolean forUs = arp.targetIp().equals(ourIp);
    // RFC 826: "If the pair <protocol type, sender protocol address> is already in my table,
    // update the sender hardware address field of the entry with the new information".
    if (!arp.senderIp().isUnspecified()) {
      Entry e = table.get(arp.senderIp());
      if (e != null) {
        learn(now, e, arp.senderMac(), forUs && arp.operation() == ArpOperation.REPLY);
      } else if (forUs) {
        // "If Merge_flag is false, add the triplet" — only when we are the target.
        e = create(now, arp.senderIp());
        if (e != null) learn(now, e, arp.senderMac(), arp.operation() == ArpOperation.REPLY);
      }
    }
    if (!forUs) { drops.drop(DropReason.ARP_NOT_FOR_US); return; }
    if (arp.operation() == ArpOperation.REQUEST) {
      // Reply only for our own address (no proxy ARP). A probe (sender 0.0.0.0) gets a reply too:
      // that is how the prober learns the address is taken (RFC 5227 §2.1.1).
      emit(new ArpRepr(ArpOperation.REPLY, ourMac, ourIp, arp.senderMac(), arp.senderIp()), arp.senderMac());
      stats.inc(ArpStat.OUT_REPLIES);
    }
  }

  /** RFC 5227 §2.4: someone else claims our address. Log, count, and defend at most every 10 s. */
  private void conflict(long now, ArpRepr arp) {
    stats.inc(ArpStat.ADDRESS_CONFLICTS);
    log.warn("address conflict: {} claims {} (we are {})", arp.senderMac(), ourIp, ourMac);
    if (lastDefense == Long.MIN_VALUE || now - lastDefense >= DEFEND_INTERVAL_NANOS) {
      lastDefense = now;
      stats.inc(ArpStat.CONFLICT_DEFENSES);
      announce();
    }
  }

  /** Starts the announcements of RFC 5227 §2.3 (the first at once). */
  public void startAnnouncements(long now) {
    announcementsLeft = (int) settings.get(Sysctl.ARP_ANNOUNCE_COUNT);
    if (announcementsLeft > 0) announceTick(now);
  }

  private void announceTick(long now) {
    if (announcementsLeft <= 0) return;
    announce();
    if (--announcementsLeft > 0) announceTimer.arm(now + ANNOUNCE_INTERVAL_NANOS);
  }

  /** A gratuitous ARP request: sender and target IP both ours, target MAC zero (RFC 5227 §3). */
  private void announce() {
    emit(new ArpRepr(ArpOperation.REQUEST, ourMac, ourIp, MacAddress.ZERO, ourIp), MacAddress.BROADCAST);
    stats.inc(ArpStat.OUT_ANNOUNCEMENTS);
  }

  /** Adds or replaces a static entry. */
  public void addStatic(long now, Ipv4Address ip, MacAddress mac) {
    Entry e = table.get(ip);
    if (e == null) { e = new Entry(ip, now); table.put(ip, e); }
    e.timer.cancel();
    e.mac = mac;
    e.state = ArpState.PERMANENT;
    flush(e);
  }

  public boolean remove(Ipv4Address ip) {
    Entry e = table.remove(ip);
    if (e == null) return false;
    e.timer.cancel();
    e.pending.forEach(p -> drops.drop(DropReason.ARP_RESOLUTION_FAILED));
    return true;
  }

  public List<ArpEntryView> entries(long now) {
    List<ArpEntryView> l = new ArrayList<>();
    for (Entry e : table.values())
      l.add(new ArpEntryView(e.ip, e.mac, e.state, (now - e.updated) / 1_000_000L, e.pending.size()));
    l.sort(Comparator.comparing(ArpEntryView::ip));
    return l;
  }

  public ArpState state(Ipv4Address ip) {
    Entry e = table.get(ip);
    return e == null ? null : e.state;
  }

  public int size() { return table.size(); }

  // ---- internals

  private Entry create(long now, Ipv4Address ip) {
    if (table.size() >= settings.get(Sysctl.ARP_CACHE_MAX) && !evictOne()) return null;
    Entry e = new Entry(ip, now);
    e.state = ArpState.INCOMPLETE;
    table.put(ip, e);
    return e;
  }

  /** Evicts the least recently used STALE entry (Linux's neighbour GC prefers those). */
  private boolean evictOne() {
    Entry victim = null;
    for (Entry e : table.values())
      if (e.state == ArpState.STALE && (victim == null || e.lastUsed < victim.lastUsed)) victim = e;
    if (victim == null) return false;
    remove(victim.ip);
    stats.inc(ArpStat.ENTRIES_EXPIRED);
    return true;
  }

  private void learn(long now, Entry e, MacAddress mac, boolean confirmed) {
    if (e.state == ArpState.PERMANENT) return;
    boolean wasIncomplete = e.state == ArpState.INCOMPLETE;
    boolean changed = !mac.equals(e.mac);
    e.mac = mac;
    e.updated = now;
    if (confirmed) {
      e.state = ArpState.REACHABLE;
      e.timer.arm(now + settings.get(Sysctl.ARP_REACHABLE_MS) * 1_000_000L);
    } else if (wasIncomplete || changed) {
      // Learned from a request or an unsolicited packet: usable, not confirmed (Linux: STALE).
      e.state = ArpState.STALE;
      armGc(e, now);
    }
    if (wasIncomplete) stats.inc(ArpStat.RESOLVED);
    flush(e);
  }

  private void armGc(Entry e, long now) {
    e.timer.arm(Math.max(now, e.lastUsed) + settings.get(Sysctl.ARP_GC_STALE_MS) * 1_000_000L);
  }

  private void enqueue(Entry e, ByteBuffer datagram, int gsoMss) {
    long max = settings.get(Sysctl.ARP_UNRES_QLEN_BYTES);
    int n = datagram.remaining();
    if (n > max) { drops.drop(DropReason.ARP_QUEUE_OVERFLOW); return; }
    // Like Linux (__neigh_event_send), the oldest waiting packets make room for the newest.
    while (e.pendingBytes + n > max) {
      e.pendingBytes -= e.pending.removeFirst().datagram().remaining();
      drops.drop(DropReason.ARP_QUEUE_OVERFLOW);
    }
    ByteBuffer copy = ByteBuffer.allocate(n);
    copy.put(0, datagram, datagram.position(), n);
    e.pending.addLast(new Waiting(copy, gsoMss));
    e.pendingBytes += n;
    stats.inc(ArpStat.QUEUED_PACKETS);
  }

  private void flush(Entry e) {
    Waiting p;
    while ((p = e.pending.pollFirst()) != null) out.sendGso(e.mac, p.datagram(), p.gsoMss());
    e.pendingBytes = 0;
  }

  /** Sends a request (broadcast while INCOMPLETE, unicast while PROBE) and arms the retry. */
  private void solicit(long now, Entry e) {
    MacAddress to = e.state == ArpState.PROBE ? e.mac : MacAddress.BROADCAST;
    emit(new ArpRepr(ArpOperation.REQUEST, ourMac, ourIp, MacAddress.ZERO, e.ip), to);
    stats.inc(ArpStat.OUT_REQUESTS);
    long retrans = settings.get(Sysctl.ARP_RETRANS_MS) * 1_000_000L;
    e.timer.arm(now + (retrans << Math.min(e.probes, 16)));   // exponential backoff
    e.probes++;
  }

  private void onTimer(Entry e, long now) {
    switch (e.state) {
      case INCOMPLETE, PROBE -> {
        if (e.probes < settings.get(Sysctl.ARP_MCAST_SOLICIT)) {
          solicit(now, e);
        } else {
          stats.inc(ArpStat.RESOLUTION_FAILURES);
          log.debug("ARP: {} did not answer {} requests", e.ip, e.probes);
          remove(e.ip);
        }
      }
      case REACHABLE -> { e.state = ArpState.STALE; armGc(e, now); }
      case STALE -> {
        if (now - e.lastUsed >= settings.get(Sysctl.ARP_GC_STALE_MS) * 1_000_000L) {
          stats.inc(ArpStat.ENTRIES_EXPIRED);
          remove(e.ip);
        } else {
          armGc(e, now);
        }
      }
      case PERMANENT -> { }
    }
  }

  private void emit(ArpRepr repr, MacAddress to) {
    arpBuf.clear();
    repr.emit(ArpPacket.unchecked(arpBuf));
    out.send(to, EtherType.ARP, arpBuf);
  }

  /** A datagram waiting for resolution, and the segment size the link is to cut it to (0: none). */
  private record Waiting(ByteBuffer datagram, int gsoMss) {}

  private final class Entry {
    final Ipv4Address ip;
    final ArrayDeque<Waiting> pending = new ArrayDeque<>();
    final TimerWheel.Timer timer;
    MacAddress mac;
    ArpState state;
    long updated;
    long lastUsed;
    int probes;
    long pendingBytes;

    Entry(Ipv4Address ip, long now) {
      this.ip = ip;
      this.updated = now;
      this.lastUsed = now;
      this.timer = wheel.newTimer(t -> onTimer(this, t));
    }
  }
}
