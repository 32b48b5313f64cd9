package io.tapnfs.cli;

import io.tapnfs.netstack.Stack;
import io.tapnfs.netstack.socket.Datagram;
import io.tapnfs.netstack.socket.TcpServerSocket;
import io.tapnfs.netstack.socket.TcpSocket;
import io.tapnfs.netstack.socket.UdpSocket;
import java.io.Closeable;
import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classic inetd "internal" services, on the stack's own sockets: echo (RFC 862) over UDP
 * and TCP on port 7, discard (RFC 863) on TCP 9, daytime (RFC 867) on TCP 13, chargen (RFC 864)
 * on TCP 19. Daytime closes first, so it leaves our side in TIME-WAIT: the lab uses it to check
 * that a reconnect from the same client port takes the TIME-WAIT over (RFC 6191). Off unless
 * {@code --diag-services}: like inetd's, they answer anyone. A thread per TCP connection, at most
 * {@link #MAX_SESSIONS} at once.
 */
final class DiagServices implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(DiagServices.class);
  static final int ECHO_PORT = 7, DISCARD_PORT = 9, DAYTIME_PORT = 13, CHARGEN_PORT = 19;
  static final int MAX_SESSIONS = 64;

  private final UdpSocket echo;
  private final List<TcpServerSocket> servers = new ArrayList<>();
  private final Semaphore sessions = new Semaphore(MAX_SESSIONS);
  private volatile long ignored;

  DiagServices(Stack stack) throws IOException {
    echo = stack.openUdp(ECHO_PORT);
    daemon("tapnfs-udp-echo", this::serveUdpEcho);
    serveTcp(stack, ECHO_PORT, DiagServices::tcpEcho);
    serveTcp(stack, DISCARD_PORT, DiagServices::tcpDiscard);
    serveTcp(stack, DAYTIME_PORT, DiagServices::tcpDaytime);
    serveTcp(stack, CHARGEN_PORT, DiagServices::tcpChargen);
  }

  private interface Session { void run(TcpSocket s) throws IOException; }

  private void serveTcp(Stack stack, int port, Session session) throws IOException {
    TcpServerSocket server = stack.listenTcp(port, 16);
    servers.add(server);
    daemon("tapnfs-tcp-" + port, () -> {
      while (true) {
        TcpSocket s;
        try {
          s = server.accept(null);
        } catch (IOException e) {
          return;   // closed
        }
        if (!sessions.tryAcquire()) { s.abort(); continue; }
        daemon("tapnfs-tcp-" + port + "-session", () -> {
          try {
            session.run(s);
          } catch (IOException e) {
            log.debug("diag tcp/{} session {}: {}", port, s, e.toString());
          } finally {
            s.close();
            sessions.release();
          }
        });
      }
    });
  }

  /** RFC 862: "send back any data received" until the client closes. */
  static void tcpEcho(TcpSocket s) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(64 * 1024);
    while (s.read(b.clear()) >= 0) s.write(b.flip());
  }

  /** RFC 863: "simply throw away any data received". */
  static void tcpDiscard(TcpSocket s) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(64 * 1024);
    while (s.read(b.clear()) >= 0) { /* discard */ }
  }

  /** RFC 867: the date and time as a line of text, then close. */
  static void tcpDaytime(TcpSocket s) throws IOException {
    String now = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC));
    s.write(ByteBuffer.wrap((now + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
  }

  /** RFC 864: lines of 72 printable characters, rotating, until the client closes. */
  static void tcpChargen(TcpSocket s) throws IOException {
    byte[] ring = new byte[95];
    for (int i = 0; i < 95; i++) ring[i] = (byte) (' ' + i);
    ByteBuffer out = ByteBuffer.allocate(74 * 64);
    int start = 0;
    while (s.state() == io.tapnfs.netstack.tcp.TcpState.ESTABLISHED) {
      out.clear();
      while (out.remaining() >= 74) {
        for (int i = 0; i < 72; i++) out.put(ring[(start + i) % 95]);
        out.put((byte) '\r').put((byte) '\n');
        start = (start + 1) % 95;
      }
      s.write(out.flip());
    }
  }

  /** RFC 862 over UDP: send the datagram back to where it came from. */
  private void serveUdpEcho() {
    while (true) {
      try {
        Datagram d = echo.receive(null);
        if (isLoopRisk(d.sourcePort())) { ignored++; continue; }
        echo.send(d.source(), d.sourcePort(), d.payload());
      } catch (SocketException e) {
        return;   // closed
      } catch (IOException e) {
        log.warn("udp echo: {}", e.toString());
      }
    }
  }

  /**
   * Never answer port 0 (nowhere to send) or another small service's port: an echo aimed at a
   * chargen or echo port makes two hosts bounce packets forever (CERT CA-1996-01).
   */
  static boolean isLoopRisk(int port) {
    return port == 0 || port == 7 || port == 9 || port == 13 || port == 19 || port == 37;
  }

  private static void daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
  }

  @Override public void close() throws IOException {
    echo.close();
    for (TcpServerSocket s : servers) s.close();
  }

}
