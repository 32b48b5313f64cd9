package io.tapnfs.nfs.vfs;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * The server's secret for file handle MACs: 32 random bytes in {@code <state dir>/handle.key}
 * (mode 0600), made on first start and read on every later one, so handles survive restarts.
 * Whoever reads it can forge handles for every export: keep the state directory private.
 */
public final class HandleKey {
  public static final String FILE = "handle.key";
  public static final int LEN = 32;

  private HandleKey() {}

  public static byte[] load(Path stateDir) throws IOException {
    Files.createDirectories(stateDir);
    Path f = stateDir.resolve(FILE);
    if (!Files.exists(f)) {
      byte[] k = new byte[LEN];
      new SecureRandom().nextBytes(k);
      try {
        Files.write(Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))), k,
            StandardOpenOption.WRITE);
      } catch (FileAlreadyExistsException raced) {
        // another start made it first: read theirs
      }
    }
    byte[] k = Files.readAllBytes(f);
    if (k.length != LEN) throw new IOException(f + " holds " + k.length + " bytes, not a " + LEN + "-byte handle key");
    return k;
  }
}
