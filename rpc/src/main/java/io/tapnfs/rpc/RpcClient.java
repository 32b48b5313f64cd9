package io.tapnfs.rpc;

import io.tapnfs.netstack.Stack;
import io.tapnfs.netstack.socket.StackSelectorProvider;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.dcache.oncrpc4j.grizzly.GrizzlyRpcTransport;
import org.dcache.oncrpc4j.rpc.ReplyQueue;
import org.dcache.oncrpc4j.rpc.RpcAuth;
import org.dcache.oncrpc4j.rpc.RpcAuthTypeNone;
import org.dcache.oncrpc4j.rpc.RpcCall;
import org.dcache.oncrpc4j.rpc.RpcMessageParserTCP;
import org.dcache.oncrpc4j.rpc.RpcMessageParserUDP;
import org.dcache.oncrpc4j.rpc.RpcProtocolFilter;
import org.dcache.oncrpc4j.rpc.RpcTransport;
import org.dcache.oncrpc4j.xdr.XdrAble;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.TransportFilter;
import org.glassfish.grizzly.nio.NIOTransport;
import org.glassfish.grizzly.nio.transport.TCPNIOTransportBuilder;
import org.glassfish.grizzly.nio.transport.UDPNIOTransportBuilder;
import org.glassfish.grizzly.strategies.WorkerThreadIOStrategy;

/**
 * An ONC-RPC client on the stack (for NFSv4.0 callbacks, NLM/NSM, and tests): one TCP connection
 * or one UDP association to a server, calls with a timeout, and over UDP retransmission (RFC 5531
 * leaves reliability to the client on datagram transports): up to {@code retries} more attempts,
 * each waiting {@code timeout}. Thread-safe: calls may run concurrently (replies are matched by
 * xid).
 */
public final class RpcClient implements Closeable {
  private final NIOTransport transport;
  private final ReplyQueue replies = new ReplyQueue();
  private final RpcTransport rpc;
  private final boolean datagram;
  private final AtomicLong retransmits = new AtomicLong();

  private RpcClient(Stack stack, InetSocketAddress server, boolean tcp, Duration connectTimeout) throws IOException {
    StackSelectorProvider provider = new StackSelectorProvider(stack);
    this.datagram = !tcp;
    transport = tcp
        ? TCPNIOTransportBuilder.newInstance().setSelectorProvider(provider).setIOStrategy(WorkerThreadIOStrategy.getInstance()).build()
        : UDPNIOTransportBuilder.newInstance().setSelectorProvider(provider).setIOStrategy(WorkerThreadIOStrategy.getInstance()).build();
    transport.setProcessor(FilterChainBuilder.stateless()
        .add(new TransportFilter())
        .add(tcp ? new RpcMessageParserTCP() : new RpcMessageParserUDP())
        .add(new RpcProtocolFilter(replies))
        .build());
    transport.start();
    try {
      @SuppressWarnings("unchecked")
      Connection<InetSocketAddress> c = (Connection<InetSocketAddress>) (tcp
          ? ((org.glassfish.grizzly.nio.transport.TCPNIOTransport) transport).connect(server)
          : ((org.glassfish.grizzly.nio.transport.UDPNIOTransport) transport).connect(server))
          .get(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
      rpc = new GrizzlyRpcTransport(c, replies);
    } catch (ExecutionException e) {
      transport.shutdownNow();
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      transport.shutdownNow();
      throw new java.io.InterruptedIOException();
    } catch (TimeoutException e) {
      transport.shutdownNow();
      throw new java.net.SocketTimeoutException("connect to " + server + " timed out");
    }
  }

  /** Connects over TCP. */
  public static RpcClient tcp(Stack stack, InetSocketAddress server, Duration connectTimeout) throws IOException {
    return new RpcClient(stack, server, true, connectTimeout);
  }

  /** Associates over UDP (nothing is sent until the first call). */
  public static RpcClient udp(Stack stack, InetSocketAddress server) throws IOException {
    return new RpcClient(stack, server, false, Duration.ofSeconds(5));
  }

  /**
   * Calls {@code procedure} and decodes the reply into {@code result}.
   * @param retries over UDP, how many times to resend after a timeout (ignored over TCP)
   * @throws TimeoutException when no reply came (after every retry)
   * @throws org.dcache.oncrpc4j.rpc.OncRpcException the server's denial or a non-SUCCESS accept status
   */
  public void call(int program, int version, int procedure, XdrAble args, XdrAble result, RpcAuth auth, Duration timeout,
                   int retries) throws IOException, TimeoutException {
    int attempts = datagram ? 1 + Math.max(0, retries) : 1;
    for (int i = 1; ; i++) {
      RpcCall call = new RpcCall(program, version, auth == null ? new RpcAuthTypeNone() : auth, rpc);
      try {
        call.call(procedure, args, result, timeout.toMillis(), TimeUnit.MILLISECONDS);
        return;
      } catch (TimeoutException e) {
        if (i >= attempts) throw e;
        retransmits.incrementAndGet();
      }
    }
  }

  /** Calls sent again over UDP after a timeout. */
  public long retransmits() { return retransmits.get(); }

  public InetSocketAddress localAddress() { return rpc.getLocalSocketAddress(); }

  @Override public void close() throws IOException {
    transport.shutdownNow();
    replies.shutdown();
  }
}
