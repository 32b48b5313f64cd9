package io.tapnfs.rpc;

import io.tapnfs.netstack.Stack;
import io.tapnfs.netstack.socket.StackSelectorProvider;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.dcache.oncrpc4j.rpc.OncRpcProgram;
import org.dcache.oncrpc4j.rpc.ReplyQueue;
import org.dcache.oncrpc4j.rpc.RpcDispatchable;
import org.dcache.oncrpc4j.rpc.RpcDispatcher;
import org.dcache.oncrpc4j.rpc.RpcMessageParserTCP;
import org.dcache.oncrpc4j.rpc.RpcMessageParserUDP;
import org.dcache.oncrpc4j.rpc.RpcProtocolFilter;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.ConnectionProbe;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.TransportFilter;
import org.glassfish.grizzly.nio.transport.TCPNIOServerConnection;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.glassfish.grizzly.nio.transport.TCPNIOTransportBuilder;
import org.glassfish.grizzly.nio.transport.UDPNIOServerConnection;
import org.glassfish.grizzly.nio.transport.UDPNIOTransport;
import org.glassfish.grizzly.nio.transport.UDPNIOTransportBuilder;
import org.glassfish.grizzly.strategies.WorkerThreadIOStrategy;

/**
 * ONC-RPC (RFC 5531) programs served on the stack: oncrpc4j's public filters on Grizzly NIO
 * transports built with the stack's {@link StackSelectorProvider}, so no kernel socket carries
 * the calls. Not oncrpc4j's {@code OncRpcSvc}, whose portmap publishing opens kernel sockets to
 * 127.0.0.1:111.
 *
 * <p>Chain, per transport: TransportFilter → ({@link RecordCapFilter}, TCP) → RpcMessageParserTCP
 * or UDP → {@link RpcHeaderFilter} → RpcProtocolFilter → RpcDispatcher over a {@link ProgramTable}, with the worker-thread
 * I/O strategy and a bounded request executor. What is served is registered with the
 * {@link RpcRegistry} (the in-process rpcbind) on start and removed on {@link #close}.
 *
 * <pre>
 *   RpcServer s = RpcServer.on(stack).program(100003, 3, nfs).tcp(2049).udp(2049).registry(rpcbind).start();
 * </pre>
 */
public final class RpcServer implements Closeable {
  /** Default record cap: a 1 MiB NFS WRITE with room for its headers. */
  public static final int DEFAULT_MAX_RECORD = (1 << 20) + 64 * 1024;
  public static final int DEFAULT_MAX_FRAGMENTS = 1024;
  public static final int DEFAULT_MAX_PENDING = 256;

  private final Map<OncRpcProgram, RpcDispatchable> programs;
  private final RpcRegistry registry;
  private final String owner;
  private final RpcCounters counters;
  private final ExecutorService executor;
  private final ReplyQueue replies = new ReplyQueue();
  private TCPNIOTransport tcp;
  private UDPNIOTransport udp;
  private int tcpPort = -1, udpPort = -1;
  private final AtomicInteger connections = new AtomicInteger();

