package io.tapnfs.cli;

import io.tapnfs.netstack.Stack;
import io.tapnfs.netstack.StackConfig;
import io.tapnfs.portmap.Registration;
import io.tapnfs.portmap.Rpcbind;
import io.tapnfs.rpc.DiagProgram;
import io.tapnfs.rpc.RpcRegistry;
import io.tapnfs.rpc.RpcServer;
import java.io.Closeable;
import java.io.IOException;
import io.tapnfs.netstack.Clock;
import io.tapnfs.nfs.lock.ClientReboots;
import io.tapnfs.nfs.lock.Grace;
import io.tapnfs.nfs.lock.LockClients;
import io.tapnfs.nfs.lock.LockManager;
import io.tapnfs.nfs.mount.MountProgram;
import io.tapnfs.nfs.nlm.NlmConfig;
import io.tapnfs.nfs.nlm.NlmProgram;
import io.tapnfs.nfs.nsm.MonitorRecord;
import io.tapnfs.nfs.nsm.Nsm;
import io.tapnfs.nfs.nsm.NsmProgram;
import io.tapnfs.nfs.v3.Nfs3Program;
import io.tapnfs.nfs.vfs.Exports;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The RPC side of {@code tapnfs serve}: rpcbind (versions 2, 3 and 4) on TCP and UDP port 111 of
 * the stack, and, when something is exported, MOUNT, NFSv3, NLM and the status monitor (NSM)
 * registered with it.
 */
final class RpcServices implements Closeable {
  final Rpcbind rpcbind;
  final RpcServer portmapper;
  final RpcServer diag;                                        // null unless --diag-services
  final List<RpcServer> nfs = new ArrayList<>();               // MOUNT and NFS, when something is exported
  RpcServer nfsRpc;                                            // the NFS one of them
  MountProgram mount;
  Nfs3Program nfs3;
  Exports exports;
  LockManager locks;                                           // the server's locks, NLM's now, NFSv4's too when it comes
  NlmProgram nlm;
  RpcServer nlmRpc;
  Nsm nsm;                                                     // when something is exported
  RpcServer nsmRpc;

  private RpcServices(Rpcbind rpcbind, RpcServer portmapper, RpcServer diag) {
    this.rpcbind = rpcbind;
    this.portmapper = portmapper;
    this.diag = diag;
  }

  /**
   * Serves {@code exports}: MOUNT (v1-v3) on {@code mountPort} and NFSv3 on {@code nfsPort}, TCP
   * and UDP, registered with rpcbind.
   */
  void serveNfs(Stack stack, Exports exports, int nfsPort, int mountPort) throws IOException {
    this.exports = exports;
    mount = new MountProgram(exports);
    nfs3 = new Nfs3Program(exports);
    RpcServer.Builder m = RpcServer.on(stack).tcp(mountPort).udp(mountPort).registry(rpcbind).owner("tapnfs-mountd");
    for (int v = MountProgram.MIN_VERSION; v <= MountProgram.MAX_VERSION; v++) m.program(MountProgram.PROGRAM, v, mount);
    nfs.add(m.start());
    nfsRpc = RpcServer.on(stack).program(Nfs3Program.PROGRAM, Nfs3Program.VERSION, nfs3, Nfs3Program::cachesReply)
        .tcp(nfsPort).udp(nfsPort).registry(rpcbind).owner("tapnfs-nfsd").start();
    nfs.add(nfsRpc);
  }

  /**
   * Serves NLM (versions 1, 3 and 4) on {@code port}, TCP and UDP, registered with rpcbind, over
   * {@code locks}. The status monitor plugs in here: {@code clients} records each host before its
   * first lock, {@code grace} is the grace period after a restart (NFSv4 will share it), and the
   * returned {@link ClientReboots} is what the monitor tells of a client's SM_NOTIFY. Without a
   * monitor: {@link LockClients#NONE} and {@link Grace#none()}.
   */
  ClientReboots serveNlm(Stack stack, Exports exports, LockManager locks, LockClients clients, Grace grace, int port, NlmConfig config)
      throws IOException {
    NlmProgram p = new NlmProgram(exports, locks, clients, grace, config, Clock.SYSTEM, stack);
    RpcServer.Builder b = RpcServer.on(stack).tcp(port).udp(port).registry(rpcbind).owner("tapnfs-lockd");
    for (int v : NlmProgram.VERSIONS) b.program(NlmProgram.PROGRAM, v, p);
    try {
      nlmRpc = b.start();
    } catch (IOException | RuntimeException e) {
      p.close();
      throw e;
    }
    this.locks = locks;
    this.nlm = p;
    nfs.add(nlmRpc);
    return p;
  }

