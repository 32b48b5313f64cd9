package io.tapnfs.nfs.nsm;

import io.tapnfs.netstack.Stack;
import io.tapnfs.portmap.Rpcbind;
import io.tapnfs.portmap.xdr.Mapping;
import io.tapnfs.portmap.xdr.XdrReply;
import io.tapnfs.rpc.RpcClient;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import org.dcache.oncrpc4j.xdr.XdrInt;
import org.dcache.oncrpc4j.xdr.XdrVoid;

/**
 * SM_NOTIFY over the stack, as sm-notify sends it: over UDP, the client's statd found through the
 * client's rpcbind (PMAP v2 GETPORT for program 100024 version 1, UDP, on port 111; RFC 1833 §3.2),
 * then SM_NOTIFY to that port, AUTH_NONE, each call waiting {@code timeout} and sent twice.
 * The port is looked up on every attempt (sm-notify looks it up again after four retransmissions:
 * a statd restarted meanwhile has a new one).
 */
public final class RpcStatdCaller implements NsmNotifier.StatdCaller {
  /** RFC 1833 §3.2: PMAPPROC_GETPORT. */
  static final int PMAPPROC_GETPORT = 3, PMAP_VERS = 2;

  private final Stack stack;
  private final Duration timeout;

  public RpcStatdCaller(Stack stack, Duration timeout) {
    this.stack = Objects.requireNonNull(stack, "stack");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  @Override public void notify(Inet4Address client, NsmXdr.StatChge change) throws IOException, TimeoutException {
    XdrInt port = new XdrInt();
    try (RpcClient pmap = RpcClient.udp(stack, new InetSocketAddress(client, Rpcbind.PORT))) {
      pmap.call(Rpcbind.PROGRAM, PMAP_VERS, PMAPPROC_GETPORT,
          XdrReply.of(new Mapping(NsmProgram.PROGRAM, NsmProgram.VERSION, Mapping.IPPROTO_UDP, 0)), port, null, timeout, 1);
    }
    int p = port.intValue();
    if (p <= 0 || p > 65535)
      throw new IOException("no statd (100024 v1 udp) registered with the rpcbind of " + client.getHostAddress() + " (port " + Integer.toUnsignedString(p) + ")");
    try (RpcClient statd = RpcClient.udp(stack, new InetSocketAddress(client, p))) {
      statd.call(NsmProgram.PROGRAM, NsmProgram.VERSION, NsmProgram.SM_NOTIFY, XdrReply.of(change), new XdrVoid(), null, timeout, 1);
    }
  }
}
