package io.tapnfs.cli;

import io.tapnfs.netstack.Stack;
import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local control socket: a Unix-domain socket (mode 0600, so only its owner — root — may use
 * it) that takes one command line per connection. It carries no network traffic. Commands:
 * {@code stat}, {@code capture start FILE [MAXBYTES]}, {@code capture stop}, {@code set name=value}.
 */
final class ControlServer implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
  /** A command line longer than this is refused. */
  static final int MAX_COMMAND = 4096;
  static final int MAX_CLIENTS = 8;

  private final Path path;
  private final ServerSocketChannel server;
  private final Stack stack;
  private final java.util.function.Supplier<String> moreStats;
  private final Thread thread;
  private final java.util.concurrent.Semaphore clients = new java.util.concurrent.Semaphore(MAX_CLIENTS);
  private volatile boolean open = true;

  ControlServer(Path path, Stack stack) throws IOException { this(path, stack, () -> ""); }

  /** @param moreStats sections appended to {@code stat} (the RPC services) */
  ControlServer(Path path, Stack stack, java.util.function.Supplier<String> moreStats) throws IOException {
    this.path = path;
    this.stack = stack;
    this.moreStats = moreStats;
    Files.createDirectories(path.getParent());
    if (Files.exists(path)) {
      // A live server answers; a dead one left its socket file behind.
      try {
        ControlClient.request(path, "ping");
        throw new IOException("another tapnfs is already using control socket " + path);
      } catch (IOException e) {
        if (e.getMessage() != null && e.getMessage().startsWith("another")) throw e;
        Files.deleteIfExists(path);
      }
    }
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(path));
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
    thread = new Thread(this::serve, "tapnfs-control");
    thread.setDaemon(true);
    thread.start();
  }

  Path path() { return path; }

  private void serve() {
    while (open) {
      SocketChannel ch;
      try {
        ch = server.accept();
      } catch (IOException e) {
        if (open) log.warn("control socket {} failed: {}", path, e.toString());
        return;
      }
      // One short-lived thread per connection, at most MAX_CLIENTS: a client that never sends its
      // line holds only its own thread, never the next "tapnfs stat".
      if (!clients.tryAcquire()) { closeQuietly(ch); continue; }
      Thread t = new Thread(() -> {
        try (ch) {
          answer(ch);
        } catch (IOException e) {
          log.debug("control connection failed: {}", e.toString());
        } finally {
          clients.release();
        }
      }, "tapnfs-control-client");
      t.setDaemon(true);
      t.start();
    }
  }

  private void answer(SocketChannel ch) throws IOException {
    String reply;
    try {
      reply = "ok\n" + handle(readLine(ch).trim());
    } catch (IOException | RuntimeException e) {
      reply = "error: " + (e.getMessage() == null ? e.toString() : e.getMessage()) + "\n";
    }
    ByteBuffer out = ByteBuffer.wrap(reply.getBytes(StandardCharsets.UTF_8));
    while (out.hasRemaining()) ch.write(out);
  }

  private static void closeQuietly(SocketChannel ch) {
    try { ch.close(); } catch (IOException ignored) { /* nothing to do */ }
  }

  /** Reads up to the first newline, end of stream, or {@link #MAX_COMMAND} bytes. */
  private static String readLine(SocketChannel ch) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(MAX_COMMAND);
    int scanned = 0;
    while (buf.hasRemaining() && ch.read(buf) >= 0) {
      for (; scanned < buf.position(); scanned++) {
        if (buf.get(scanned) == '\n') return new String(buf.array(), 0, scanned, StandardCharsets.UTF_8);
      }
    }
    if (!buf.hasRemaining()) throw new IOException("command longer than " + MAX_COMMAND + " bytes");
    return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
  }

  String handle(String cmd) throws IOException {
    String[] w = cmd.isEmpty() ? new String[0] : cmd.split("\\s+");
    if (w.length == 0) throw new IOException("empty command");
    switch (w[0]) {
      case "ping" -> { return "pong\n"; }
      case "stat" -> { return stack.stats().format() + moreStats.get(); }
      case "set" -> {
        if (w.length != 2) throw new IOException("usage: set name=value");
        stack.set(w[1]);
        return w[1] + "\n";
      }
      case "capture" -> {
        if (w.length >= 2 && w[1].equals("stop")) { stack.stopCapture(); return "capture stopped\n"; }
        if (w.length >= 3 && w[1].equals("start")) {
          long max = w.length >= 4 ? Long.parseLong(w[3]) : ServeCommand.DEFAULT_PCAP_MAX;
          stack.startCapture(Path.of(w[2]), max);
          return "capturing to " + w[2] + "\n";
        }
        throw new IOException("usage: capture start FILE [MAXBYTES] | capture stop");
      }
      default -> throw new IOException("unknown command '" + w[0] + "' (stat, capture, set)");
    }
  }

  @Override
  public void close() throws IOException {
    open = false;
    server.close();
    Files.deleteIfExists(path);
  }
}
