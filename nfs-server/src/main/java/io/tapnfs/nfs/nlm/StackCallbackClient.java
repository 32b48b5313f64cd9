package io.tapnfs.nfs.nlm;

import io.tapnfs.netstack.Stack;
import io.tapnfs.nfs.nlm.xdr.NlmRes;
import io.tapnfs.nfs.nlm.xdr.NlmType;
import io.tapnfs.portmap.Rpcbind;
import io.tapnfs.portmap.xdr.Mapping;
import io.tapnfs.portmap.xdr.XdrReply;
import io.tapnfs.rpc.RpcClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.dcache.oncrpc4j.xdr.XdrAble;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;
import org.dcache.oncrpc4j.xdr.XdrInt;
import org.dcache.oncrpc4j.xdr.XdrVoid;

/**
 * Calls to a client's NLM over the stack, with the rpc module's {@link RpcClient} (no kernel
 * socket): the port comes from the client's own rpcbind, PMAP version 2 GETPORT on port 111 (RFC
 * 1833 §3.2; every rpcbind answers version 2), asked over the transport the client used, then the
 * call goes to that port. A new association per call: callbacks are rare, and a client's lockd
 * may have moved since the last one. AUTH_NONE, which Linux's lockd accepts for callbacks.
 */
final class StackCallbackClient implements CallbackClient {
  private static final int PMAPPROC_GETPORT = 3, PMAP_VERS = 2;

  private final Stack stack;
  private final Duration timeout;
  private final int udpRetries;

  StackCallbackClient(Stack stack, Duration timeout, int udpRetries) {
    this.stack = stack;
    this.timeout = timeout;
    this.udpRetries = udpRetries;
  }

  @Override public NlmRes call(Callbacks.Target t, NlmProcedure procedure, NlmType args) throws IOException, TimeoutException {
    NlmRes[] out = new NlmRes[1];
    XdrAble result = new XdrAble() {
      @Override public void xdrDecode(XdrDecodingStream in) throws IOException { out[0] = NlmRes.decode(in); }

      @Override public void xdrEncode(XdrEncodingStream o) { throw new UnsupportedOperationException(); }
    };
    invoke(t, procedure, args, result);
    return out[0];
  }

  @Override public void send(Callbacks.Target t, NlmProcedure procedure, NlmType args) throws IOException, TimeoutException {
    invoke(t, procedure, args, XdrVoid.XDR_VOID);
  }

  private void invoke(Callbacks.Target t, NlmProcedure procedure, NlmType args, XdrAble result) throws IOException, TimeoutException {
    int port = port(t);
    try (RpcClient c = open(t.netid(), new InetSocketAddress(t.address(), port))) {
      c.call(NlmProgram.PROGRAM, t.version(), procedure.number(), args.xdr(t.version()), result, null, timeout, udpRetries);
    }
  }

  /** The client's NLM port for the target's version and transport; an IOException when it has none. */
  int port(Callbacks.Target t) throws IOException, TimeoutException {
    int prot = "tcp".equals(t.netid()) ? Mapping.IPPROTO_TCP : Mapping.IPPROTO_UDP;
    XdrInt port = new XdrInt();
    try (RpcClient c = open(t.netid(), new InetSocketAddress(t.address(), Rpcbind.PORT))) {
      c.call(Rpcbind.PROGRAM, PMAP_VERS, PMAPPROC_GETPORT, XdrReply.of(new Mapping(NlmProgram.PROGRAM, t.version(), prot, 0)), port, null,
          timeout, udpRetries);
    }
    int p = port.intValue();
    if (p <= 0 || p > 65535) throw new IOException("no NLM version " + t.version() + " over " + t.netid() + " at " + t.address().getHostAddress());
    return p;
  }

  private RpcClient open(String netid, InetSocketAddress to) throws IOException {
    return "tcp".equals(netid) ? RpcClient.tcp(stack, to, timeout) : RpcClient.udp(stack, to);
  }
}
