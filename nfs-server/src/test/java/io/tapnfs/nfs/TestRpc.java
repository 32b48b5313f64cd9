package io.tapnfs.nfs;

import io.tapnfs.netstack.Stack;
import io.tapnfs.netstack.socket.StackSelectorProvider;
import io.tapnfs.rpc.RpcClient;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.dcache.oncrpc4j.grizzly.GrizzlyRpcTransport;
import org.dcache.oncrpc4j.rpc.ReplyQueue;
import org.dcache.oncrpc4j.rpc.RpcAuth;
import org.dcache.oncrpc4j.rpc.RpcAuthTypeNone;
import org.dcache.oncrpc4j.rpc.RpcCall;
import org.dcache.oncrpc4j.rpc.RpcMessageParserTCP;
import org.dcache.oncrpc4j.rpc.RpcProtocolFilter;
import org.dcache.oncrpc4j.xdr.XdrAble;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.TransportFilter;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.glassfish.grizzly.nio.transport.TCPNIOTransportBuilder;
import org.glassfish.grizzly.strategies.WorkerThreadIOStrategy;

/**
 * The calls the protocol test clients make: over an {@link RpcClient} (an ephemeral source port,
 * 32768 and up), or over TCP from a source port of our choosing, such as a reserved one (below
 * 1024) as the kernel's NFS client uses, which RpcClient cannot bind.
 */
public interface TestRpc extends Closeable {
  void call(int program, int version, int procedure, XdrAble args, XdrAble result, RpcAuth auth, Duration timeout, int retries)
      throws IOException, TimeoutException;

  static TestRpc of(RpcClient c) {
    return new TestRpc() {
      @Override public void call(int program, int version, int procedure, XdrAble args, XdrAble result, RpcAuth auth,
                                 Duration timeout, int retries) throws IOException, TimeoutException {
        c.call(program, version, procedure, args, result, auth, timeout, retries);
      }

      @Override public void close() throws IOException { c.close(); }
    };
  }

  /** A TCP connection from {@code stack}'s address and {@code localPort} to {@code server}. */
  static TestRpc tcpFromPort(Stack stack, int localPort, InetSocketAddress server) throws IOException {
    ReplyQueue replies = new ReplyQueue();
    TCPNIOTransport t = TCPNIOTransportBuilder.newInstance().setSelectorProvider(new StackSelectorProvider(stack))
        .setIOStrategy(WorkerThreadIOStrategy.getInstance()).build();
    t.setProcessor(FilterChainBuilder.stateless().add(new TransportFilter()).add(new RpcMessageParserTCP())
        .add(new RpcProtocolFilter(replies)).build());
    t.start();
    GrizzlyRpcTransport rpc;
    try {
      InetSocketAddress local = new InetSocketAddress(stack.config().address().address().toInet(), localPort);
      @SuppressWarnings("unchecked")
      Connection<InetSocketAddress> c = (Connection<InetSocketAddress>) t.connect(server, local).get(10, TimeUnit.SECONDS);
      rpc = new GrizzlyRpcTransport(c, replies);
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      t.shutdownNow();
      throw new IOException("connect from port " + localPort + " to " + server, e);
    }
    return new TestRpc() {
      @Override public void call(int program, int version, int procedure, XdrAble args, XdrAble result, RpcAuth auth,
                                 Duration timeout, int retries) throws IOException, TimeoutException {
        new RpcCall(program, version, auth == null ? new RpcAuthTypeNone() : auth, rpc)
            .call(procedure, args, result, timeout.toMillis(), TimeUnit.MILLISECONDS);
      }

      @Override public void close() throws IOException {
        t.shutdownNow();
        replies.shutdown();
      }
    };
  }
}