  private RpcServer(Builder b) {
    this.programs = new LinkedHashMap<>(b.programs);
    this.registry = b.registry;
    this.owner = b.owner;
    this.counters = new RpcCounters();
    AtomicInteger n = new AtomicInteger();
    this.executor = new ThreadPoolExecutor(b.workers, b.workers, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(b.queue), r -> {
      Thread t = new Thread(r, "tapnfs-rpc-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }, new ThreadPoolExecutor.CallerRunsPolicy());
  }

  public static Builder on(Stack stack) { return new Builder(stack); }

  /**
   * The netid ("tcp" or "udp") of the call the current thread is running, for a program that
   * needs its transport (rpcbind's GETADDR with an empty netid, DUMP refused over UDP); null
   * outside a call. oncrpc4j's {@code RpcTransport} does not say.
   */
  public static String currentNetid() { return ProgramTable.currentNetid(); }

  /** The TCP port served, or -1. */
  public int tcpPort() { return tcpPort; }

  /** The UDP port served, or -1. */
  public int udpPort() { return udpPort; }

  /** Counters by name ("calls", "recordTooLarge", ...). */
  public Map<String, Long> counters() { return counters.snapshot(); }

  public long counter(RpcStat s) { return counters.get(s); }

  /** TCP connections open now. */
  public int connections() { return connections.get(); }

  private void start(Builder b) throws IOException {
    StackSelectorProvider provider = new StackSelectorProvider(b.stack);
    if (b.tcpPort >= 0) {
      tcp = TCPNIOTransportBuilder.newInstance().setSelectorProvider(provider)
          .setIOStrategy(WorkerThreadIOStrategy.getInstance()).setReuseAddress(true).build();
      tcp.setProcessor(FilterChainBuilder.stateless()
          .add(new TransportFilter())
          .add(new RecordCapFilter(b.maxRecord, b.maxFragments, counters))
          .add(new RpcMessageParserTCP())
          .add(new RpcHeaderFilter(replies, counters))
          .add(new RpcProtocolFilter(replies))
          .add(new RpcDispatcher(executor, new ProgramTable(programs, b.maxPending, counters, "tcp"), false, call -> { }))
          .build());
      tcp.getConnectionMonitoringConfig().addProbes(new ConnectionProbe.Adapter() {
        @Override public void onAcceptEvent(Connection server, Connection client) {
          counters.inc(RpcStat.TCP_ACCEPTED);
          connections.incrementAndGet();
        }

        @Override public void onCloseEvent(Connection c) {
          if (!(c instanceof TCPNIOServerConnection)) {
            counters.inc(RpcStat.TCP_CLOSED);
            connections.decrementAndGet();
          }
        }
      });
      TCPNIOServerConnection c = tcp.bind(new InetSocketAddress(b.tcpPort), b.backlog);
      tcp.start();
      tcpPort = ((InetSocketAddress) c.getLocalAddress()).getPort();
    }
    if (b.udpPort >= 0) {
      udp = UDPNIOTransportBuilder.newInstance().setSelectorProvider(provider)
          .setIOStrategy(WorkerThreadIOStrategy.getInstance()).setReuseAddress(true).build();
      udp.setProcessor(FilterChainBuilder.stateless()
          .add(new TransportFilter())
          .add(new RpcMessageParserUDP())
          .add(new RpcHeaderFilter(replies, counters))
          .add(new RpcProtocolFilter(replies))
          .add(new RpcDispatcher(executor, new ProgramTable(programs, b.maxPending, counters, "udp"), false, call -> { }))
          .build());
      UDPNIOServerConnection c = udp.bind(new InetSocketAddress(b.udpPort));
      udp.start();
      udpPort = ((InetSocketAddress) c.getLocalAddress()).getPort();
    }
    for (OncRpcProgram p : programs.keySet()) {
      if (tcpPort >= 0) registry.register(p.getNumber(), p.getVersion(), "tcp", tcpPort, owner);
      if (udpPort >= 0) registry.register(p.getNumber(), p.getVersion(), "udp", udpPort, owner);
    }
  }

  @Override public void close() throws IOException {
    for (OncRpcProgram p : programs.keySet()) {
      if (tcpPort >= 0) registry.unregister(p.getNumber(), p.getVersion(), "tcp");
      if (udpPort >= 0) registry.unregister(p.getNumber(), p.getVersion(), "udp");
    }
    if (tcp != null) tcp.shutdownNow();
    if (udp != null) udp.shutdownNow();
    executor.shutdownNow();
    replies.shutdown();
  }

  /** What to serve, where, and the limits. */
  public static final class Builder {
    private final Stack stack;
    private final Map<OncRpcProgram, RpcDispatchable> programs = new LinkedHashMap<>();
    private int tcpPort = -1, udpPort = -1;
    private RpcRegistry registry = RpcRegistry.NONE;
    private String owner = "tapnfs";
    private long maxRecord = DEFAULT_MAX_RECORD;
    private int maxFragments = DEFAULT_MAX_FRAGMENTS;
    private int maxPending = DEFAULT_MAX_PENDING;
    private int workers = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    private int queue = 4096;
    private int backlog = 64;

    private Builder(Stack stack) { this.stack = stack; }

    /** Serve {@code version} of {@code program} with {@code handler}; call again for more. */
    public Builder program(int program, int version, RpcDispatchable handler) {
      programs.put(new OncRpcProgram(program, version), handler);
      return this;
    }

    /** Serve on this TCP port of the stack (0: any free port). */
    public Builder tcp(int port) { this.tcpPort = checkPort(port); return this; }

    /** Serve on this UDP port of the stack (0: any free port). */
    public Builder udp(int port) { this.udpPort = checkPort(port); return this; }

    public Builder registry(RpcRegistry r) { this.registry = r; return this; }

    public Builder owner(String o) { this.owner = o; return this; }

    /** The largest TCP record accepted; a bigger one closes the connection (counted). */
    public Builder maxRecordSize(long bytes) {
      if (bytes < 1024) throw new IllegalArgumentException("record cap " + bytes + " < 1024");
      this.maxRecord = bytes;
      return this;
    }

    public Builder maxFragments(int n) {
      if (n < 1) throw new IllegalArgumentException("fragments " + n);
      this.maxFragments = n;
      return this;
    }

    /** Calls in progress per peer before more are dropped (counted). */
    public Builder maxPendingPerConnection(int n) {
      if (n < 1) throw new IllegalArgumentException("pending " + n);
      this.maxPending = n;
      return this;
    }

    /** Threads running calls, and the calls that may wait for one. */
    public Builder workers(int threads, int queued) {
      if (threads < 1 || queued < 1) throw new IllegalArgumentException("workers " + threads + ", queue " + queued);
      this.workers = threads;
      this.queue = queued;
      return this;
    }

    public Builder backlog(int n) { this.backlog = Math.max(1, n); return this; }

    private static int checkPort(int p) {
      if (p < 0 || p > 65535) throw new IllegalArgumentException("port " + p);
      return p;
    }

    public RpcServer start() throws IOException {
      if (programs.isEmpty()) throw new IllegalStateException("no program to serve");
      if (tcpPort < 0 && udpPort < 0) throw new IllegalStateException("neither tcp() nor udp() given");
      RpcServer s = new RpcServer(this);
      try {
        s.start(this);
      } catch (IOException | RuntimeException e) {
        s.close();
        throw e;
      }
      return s;
    }
  }
}
