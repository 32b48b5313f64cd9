package io.tapnfs.portmap;

import io.tapnfs.portmap.xdr.RpcbStat;
import io.tapnfs.portmap.xdr.RpcbStatByvers;
import io.tapnfs.portmap.xdr.RpcbsAddr;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * What RPCBPROC_GETSTAT reports (RFC 1833 §2.1 {@code rpcb_stat_byvers}), kept the way Linux
 * rpcbind's {@code rpcb_stat.c} keeps it:
 * <ul>
 * <li>{@code info[proc]}: calls per procedure number, counted on arrival, only up to the
 *     version's highest procedure ({@code rpcb_highproc_2/3/4} = 5, 8, 12).
 * <li>{@code setinfo}/{@code unsetinfo}: successful SET/UNSET calls. Ours refuses every network
 *     SET/UNSET, so these stay 0 (the refusals are in {@link RpcbindStat#SET_REFUSED}).
 * <li>{@code addrinfo}: per (program, version, netid) asked for by GETPORT (v2) or
 *     GETADDR/GETVERSADDR (v3, v4) and GETADDRLIST (v4, which rpcbind also files as a getaddr):
 *     how many found an address and how many did not. Linux grows this list without bound, one
 *     entry per distinct question, which lets any client eat memory; ours stops adding keys at
 *     {@code maxEntries} per version and counts what it did not keep.
 * <li>{@code rmtinfo}: CALLIT/INDIRECT forwarding outcomes. We never forward: always empty.
 * </ul>
 * Counters are XDR {@code int}s and wrap like rpcbind's.
 *
 * <p>Concurrency: {@code info} is an atomic array; the address lists are guarded by
 * {@code lock}, held only to update one entry or to copy the lists out.
 */
final class RpcbindStats {
  private static final int VERSIONS = RpcbStatByvers.RPCBVERS_STAT;
  private static final int HIGHPROC = RpcbStat.RPCBSTAT_HIGHPROC;
  /** rpcb_highproc_2 (CALLIT), rpcb_highproc_3 (TADDR2UADDR), rpcb_highproc_4 (GETSTAT). */
  private static final int[] HIGHEST_PROC = {5, 8, 12};

  private record Key(int prog, int vers, Netid netid) { }

  private final int maxEntries;
  private final AtomicIntegerArray info = new AtomicIntegerArray(VERSIONS * HIGHPROC);
  private final Object lock = new Object();
  private final List<Map<Key, int[]>> addr = new ArrayList<>(VERSIONS);   // guarded by lock

  RpcbindStats(int maxEntries) {
    this.maxEntries = maxEntries;
    for (int i = 0; i < VERSIONS; i++) addr.add(new LinkedHashMap<>());
  }

  /** A call of {@code proc} arrived for rpcbind version {@code version} (2..4). */
  void procedure(int version, int proc) {
    int v = version - 2;
    if (proc >= 0 && proc <= HIGHEST_PROC[v]) info.incrementAndGet(v * HIGHPROC + proc);
  }

  /**
   * A lookup of (prog, vers) on {@code netid} through rpcbind version {@code version} found an
   * address or not. Returns false when the outcome was not kept (list at its cap).
   */
  boolean address(int version, int prog, int vers, Netid netid, boolean found) {
    Key k = new Key(prog, vers, netid);
    synchronized (lock) {
      Map<Key, int[]> m = addr.get(version - 2);
      int[] sf = m.get(k);
      if (sf == null) {
        if (m.size() >= maxEntries) return false;
        sf = new int[2];
        m.put(k, sf);
      }
      sf[found ? 0 : 1]++;
      return true;
    }
  }

  RpcbStatByvers snapshot() {
    List<RpcbStat> out = new ArrayList<>(VERSIONS);
    for (int v = 0; v < VERSIONS; v++) {
      int[] procs = new int[HIGHPROC];
      for (int p = 0; p < HIGHPROC; p++) procs[p] = info.get(v * HIGHPROC + p);
      List<RpcbsAddr> addrinfo = new ArrayList<>();
      synchronized (lock) {
        addr.get(v).forEach((k, sf) ->
            addrinfo.add(new RpcbsAddr(k.prog(), k.vers(), sf[0], sf[1], k.netid().netid())));
      }
      out.add(new RpcbStat(procs, 0, 0, addrinfo, List.of()));
    }
    return new RpcbStatByvers(out);
  }
}
