package io.tapnfs.rpc;

import io.tapnfs.netstack.Clock;
import java.net.InetSocketAddress;
import java.nio.channels.CompletionHandler;
import java.util.concurrent.atomic.AtomicBoolean;
import org.dcache.oncrpc4j.rpc.ReplyQueue;
import org.dcache.oncrpc4j.rpc.RpcAuthException;
import org.dcache.oncrpc4j.rpc.RpcCall;
import org.dcache.oncrpc4j.rpc.RpcTransport;
import org.dcache.oncrpc4j.xdr.Xdr;
import org.glassfish.grizzly.Buffer;

/**
 * The transport a cached call replies through: the call's own, in front of which the first reply
 * sent is copied into the {@link DuplicateRequestCache}, then passed on unchanged. oncrpc4j's
 * {@code RpcCall.reply} and its {@code fail*} methods encode the whole message (xid, MSG_ACCEPTED,
 * verifier, status, results) into the call's Xdr and hand it to {@link #send}: those are the bytes
 * kept. A reply with a file chunk (zero-copy READ data) is never kept.
 *
 * <p>Thread-safe: the first of {@link #send} and {@link #finish} decides, once.
 */
final class ReplyCapture implements RpcTransport {
  private final RpcTransport transport;
  private final DuplicateRequestCache drc;
  private final DrcKey key;
  private final Clock clock;
  private final AtomicBoolean decided = new AtomicBoolean();

  ReplyCapture(RpcTransport transport, DuplicateRequestCache drc, DrcKey key, Clock clock) {
    this.transport = transport;
    this.drc = drc;
    this.key = key;
    this.clock = clock;
  }

  /** {@code call} as the program should see it: the same call, replying through this capture. */
  RpcCall wrap(RpcCall call) {
    return new RpcCall(call.getXid(), call.getProgram(), call.getProgramVersion(), call.getProcedure(), call.getCredential(),
        call.getXdr(), this);
  }

  @Override public <A> void send(Xdr xdr, A attachment, CompletionHandler<Integer, ? super A> handler) {
    if (decided.compareAndSet(false, true)) {
      Buffer b;
      if (xdr.hasFileChunk() || (b = xdr.asBuffer()).remaining() > drc.maxReply()) {
        drc.abandon(key);
      } else {
        byte[] reply = new byte[b.remaining()];
        int p = b.position();
        b.get(reply);
        b.position(p);
        drc.complete(key, reply, clock.nanos());
      }
    }
    transport.send(xdr, attachment, handler);
  }

  /** After the program returned: a call that has sent no reply is forgotten (it may run again). */
  void finish() {
    if (decided.compareAndSet(false, true)) drc.abandon(key);
  }

  @Override public ReplyQueue getReplyQueue() { return transport.getReplyQueue(); }

  @Override public boolean isOpen() { return transport.isOpen(); }

  @Override public InetSocketAddress getLocalSocketAddress() { return transport.getLocalSocketAddress(); }

  @Override public InetSocketAddress getRemoteSocketAddress() { return transport.getRemoteSocketAddress(); }

  @Override public RpcTransport getPeerTransport() { return transport.getPeerTransport(); }

  @Override public void startTLS() throws RpcAuthException { transport.startTLS(); }

  @Override public boolean isTLS() { return transport.isTLS(); }

  @Override public String toString() { return transport.toString(); }
}
