package io.tapnfs.cli;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Sends one command line to a server's control socket and returns the reply. The reply's first
 * line is {@code ok} or {@code error: ...}; the rest is the payload.
 */
public final class ControlClient {
  private ControlClient() {}

  public static String request(Path socket, String command) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      try {
        ch.connect(UnixDomainSocketAddress.of(socket));
      } catch (IOException e) {
        throw new IOException("cannot reach tapnfs at " + socket + ": " + e.getMessage() + " (is it running?)");
      }
      ch.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8)));
      ch.shutdownOutput();
      ByteBuffer buf = ByteBuffer.allocate(1 << 16);
      StringBuilder sb = new StringBuilder();
      while (ch.read(buf) >= 0) {
        buf.flip();
        sb.append(StandardCharsets.UTF_8.decode(buf));
        buf.clear();
      }
      String reply = sb.toString();
      int nl = reply.indexOf('\n');
      String status = nl < 0 ? reply : reply.substring(0, nl);
      if (status.startsWith("error: ")) throw new IOException(status.substring(7));
      if (!status.equals("ok")) throw new IOException("unexpected reply from " + socket + ": " + status);
      return nl < 0 ? "" : reply.substring(nl + 1);
    }
  }
}
