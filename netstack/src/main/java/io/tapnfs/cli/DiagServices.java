package io.tapnfs.cli;

import io.tapnfs.netstack.Stack;
import io.tapnfs.netstack.socket.Datagram;
import io.tapnfs.netstack.socket.UdpSocket;
import java.io.Closeable;
import java.io.IOException;
import java.net.SocketException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classic inetd "internal" services, on the stack's own sockets: echo over UDP (RFC 862,
 * port 7). Off unless {@code --diag-services}: like inetd's, they answer anyone.
 */
final class DiagServices implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(DiagServices.class);
  static final int ECHO_PORT = 7;

  private final UdpSocket echo;
  private final Thread thread;
  private volatile long ignored;

  DiagServices(Stack stack) throws IOException {
    echo = stack.openUdp(ECHO_PORT);
    thread = new Thread(this::serveEcho, "tapnfs-udp-echo");
    thread.setDaemon(true);
    thread.start();
  }

  /** RFC 862: "send back any data received", to the port it came from. */
  private void serveEcho() {
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

  @Override public void close() throws IOException { echo.close(); }
}
