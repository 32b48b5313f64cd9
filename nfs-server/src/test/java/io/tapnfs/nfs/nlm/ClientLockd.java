package io.tapnfs.nfs.nlm;

import io.tapnfs.netstack.Stack;
import io.tapnfs.portmap.Rpcbind;
import io.tapnfs.portmap.RpcbindConfig;
import io.tapnfs.rpc.RpcServer;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.dcache.oncrpc4j.rpc.RpcCall;
import org.dcache.oncrpc4j.rpc.RpcDispatchable;
import org.dcache.oncrpc4j.xdr.XdrAble;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;
import org.dcache.oncrpc4j.xdr.XdrVoid;

/**
 * What a client host runs for the server's callbacks: rpcbind (the portmap module's, versions 2-4
 * on port 111) and a small NLM that records the calls it gets (GRANTED, GRANTED_MSG, the _RES
 * calls) and answers GRANTED with {@link #answers}. Its NLM is registered with its rpcbind for
 * versions 3 and 4 only, so a callback to a version 1 waiter finds nothing listening.
 */
final class ClientLockd implements Closeable {
  /** A call the server made: version, procedure, and the decoded argument. */
  record Call(int version, int proc, InetSocketAddress from, NlmClient.Alock alock, boolean exclusive, byte[] cookie, int stat) {}

  final Rpcbind rpcbind;
  final RpcServer portmapper, nlm;
  final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
  /** The status a GRANTED for an svid is answered with; GRANTED when absent. */
  final java.util.Map<Integer, Integer> answers = new java.util.concurrent.ConcurrentHashMap<>();

  ClientLockd(Stack stack) throws IOException {
    rpcbind = new Rpcbind(stack.config().address().address().toInet(), java.time.Clock.systemUTC(),
        RpcbindConfig.defaults().withTransportNetid(t -> RpcServer.currentNetid()));
    RpcServer.Builder b = RpcServer.on(stack).tcp(Rpcbind.PORT).udp(Rpcbind.PORT);
    for (int v = Rpcbind.MIN_VERSION; v <= Rpcbind.MAX_VERSION; v++) b.program(Rpcbind.PROGRAM, v, rpcbind);
    portmapper = b.start();
    RpcDispatchable d = this::dispatch;
    nlm = RpcServer.on(stack).program(NlmProgram.PROGRAM, 3, d).program(NlmProgram.PROGRAM, 4, d).tcp(0).udp(0).registry(rpcbind)
        .owner("client-lockd").start();
  }

  private void dispatch(RpcCall call) throws IOException {
    int v = call.getProgramVersion(), proc = call.getProcedure();
    InetSocketAddress from = call.getTransport().getRemoteSocketAddress();
    Call[] got = new Call[1];
    call.retrieveCall(new XdrAble() {
      @Override public void xdrDecode(XdrDecodingStream x) throws IOException {
        if (proc == 5 || proc == 10) {                 // GRANTED, GRANTED_MSG: nlm4_testargs
          byte[] cookie = x.xdrDecodeDynamicOpaque();
          boolean excl = x.xdrDecodeBoolean();
          got[0] = new Call(v, proc, from, NlmClient.alock(x, v), excl, cookie, -1);
        } else if (proc == 11) {                       // TEST_RES: nlm4_testres
          NlmClient.TestRes r = NlmClient.testRes(x, v);
          got[0] = new Call(v, proc, from, null, false, r.cookie(), r.stat());
        } else {                                       // the other _RES: nlm4_res
          NlmClient.Res r = NlmClient.res(x);
          got[0] = new Call(v, proc, from, null, false, r.cookie(), r.stat());
        }
      }

      @Override public void xdrEncode(XdrEncodingStream x) { throw new UnsupportedOperationException(); }
    });
    calls.add(got[0]);
    if (proc == 5) {
      int stat = answers.getOrDefault(got[0].alock().svid(), NlmClient.GRANTED);
      call.reply(new XdrAble() {
        @Override public void xdrEncode(XdrEncodingStream x) {
          x.xdrEncodeDynamicOpaque(got[0].cookie());
          x.xdrEncodeInt(stat);
        }

        @Override public void xdrDecode(XdrDecodingStream x) { throw new UnsupportedOperationException(); }
      });
    } else {
      call.reply(XdrVoid.XDR_VOID);
    }
  }

  /** The next call the server made that {@code which} accepts (others are skipped), waiting up to {@code d}; null if none came. */
  Call next(Duration d, java.util.function.Predicate<Call> which) throws InterruptedException {
    long deadline = System.nanoTime() + d.toNanos();
    for (long left = d.toNanos(); left > 0; left = deadline - System.nanoTime()) {
      Call c = calls.poll(left, TimeUnit.NANOSECONDS);
      if (c != null && which.test(c)) return c;
    }
    return null;
  }

  @Override public void close() throws IOException {
    nlm.close();
    portmapper.close();
  }
}
