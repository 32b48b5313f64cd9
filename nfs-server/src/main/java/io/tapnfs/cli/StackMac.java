package io.tapnfs.cli;

import io.tapnfs.netstack.ethernet.MacAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * The stack's MAC, the same across restarts: kept per tap in the state directory
 * ({@code mac-<tap>}), made once (random, locally administered, never the tap's own). A restarted
 * server that kept its MAC is reachable at once by clients whose ARP caches still hold it; a new
 * MAC would leave them sending to the old one until an announcement reached them (seconds).
 */
final class StackMac {
  private StackMac() {}

  static MacAddress load(Path stateDir, String tap, MacAddress kernelMac) throws IOException {
    Files.createDirectories(stateDir);
    Path f = stateDir.resolve("mac-" + tap.replaceAll("[^A-Za-z0-9_.-]", "_"));
    if (Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      try {
        MacAddress m = MacAddress.parse(Files.readString(f, StandardCharsets.US_ASCII).trim());
        if (!m.equals(kernelMac)) return m;
      } catch (IllegalArgumentException e) {
        // unreadable: make a new one below
      }
    }
    MacAddress m;
    SecureRandom rnd = new SecureRandom();
    do { m = MacAddress.randomLocal(rnd); } while (m.equals(kernelMac));
    Path tmp = Files.createTempFile(stateDir, ".mac", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmp, m + "\n", StandardCharsets.US_ASCII);
    Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return m;
  }
}
