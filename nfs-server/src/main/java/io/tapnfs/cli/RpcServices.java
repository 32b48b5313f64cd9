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
import java.util.Map;

/**
 * The RPC side of {@code tapnfs serve}: rpcbind (versions 2, 3 and 4) on TCP and UDP port 111 of
 * the stack; later the MOUNT and NFS programs, registered with it.
 */
final class RpcServices implements Closeable {
  final Rpcbind rpcbind;
  final RpcServer portmapper;
  final RpcServer diag;                                        // null unless --diag-services

  private RpcServices(Rpcbind rpcbind, RpcServer portmapper, RpcServer diag) {
    this.rpcbind = rpcbind;
    this.portmapper = portmapper;
    this.diag = diag;
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
    s.append("rpc (port 111):\n");
    for (Map.Entry<String, Long> e : portmapper.counters().entrySet()) s.append("    ").append(e.getKey()).append(' ').append(e.getValue()).append('\n');
    s.append("rpcbind:\n");
    for (Map.Entry<String, Long> e : rpcbind.counters().entrySet()) s.append("    ").append(e.getKey()).append(' ').append(e.getValue()).append('\n');
    return s.toString();
  }

  @Override public void close() throws IOException {
    if (diag != null) diag.close();
    portmapper.close();
  }
}
