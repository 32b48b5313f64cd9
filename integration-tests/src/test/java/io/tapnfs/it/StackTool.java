package io.tapnfs.it;

import io.tapnfs.netstack.Clock;
import io.tapnfs.netstack.Stack;
import io.tapnfs.netstack.StackConfig;
import io.tapnfs.netstack.ethernet.MacAddress;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import io.tapnfs.netstack.ipv4.Ipv4Cidr;
import io.tapnfs.netstack.link.TapDevice;
import io.tapnfs.netstack.socket.TcpServerSocket;
import io.tapnfs.netstack.socket.TcpSocket;
import io.tapnfs.netstack.tcp.TcpState;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The stack as a TCP client or server on the lab's tap, driven from Java, for the lab tests and
 * the TCP benchmark (run inside the namespace with {@code ip netns exec}). Prints
 * {@code tapnfs: ready} once the stack is up, then one {@code RESULT key=value ...} line.
 *
 * <pre>
 *   StackTool TAP CIDR echo-client HOST PORT BYTES     send BYTES random bytes, read the echo, compare SHA-256
 *   StackTool TAP CIDR sink PORT CONNS                 accept CONNS connections, read each to EOF
 *   StackTool TAP CIDR source HOST PORT BYTES CONNS    CONNS connections each send BYTES zeros
 * </pre>
 */
public final class StackTool {
  public static void main(String[] args) throws Exception {
    String tap = args[0];
    Ipv4Cidr cidr = Ipv4Cidr.parse(args[1]);
    // segmentation offload as tapnfs serve has it, unless -Dtapnfs.gso=false (as serve --no-gso)
    TapDevice dev = TapDevice.open(tap, 1500, !"false".equals(System.getProperty("tapnfs.gso")));
    MacAddress mac;
    do { mac = MacAddress.randomLocal(new SecureRandom()); } while (mac.equals(dev.kernelMac()));
    dev.setUp(true);
    Stack stack = Stack.start(StackConfig.of(mac, cidr), dev, Clock.SYSTEM);
    String pcap = System.getProperty("tapnfs.pcap");
    if (pcap != null) stack.startCapture(java.nio.file.Path.of(pcap), 1L << 30);
    int status = 1;
    try {
      System.out.println("tapnfs: ready");
      System.out.flush();
      String result = switch (args[2]) {
        case "echo-client" -> echoClient(stack, Ipv4Address.parse(args[3]), Integer.parseInt(args[4]), Long.parseLong(args[5]));
        case "sink" -> sink(stack, Integer.parseInt(args[3]), Integer.parseInt(args[4]));
        case "source" -> source(stack, Ipv4Address.parse(args[3]), Integer.parseInt(args[4]), Long.parseLong(args[5]),
            Integer.parseInt(args[6]));
        default -> throw new IllegalArgumentException("unknown mode " + args[2]);
      };
      System.out.println("RESULT " + result);
      System.out.flush();
      status = 0;
    } catch (Exception e) {
      e.printStackTrace();
      System.out.println("tapnfs stat at the failure:\n" + stack.stats().format());
    } finally {
      stack.close();
      dev.close();
    }
    System.exit(status);
  }

  /** Writes and reads at once (two threads), as an echo needs; hashes both directions. */
  static String echoClient(Stack stack, Ipv4Address host, int port, long total) throws Exception {
    TcpSocket s = TcpSocket.connect(stack, host, port, Duration.ofSeconds(10));
    MessageDigest sent = MessageDigest.getInstance("SHA-256"), got = MessageDigest.getInstance("SHA-256");
    long t0 = System.nanoTime();
    Thread writer = new Thread(() -> {
      SplittableRandom rnd = new SplittableRandom(42);
      byte[] chunk = new byte[64 * 1024];
      try {
        for (long done = 0; done < total; ) {
          int n = (int) Math.min(chunk.length, total - done);
          rnd.nextBytes(chunk);
          sent.update(chunk, 0, n);
          s.write(ByteBuffer.wrap(chunk, 0, n));
          done += n;
        }
        s.shutdownOutput();
      } catch (Exception e) {
        e.printStackTrace();
      }
    });
    writer.setDaemon(true);
    writer.start();
    ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    long received = 0;
    s.setReadTimeout(Duration.ofSeconds(60));
    while (true) {
      int n = s.read(in.clear());
      if (n < 0) break;
      got.update(in.array(), 0, n);
      received += n;
    }
    writer.join();
    double secs = (System.nanoTime() - t0) / 1e9;
    s.close();
    HexFormat hex = HexFormat.of();
    return String.format(Locale.ROOT, "sent=%d received=%d seconds=%.3f sentSha=%s receivedSha=%s", total, received, secs,
        hex.formatHex(sent.digest()), hex.formatHex(got.digest()));
  }

  /** Reads {@code conns} connections to EOF; the time runs from the first accept to the last EOF. */
  static String sink(Stack stack, int port, int conns) throws Exception {
    AtomicLong bytes = new AtomicLong();
    List<Thread> readers = new ArrayList<>();
    long t0 = 0;
    try (TcpServerSocket server = TcpServerSocket.listen(stack, port, 64)) {
      System.out.println("tapnfs: listening");
      System.out.flush();
      for (int i = 0; i < conns; i++) {
        TcpSocket s = server.accept(Duration.ofMinutes(2));
        if (i == 0) t0 = System.nanoTime();
        Thread r = new Thread(() -> {
          ByteBuffer b = ByteBuffer.allocate(256 * 1024);
          try {
            int n;
            while ((n = s.read(b.clear())) >= 0) bytes.addAndGet(n);
          } catch (Exception e) {
            e.printStackTrace();
          } finally {
            s.close();
          }
        });
        r.start();
        readers.add(r);
      }
      for (Thread r : readers) r.join();
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    return String.format(Locale.ROOT, "bytes=%d seconds=%.3f", bytes.get(), secs);
  }

  /** Each connection sends {@code each} zero bytes and closes; the time runs until every FIN is acknowledged. */
  static String source(Stack stack, Ipv4Address host, int port, long each, int conns) throws Exception {
    List<TcpSocket> sockets = new ArrayList<>();
    for (int i = 0; i < conns; i++) sockets.add(TcpSocket.connect(stack, host, port, Duration.ofSeconds(10)));
    long t0 = System.nanoTime();
    List<Thread> writers = new ArrayList<>();
    for (TcpSocket s : sockets) {
      Thread w = new Thread(() -> {
        ByteBuffer zeros = ByteBuffer.allocate(256 * 1024);
        try {
          for (long done = 0; done < each; ) {
            int n = (int) Math.min(zeros.capacity(), each - done);
            s.write(zeros.clear().limit(n));
            done += n;
          }
          s.shutdownOutput();
        } catch (Exception e) {
          e.printStackTrace();
        }
      });
      w.start();
      writers.add(w);
    }
    for (Thread w : writers) w.join();
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    for (TcpSocket s : sockets) {
      while (s.state() == TcpState.ESTABLISHED || s.state() == TcpState.FIN_WAIT_1 || s.state() == TcpState.CLOSING) {
        if (System.nanoTime() > deadline) throw new IllegalStateException("FIN not acknowledged: " + s);
        Thread.onSpinWait();
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    for (TcpSocket s : sockets) s.close();
    return String.format(Locale.ROOT, "bytes=%d seconds=%.3f", each * conns, secs);
  }
}