  /**
   * Serves the status monitor {@code nsm} (program 100024 version 1) on {@code port}, TCP and UDP,
   * registered with rpcbind, so that clients' sm-notify finds it. The lock manager, when it
   * serves, takes {@code nsm} as its {@link io.tapnfs.nfs.lock.LockClients}, {@code nsm.grace()}
   * as its grace period, and gives {@code nsm.clientReboots(...)} its
   * {@link io.tapnfs.nfs.lock.ClientReboots}.
   */
  void serveNsm(Stack stack, Nsm nsm, int port) throws IOException {
    this.nsm = nsm;
    nsmRpc = RpcServer.on(stack).program(NsmProgram.PROGRAM, NsmProgram.VERSION, new NsmProgram(nsm))
        .tcp(port).udp(port).registry(rpcbind).owner("tapnfs-statd").start();
    nfs.add(nsmRpc);
  }

  /** @param diagProgram also serve {@link DiagProgram} on free TCP and UDP ports, registered */
  static RpcServices start(Stack stack, StackConfig config, boolean diagProgram) throws IOException {
    Rpcbind rpcbind = new Rpcbind(config.address().address().toInet(), java.time.Clock.systemUTC(),
        io.tapnfs.portmap.RpcbindConfig.defaults().withTransportNetid(t -> RpcServer.currentNetid()));
    RpcServer.Builder b = RpcServer.on(stack).tcp(Rpcbind.PORT).udp(Rpcbind.PORT).registry(RpcRegistry.NONE);
    for (int v = Rpcbind.MIN_VERSION; v <= Rpcbind.MAX_VERSION; v++) b.program(Rpcbind.PROGRAM, v, rpcbind);
    RpcServer portmapper = b.start();                          // rpcbind lists itself
    RpcServer diag = null;
    if (diagProgram) {
      try {
        diag = RpcServer.on(stack).program(DiagProgram.PROGRAM, DiagProgram.VERSION, new DiagProgram())
            .tcp(0).udp(0).registry(rpcbind).owner("tapnfs-diag").start();
      } catch (IOException | RuntimeException e) {
        portmapper.close();
        throw e;
      }
    }
    return new RpcServices(rpcbind, portmapper, diag);
  }

  /** For {@code tapnfs stat}: what rpcbind holds (like {@code rpcinfo -p}) and the counters. */
  String format() {
    StringBuilder s = new StringBuilder("\nRPC services (rpcbind):\n");
    s.append(String.format("    %-10s %5s %-5s %6s  %s%n", "program", "vers", "proto", "port", "owner"));
    for (Registration r : rpcbind.registrations())
      s.append(String.format("    %-10s %5s %-5s %6d  %s%n", Integer.toUnsignedString(r.program()), Integer.toUnsignedString(r.version()),
          r.netid(), r.port(), r.owner()));
    section(s, "rpc (port 111)", portmapper.counters(), false);
    section(s, "rpcbind", rpcbind.counters(), false);
    if (mount != null) {
      section(s, "mount", mount.counters(), true);
      section(s, "rpc (port " + nfsRpc.tcpPort() + ")", nfsRpc.counters(), true);
      section(s, "nfs3", nfs3.counters(), true);
      for (io.tapnfs.nfs.vfs.Export e : exports.all()) section(s, "export " + e.path(), e.vfs().counters(), false);
    }
    if (nlm != null) {
      section(s, "rpc (port " + nlmRpc.tcpPort() + ")", nlmRpc.counters(), true);
      section(s, "nlm", nlm.counters(), true);
      section(s, "locks", locks.counters(), false);
    }
    if (nsm != null) {
      s.append("nsm (port ").append(nsmRpc.tcpPort()).append("):\n");
      s.append("    state ").append(nsm.state()).append(" (as ").append(nsm.name()).append(")\n");
      clients(s, "monitored", nsm.monitored());
      clients(s, "to notify", nsm.toNotify());
      section(s, null, nsm.counters(), false);
    }
    return s.toString();
  }

  /** At most 32 clients listed; how many more there are after them. */
  private static void clients(StringBuilder s, String title, List<MonitorRecord> l) {
    s.append("    ").append(title).append(' ').append(l.size());
    for (int i = 0; i < l.size() && i < 32; i++) s.append(i == 0 ? ": " : ", ").append(l.get(i));
    if (l.size() > 32) s.append(", ... ").append(l.size() - 32).append(" more");
    s.append('\n');
  }

  private static void section(StringBuilder s, String title, Map<String, Long> counters, boolean skipZero) {
    if (title != null) s.append(title).append(":\n");
    for (Map.Entry<String, Long> e : counters.entrySet())
      if (!skipZero || e.getValue() != 0) s.append("    ").append(e.getKey()).append(' ').append(e.getValue()).append('\n');
  }

  @Override public void close() throws IOException {
    for (RpcServer r : nfs) r.close();
    if (nlm != null) nlm.close();
    if (diag != null) diag.close();
    portmapper.close();
  }
}
