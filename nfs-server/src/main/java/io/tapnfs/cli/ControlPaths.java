package io.tapnfs.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Where control sockets live, and how a client finds the one running server. */
final class ControlPaths {
  static final Path DIR = Path.of("/run/tapnfs");

  private ControlPaths() {}

  static Path forTap(String tap) { return DIR.resolve(tap + ".sock"); }

  static boolean answers(Path sock) {
    try {
      ControlClient.request(sock, "ping");
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The single control socket under {@link #DIR}, or a clear error. */
  static Path findOne() throws IOException {
    List<Path> socks;
    if (!Files.isDirectory(DIR)) throw new IOException("no running tapnfs server found (" + DIR + " does not exist); use --control PATH");
    try (Stream<Path> s = Files.list(DIR)) {
      socks = s.filter(p -> p.getFileName().toString().endsWith(".sock")).sorted().toList();
    }
    // A server killed with SIGKILL leaves its socket file: only live ones count.
    socks = socks.stream().filter(ControlPaths::answers).toList();
    if (socks.isEmpty()) throw new IOException("no running tapnfs server found in " + DIR + "; use --control PATH");
    if (socks.size() > 1) throw new IOException("several tapnfs servers are running, pick one with --control: " + socks);
    return socks.get(0);
  }
}
