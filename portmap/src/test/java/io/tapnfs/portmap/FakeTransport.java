package io.tapnfs.portmap;

import java.net.InetSocketAddress;
import java.nio.channels.CompletionHandler;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.dcache.oncrpc4j.rpc.ReplyQueue;
import org.dcache.oncrpc4j.rpc.RpcTransport;
import org.dcache.oncrpc4j.xdr.Xdr;
import org.glassfish.grizzly.Buffer;

/** An {@link RpcTransport} that keeps every reply sent through it, as bytes. */
final class FakeTransport implements RpcTransport {
  static final InetSocketAddress CLIENT = new InetSocketAddress("10.73.0.1", 700);
  static final InetSocketAddress SERVER = new InetSocketAddress("10.73.0.2", Rpcbind.PORT);

  /** "tcp", "udp" or null: what the test's transport resolver reports for this transport. */
  final String netid;
  final List<byte[]> sent = new CopyOnWriteArrayList<>();

  FakeTransport(String netid) {
    this.netid = netid;
  }

  /** The resolver to put in {@link RpcbindConfig#withTransportNetid}. */
  static String netidOf(RpcTransport t) {
    return t instanceof FakeTransport f ? f.netid : null;
  }

  @Override
  public <A> void send(Xdr xdr, A attachment, CompletionHandler<Integer, ? super A> handler) {
    Buffer b = xdr.asBuffer();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    sent.add(out);
    handler.completed(out.length, attachment);
  }

  @Override
  public ReplyQueue getReplyQueue() {
    return null;
  }

  @Override
  public boolean isOpen() {
    return true;
  }

  @Override
  public InetSocketAddress getLocalSocketAddress() {
    return SERVER;
  }

  @Override
  public InetSocketAddress getRemoteSocketAddress() {
    return CLIENT;
  }

  @Override
  public RpcTransport getPeerTransport() {
    return this;
  }

  @Override
  public void startTLS() {
    throw new IllegalStateException("no TLS here");
  }

  @Override
  public boolean isTLS() {
    return false;
  }
}
