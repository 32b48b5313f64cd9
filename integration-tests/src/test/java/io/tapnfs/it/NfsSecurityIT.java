package io.tapnfs.it;

import static io.tapnfs.it.Lab.HOST_IP;
import static io.tapnfs.it.Lab.STACK_IP;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Escapes and forgeries against tapnfs over the tap, from oncrpc4j on kernel sockets in the lab
 * namespace ({@link KernelNfsProbe}): forged handles, a handle moved to another export, ".." at the
 * root, a lookup through a symlink that points out of the export, and an export this client is not
 * allowed to mount. Needs root.
 */
class NfsSecurityIT {
  @Test @Timeout(300)
  void forgedHandlesEscapesAndRefusedExportsAreRefused() throws Exception {
    try (Lab lab = Lab.create("nfs-security")) {
      Path allowed = Files.createDirectories(lab.out.resolve("allowed"));
      Path refused = Files.createDirectories(lab.out.resolve("refused"));
      Files.createSymbolicLink(allowed.resolve("escape"), Path.of("/etc"));      // made behind the server's back
      Path exports = lab.out.resolve("exports");
      // insecure: the probe's oncrpc4j client connects from an ephemeral port, not one below 1024
      Files.writeString(exports, allowed + " " + HOST_IP + "(rw,no_root_squash,insecure)\n" + refused + " 10.77.0.99(rw)\n");
      Lab.Server server = lab.startServer("--exports", exports.toString(), "--state-dir", lab.out.resolve("state").toString());
      Lab.Result r = lab.execJava(Duration.ofSeconds(120), "io.tapnfs.it.KernelNfsProbe", STACK_IP, allowed.toString(),
          refused.toString(), "20048");
      assertThat(r.stdout()).as(r.stdout() + r.stderr()).contains("ALL OK", "OK forged-handle", "OK handle-of-another-export",
          "OK dotdot-at-root", "OK no-lookup-through-symlink", "OK mount-refused");
      assertThat(server.log()).doesNotContain("internal error");
    }
  }
}
