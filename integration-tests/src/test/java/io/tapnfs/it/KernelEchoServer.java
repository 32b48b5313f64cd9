package io.tapnfs.it;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A plain kernel-socket TCP echo server, the peer for the lab's client tests (run inside the
 * namespace). A thread per connection reads and writes back until EOF, then half-closes. socat's
 * PIPE echo is not used: under two-way load it stops reading its socket for good.
 */
public final class KernelEchoServer {
  public static void main(String[] args) throws Exception {
    try (ServerSocket server = new ServerSocket()) {
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(Integer.parseInt(args[0])));
      System.out.println("echo: listening");
      System.out.flush();
      while (true) {
        Socket s = server.accept();
        Thread t = new Thread(() -> {
          try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            byte[] b = new byte[256 * 1024];
            int n;
            while ((n = in.read(b)) >= 0) out.write(b, 0, n);
            s.shutdownOutput();
          } catch (Exception e) {
            e.printStackTrace();
          }
        });
        t.setDaemon(true);
        t.start();
      }
    }
  }
}
