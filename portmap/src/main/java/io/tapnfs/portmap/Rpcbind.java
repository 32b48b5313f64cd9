package io.tapnfs.portmap;

import io.tapnfs.portmap.xdr.Mapping;
import io.tapnfs.portmap.xdr.Netbuf;
import io.tapnfs.portmap.xdr.Pmaplist;
import io.tapnfs.portmap.xdr.Rpcb;
import io.tapnfs.portmap.xdr.RpcbEntry;
import io.tapnfs.portmap.xdr.RpcbEntryList;
import io.tapnfs.portmap.xdr.RpcbList;
import io.tapnfs.portmap.xdr.RpcbStatByvers;
import io.tapnfs.portmap.xdr.XdrArgs;
import io.tapnfs.portmap.xdr.XdrDecoder;
import io.tapnfs.portmap.xdr.XdrReply;
import io.tapnfs.portmap.xdr.Xdrs;
import io.tapnfs.rpc.RpcRegistry;
import java.io.IOException;
import java.net.Inet4Address;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;
import org.dcache.oncrpc4j.rpc.RpcCall;
import org.dcache.oncrpc4j.rpc.RpcDispatchable;
import org.dcache.oncrpc4j.xdr.XdrBoolean;
import org.dcache.oncrpc4j.xdr.XdrInt;
import org.dcache.oncrpc4j.xdr.XdrString;
import org.dcache.oncrpc4j.xdr.XdrVoid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Our rpcbind: program 100000, PMAP version 2 (RFC 1833 §3) and RPCBIND versions 3 and 4
 * (RFC 1833 §2), for the one IPv4 address of the stack.
 *
 * <p>What it does differently from a host's rpcbind, and why:
 * <ul>
 * <li>Registration is a Java call ({@link RpcRegistry}); SET and UNSET from the network are
 *     decoded, answered FALSE and counted. RFC 1833 §2.1 already limits them to the loopback
 *     transport, which the stack does not have; oncrpc4j's {@code OncRpcbindServer} instead lets
 *     any caller SET or UNSET anything.
 * <li>CALLIT (v2, v3), BCAST and INDIRECT (v4) are refused with PROC_UNAVAIL, arguments unread;
 *     see {@link #refuseRemoteCall}.
 * <li>DUMP over UDP is refused unless configured ({@link RpcbindConfig#dumpOverUdp()}).
 * <li>Every variable-length argument is bounded before it is allocated ({@link Xdrs}), and so
 *     are the table ({@link RpcbindConfig#maxRegistrations()}) and GETSTAT's per-question list.
 * </ul>
 *
 * <p>Lookups (GETPORT, GETADDR, GETVERSADDR, GETADDRLIST) follow Linux rpcbind
 * ({@code find_service}, {@code rpcbproc_getaddr_com}, {@code pmapproc_getport}) except for the
 * netid: Linux ignores {@code r_netid} and uses the netid of the transport the request arrived
 * on; we follow RFC 1833 §2.1 ("the triple [r_prog, r_vers, r_netid]") and use {@code r_netid}
 * when it is set, the transport's netid when it is empty, and any netid when the transport is
 * unknown. The Linux kernel (net/sunrpc/rpcb_clnt.c) and libtirpc always send the netid of the
 * transport they ask over, so for them both rules give the same answer.
 *
 * <p>Concurrency: calls arrive on a worker pool while servers register from other threads. The
 * table is copy-on-write ({@link RegistrationTable}): each call reads one immutable snapshot, so a
 * DUMP is always a consistent table. Counters are atomic. GETSTAT's address list has its own
 * lock ({@link RpcbindStats}), never held while the table's is. No lock is held while replying.
 */
public final class Rpcbind implements RpcDispatchable, RpcRegistry {
  /** RFC 1833 §2.1, §3.1: PMAP_PROG = RPCBPROG = 100000, on port 111 (PMAP_PORT). */
  public static final int PROGRAM = 100000;
  public static final int PORT = 111;
  /** PMAP_VERS = 2, RPCBVERS = 3, RPCBVERS4 = 4. */
  public static final int MIN_VERSION = 2, MAX_VERSION = 4;
  /** r_owner of rpcbind's own entries, as Linux rpcbind reports them to rpcinfo. */
  public static final String OWN_OWNER = "superuser";

  /** Procedure numbers, RFC 1833 §3.1 (v2) and §2.1 (v3, v4). */
  static final int NULL = 0, SET = 1, UNSET = 2, GETPORT = 3, GETADDR = 3, DUMP = 4,
      CALLIT = 5, GETTIME = 6, UADDR2TADDR = 7, TADDR2UADDR = 8, GETVERSADDR = 9, INDIRECT = 10,
      GETADDRLIST = 11, GETSTAT = 12;

  private static final Logger LOG = LoggerFactory.getLogger(Rpcbind.class);
  private static final int OWN_ENTRIES = 6;

  private final int address;
  private final Clock clock;
  private final RpcbindConfig config;
  private final RegistrationTable table;
  private final RpcbindStats stats;
  private final AtomicLongArray counters = new AtomicLongArray(RpcbindStat.values().length);

  /** With {@link RpcbindConfig#defaults()}. */
  public Rpcbind(Inet4Address address, Clock clock) {
    this(address, clock, RpcbindConfig.defaults());
  }

  /** {@code address} is a dotted quad ("10.73.0.2"); it is parsed, never resolved. */
  public Rpcbind(String address, Clock clock) {
    this(address, clock, RpcbindConfig.defaults());
  }

  public Rpcbind(String address, Clock clock, RpcbindConfig config) {
    this(UniversalAddress.parseDottedQuad(address).orElseThrow(
        () -> new IllegalArgumentException("not a dotted-quad IPv4 address: " + address)),
        clock, config);
  }

  public Rpcbind(Inet4Address address, Clock clock, RpcbindConfig config) {
    this(UniversalAddress.of(Objects.requireNonNull(address, "address"), 0).ipv4(), clock, config);
  }

  private Rpcbind(int address, Clock clock, RpcbindConfig config) {
    this.address = address;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.config = Objects.requireNonNull(config, "config");
    this.table = new RegistrationTable(OWN_ENTRIES + config.maxRegistrations());
    this.stats = new RpcbindStats(config.maxAddrStats());
    // Ourselves, in the order Linux rpcbind registers (rpcinfo -p lists v4, v3, v2 per netid).
    for (Netid n : Netid.values()) {
      for (int v = MAX_VERSION; v >= MIN_VERSION; v--) {
        table.put(new Registration(PROGRAM, v, n, PORT, OWN_OWNER));
      }
    }
  }

  // ---------------------------------------------------------------- RpcRegistry (in-process)

  /**
   * Maps (program, version, netid) to {@code port} of the stack's address. The last registration
   * of a key wins (an in-process server that restarts on another port simply registers again).
   *
   * @param netid "tcp" or "udp" (any ASCII case)
   * @param owner printable ASCII, at most {@value Registration#MAX_OWNER} chars, e.g. "tapnfs"
   * @throws IllegalArgumentException for program 100000 (rpcbind's own entries are fixed), an
   *     unknown netid, a port outside 1..65535 or a bad owner
   * @throws IllegalStateException when the table already holds
   *     {@link RpcbindConfig#maxRegistrations()} registrations (counted as "registerFull")
   */
  @Override
  public void register(int program, int version, String netid, int port, String owner) {
    if (program == PROGRAM) throw new IllegalArgumentException("program 100000 is rpcbind's own");
    Netid n = Netid.of(netid);
    if (n == null) throw new IllegalArgumentException("netid must be tcp or udp: " + netid);
    Registration r = new Registration(program, version, n, port, owner);
    switch (table.put(r)) {
      case ADDED -> inc(RpcbindStat.REGISTERED);
      case REPLACED -> {
        inc(RpcbindStat.REGISTERED);
        inc(RpcbindStat.REPLACED);
      }
      case FULL -> {
        inc(RpcbindStat.REGISTER_FULL);
        throw new IllegalStateException("rpcbind table full (" + config.maxRegistrations()
            + " registrations): " + r);
      }
    }
    LOG.debug("registered {}", r);
  }

  /**
   * Removes the mapping of (program, version, netid), if any. An unknown netid removes nothing.
   *
   * @throws IllegalArgumentException for program 100000
   */
  @Override
  public void unregister(int program, int version, String netid) {
    if (program == PROGRAM) throw new IllegalArgumentException("program 100000 is rpcbind's own");
    Netid n = Netid.of(netid);
    if (n != null && table.remove(program, version, n)) {
      inc(RpcbindStat.UNREGISTERED);
      LOG.debug("unregistered {} v{} {}", Integer.toUnsignedString(program),
          Integer.toUnsignedString(version), n);
    }
  }

  /** The table, rpcbind's own entries first, in registration order; immutable. */
  public List<Registration> registrations() {
    return table.snapshot();
  }

  /** Counters by {@link RpcbindStat} name in camelCase ("calls", "setRefused", ...). */
  public Map<String, Long> counters() {
    Map<String, Long> m = new LinkedHashMap<>();
    for (RpcbindStat s : RpcbindStat.values()) m.put(camel(s.name()), counters.get(s.ordinal()));
    return m;
  }

  /** What GETSTAT would answer now (RFC 1833 {@code rpcb_stat_byvers}), for local display. */
  public RpcbStatByvers statistics() {
    return stats.snapshot();
  }

  /** One counter. */
  public long counter(RpcbindStat s) {
    return counters.get(s.ordinal());
  }

  /** The universal address of {@code port} on the stack's address ("10.73.0.2.8.1"). */
  public String universalAddress(int port) {
    return new UniversalAddress(address, port).toString();
  }

  // ---------------------------------------------------------------- RpcDispatchable (network)

  @Override
  public void dispatchOncRpcCall(RpcCall call) {
    inc(RpcbindStat.CALLS);
    if (call.getProgram() != PROGRAM) {
      inc(RpcbindStat.PROG_UNAVAIL);
      call.failProgramUnavailable();
      return;
    }
    int version = call.getProgramVersion();
    if (version < MIN_VERSION || version > MAX_VERSION) {
      // RFC 5531 §9: PROG_MISMATCH carries the lowest and highest versions we serve.
      inc(RpcbindStat.PROG_MISMATCH);
      call.failProgramMismatch(MIN_VERSION, MAX_VERSION);
      return;
    }
    int proc = call.getProcedure();
    stats.procedure(version, proc);
    try {
      if (version == 2) {
        pmap(call, proc);
      } else {
        rpcb(call, version, proc);
      }
    } catch (IOException e) {
      // Only argument decoding throws: RFC 5531 §9 GARBAGE_ARGS, "procedure can't decode params".
      inc(RpcbindStat.GARBAGE_ARGS);
      LOG.debug("garbage arguments for v{} proc {} from {}: {}", version,
          Integer.toUnsignedString(proc), call.getTransport().getRemoteSocketAddress(),
          e.getMessage());
      call.failRpcGarbage();
    }
  }

  /** PMAP version 2, RFC 1833 §3.2. */
  private void pmap(RpcCall call, int proc) throws IOException {
    switch (proc) {
      case NULL -> nullProc(call);
      case SET -> refuseSet(call, args(call, Mapping::decode), true);
      case UNSET -> refuseSet(call, args(call, Mapping::decode), false);
      case GETPORT -> getport(call, args(call, Mapping::decode));
      case DUMP -> {
        inc(RpcbindStat.DUMP_CALLS);
        if (refuseUdpDump(call)) return;
        List<Mapping> out = new ArrayList<>();
        for (Registration r : table.snapshot()) {
          out.add(new Mapping(r.program(), r.version(), r.netid().ipproto(), r.port()));
        }
        call.reply(XdrReply.of(new Pmaplist(out)));
      }
      case CALLIT -> refuseRemoteCall(call, "PMAPPROC_CALLIT");
      default -> unknownProcedure(call);
    }
  }

  /** RPCBIND versions 3 and 4, RFC 1833 §2.2.1, §2.2.2. */
  private void rpcb(RpcCall call, int version, int proc) throws IOException {
    switch (proc) {
      case NULL -> nullProc(call);
      case SET -> refuseSet(call, args(call, Rpcb::decode), true);
      case UNSET -> refuseSet(call, args(call, Rpcb::decode), false);
      case GETADDR -> {
        inc(RpcbindStat.GETADDR_CALLS);
        getaddr(call, version, args(call, Rpcb::decode), false);
      }
      case DUMP -> {
        inc(RpcbindStat.DUMP_CALLS);
        if (refuseUdpDump(call)) return;
        List<Rpcb> out = new ArrayList<>();
        for (Registration r : table.snapshot()) {
          out.add(new Rpcb(r.program(), r.version(), r.netid().netid(),
              universalAddress(r.port()), r.owner()));
        }
        call.reply(XdrReply.of(new RpcbList(out)));
      }
      case CALLIT -> refuseRemoteCall(call, version == 3 ? "RPCBPROC_CALLIT" : "RPCBPROC_BCAST");
      case GETTIME -> {
        // "Returns the time on the rpcbind server's system": seconds since 1970, unsigned int.
        inc(RpcbindStat.GETTIME_CALLS);
        call.reply(new XdrInt((int) clock.instant().getEpochSecond()));
      }
      case UADDR2TADDR -> {
        inc(RpcbindStat.UADDR2TADDR_CALLS);
        String uaddr = args(call, in -> Xdrs.string(in, Rpcb.MAX_ADDR));
        Netbuf taddr = UniversalAddress.parse(uaddr)
            .map(a -> new Netbuf(SockaddrIn.LEN, SockaddrIn.emit(a)))
            .orElse(null);
        if (taddr == null) {
          // Linux rpcbind answers an all-zero netbuf when uaddr2taddr() fails.
          inc(RpcbindStat.BAD_UADDR);
          taddr = Netbuf.EMPTY;
        }
        call.reply(XdrReply.of(taddr));
      }
      case TADDR2UADDR -> {
        inc(RpcbindStat.TADDR2UADDR_CALLS);
        Netbuf taddr = args(call, Netbuf::decode);
        String uaddr = SockaddrIn.parse(taddr.buf()).map(UniversalAddress::toString).orElse("");
        if (uaddr.isEmpty()) inc(RpcbindStat.BAD_TADDR);   // Linux: the empty string
        call.reply(new XdrString(uaddr));
      }
      default -> {
        if (version == 4) {
          rpcb4(call, proc);
        } else {
          unknownProcedure(call);
        }
      }
    }
  }

  /** The procedures only version 4 has, RFC 1833 §2.2.2. */
  private void rpcb4(RpcCall call, int proc) throws IOException {
    switch (proc) {
      case GETVERSADDR -> {
        inc(RpcbindStat.GETVERSADDR_CALLS);
        getaddr(call, 4, args(call, Rpcb::decode), true);
      }
      case INDIRECT -> refuseRemoteCall(call, "RPCBPROC_INDIRECT");
      case GETADDRLIST -> getaddrlist(call, args(call, Rpcb::decode));
      case GETSTAT -> {
        inc(RpcbindStat.GETSTAT_CALLS);
        call.reply(XdrReply.of(stats.snapshot()));
      }
      default -> unknownProcedure(call);
    }
  }

  private void nullProc(RpcCall call) {
    inc(RpcbindStat.NULL_CALLS);
    call.reply(XdrVoid.XDR_VOID);
  }

  /**
   * PMAPPROC_GETPORT, RFC 1833 §3.2: the port of (prog, vers, prot), 0 when not registered; the
   * argument's port is ignored. Another version's port when that version is missing (see
   * {@link RegistrationTable#find}), as Linux {@code find_service_pmap} does.
   */
  private void getport(RpcCall call, Mapping m) {
    inc(RpcbindStat.GETPORT_CALLS);
    Netid netid = Netid.ofProtocol(m.prot());
    Registration r = netid == null ? null
        : RegistrationTable.find(table.snapshot(), m.prog(), m.vers(), netid, false);
    found(2, m.prog(), m.vers(), netid, r != null);
    call.reply(new XdrInt(r == null ? 0 : r.port()));
  }

  /**
   * RPCBPROC_GETADDR (v3, v4) and GETVERSADDR (v4), RFC 1833 §2.1: the universal address of
   * (r_prog, r_vers, r_netid), or "" when none. {@code r_addr} (a hint for choosing among the
   * server's addresses) and {@code r_owner} are ignored: we have one address.
   */
  private void getaddr(RpcCall call, int version, Rpcb q, boolean exactVersion) {
    String uaddr = "";
    Netid netid = Netid.of(q.netid());
    if (!q.netid().isEmpty() && netid == null) {
      // A netid we do not serve ("tcp6", "local"): nothing registered there.
      found(version, q.prog(), q.vers(), null, false);
    } else {
      if (netid == null) netid = transportNetid(call);      // empty r_netid
      Registration r = RegistrationTable.find(table.snapshot(), q.prog(), q.vers(), netid,
          exactVersion);
      if (r != null) uaddr = universalAddress(r.port());
      found(version, q.prog(), q.vers(), netid, r != null);
    }
    call.reply(new XdrString(uaddr));
  }

  /**
   * RPCBPROC_GETADDRLIST (v4), RFC 1833 §2.1: every address of exactly (r_prog, r_vers) in the
   * protocol family of the request, with its netconfig facts. Both our netids are "inet", so
   * {@code r_netid} only names the statistics entry (as in Linux, which files this as a getaddr).
   */
  private void getaddrlist(RpcCall call, Rpcb q) {
    inc(RpcbindStat.GETADDRLIST_CALLS);
    List<RpcbEntry> out = new ArrayList<>();
    for (Registration r : RegistrationTable.all(table.snapshot(), q.prog(), q.vers())) {
      Netid n = r.netid();
      out.add(new RpcbEntry(universalAddress(r.port()), n.netid(), n.semantics(),
          Netid.PROTOFMLY, n.netid()));
    }
    Netid netid = q.netid().isEmpty() ? transportNetid(call) : Netid.of(q.netid());
    found(4, q.prog(), q.vers(), netid, !out.isEmpty());
    call.reply(XdrReply.of(new RpcbEntryList(out)));
  }

  /**
   * SET/UNSET from the network: decoded (so garbage is still GARBAGE_ARGS), then refused with
   * FALSE, the answer RFC 1833 gives for a failed SET/UNSET. Nothing in the table changes.
   */
  private void refuseSet(RpcCall call, Object what, boolean set) {
    inc(set ? RpcbindStat.SET_REFUSED : RpcbindStat.UNSET_REFUSED);
    LOG.debug("refused network {} {} from {}", set ? "SET" : "UNSET", what,
        call.getTransport().getRemoteSocketAddress());
    call.reply(new XdrBoolean(false));
  }

  /**
   * CALLIT/BCAST/INDIRECT: rpcbind calls (prog, vers, proc) on the caller's behalf and relays the
   * reply. We refuse them all with PROC_UNAVAIL without reading the arguments, because:
   * <ul>
   * <li>The forwarded call comes from rpcbind's own address, so it passes checks that trust the
   *     local host; Wietse Venema's security-enhanced portmap refuses to forward to mountd, NFS
   *     and NIS for this reason.
   * <li>Over UDP with a spoofed source it is a relay and reflection vector: rpcbind sends a
   *     request of the attacker's choosing to a service and its reply to a victim.
   * <li>Linux rpcbind builds without it by default ({@code --enable-rmtcalls}, default "no").
   * </ul>
   * PROC_UNAVAIL (24 bytes) is smaller than any such call (56 bytes and more), so the refusal
   * amplifies nothing, and clients get a definite answer rather than a timeout. Broadcast RPC
   * (clnt_broadcast, rpcinfo -b) over this stack is thereby unsupported.
   */
  private void refuseRemoteCall(RpcCall call, String procedure) {
    inc(RpcbindStat.CALLIT_REFUSED);
    LOG.debug("refused {} from {}", procedure, call.getTransport().getRemoteSocketAddress());
    call.failProcedureUnavailable();
  }

  /** Whether DUMP was refused (UDP and not allowed); see {@link RpcbindConfig#dumpOverUdp()}. */
  private boolean refuseUdpDump(RpcCall call) {
    if (config.dumpOverUdp() || transportNetid(call) != Netid.UDP) return false;
    inc(RpcbindStat.DUMP_UDP_REFUSED);
    call.failProcedureUnavailable();
    return true;
  }

  private void unknownProcedure(RpcCall call) {
    inc(RpcbindStat.PROC_UNAVAIL);
    call.failProcedureUnavailable();
  }

  /** Counts a lookup's outcome, and files it for GETSTAT when the netid is one of ours. */
  private void found(int version, int prog, int vers, Netid netid, boolean hit) {
    inc(hit ? RpcbindStat.ADDR_FOUND : RpcbindStat.ADDR_NOT_FOUND);
    if (netid != null && !stats.address(version, prog, vers, netid, hit)) {
      inc(RpcbindStat.ADDR_STATS_FULL);
    }
  }

  private Netid transportNetid(RpcCall call) {
    return Netid.of(config.transportNetid().apply(call.getTransport()));
  }

  private static <T> T args(RpcCall call, XdrDecoder<T> decoder) throws IOException {
    XdrArgs<T> a = XdrArgs.of(decoder);
    call.retrieveCall(a);
    return a.value();
  }

  private void inc(RpcbindStat s) {
    counters.incrementAndGet(s.ordinal());
  }

  /** {@code SET_REFUSED} to {@code setRefused}. */
  static String camel(String upperSnake) {
    return io.tapnfs.netstack.Counters.camel(upperSnake);
  }
}
