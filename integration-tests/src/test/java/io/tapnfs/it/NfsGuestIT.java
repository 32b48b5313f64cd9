package io.tapnfs.it;

import static io.tapnfs.it.Lab.STACK_IP;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The whole chain: the Linux kernel's NFS client in the lab guest mounts tapnfs over the tap with
 * NFSv3, finding mountd through rpcbind itself (no port options), and works on files that land in
 * the export directory. Needs root and the guest.
 */
@Timeout(900)
class NfsGuestIT {
  static String sha256(Path p) throws Exception {
    MessageDigest d = MessageDigest.getInstance("SHA-256");
    try (var in = Files.newInputStream(p)) {
      byte[] b = new byte[1 << 16];
      int n;
      while ((n = in.read(b)) > 0) d.update(b, 0, n);
    }
    return HexFormat.of().formatHex(d.digest());
  }

  @Test void aLinuxClientMountsOverTheTapAndItsFilesLandInTheExport() throws Exception {
    try (Lab lab = Lab.create("nfs")) {
      Path export = lab.out.resolve("export");
      Files.createDirectories(export);
      Files.writeString(export.resolve("from-server.txt"), "made on the server\n");
      Path exports = lab.out.resolve("exports");
      Files.writeString(exports, export + " *(rw,no_root_squash)\n");
      lab.startServer("--exports", exports.toString(), "--state-dir", lab.out.resolve("state").toString());
      String mnt = "mount -t nfs -o vers=3,proto=tcp,nolock,addr=" + STACK_IP + " " + STACK_IP + ":" + export + " /mnt";
      Guest.Run run = Guest.run(lab, "nfs", String.join("\n",
          "set -e",
          "mkdir -p /mnt",
          mnt,
          "cat /mnt/from-server.txt",
          "echo hello > /mnt/a.txt",
          "echo again >> /mnt/a.txt",
          "cat /mnt/a.txt",
          "mkdir -p /mnt/deep/er/still",
          "echo x > /mnt/deep/er/still/leaf",
          "ln -s deep/er/still/leaf /mnt/sym",
          "cat /mnt/sym",
          "ln /mnt/a.txt /mnt/hard",
          "mv /mnt/hard /mnt/renamed",
          "chmod 600 /mnt/renamed",
          "chown 1234:5678 /mnt/renamed",
          "ls -ln /mnt",
          "i=0; while [ $i -lt 2000 ]; do : > /mnt/deep/f$i; i=$((i+1)); done",
          "echo count $(ls /mnt/deep | wc -l)",                                  // 2000 files and er/
          "dd if=/dev/urandom of=/mnt/big bs=1M count=32 2>/dev/null",
          "sha256sum /mnt/big",
          "rm -rf /mnt/deep",
          "umount /mnt",
          mnt,
          "sha256sum /mnt/big",
          "ls /mnt",
          "umount /mnt",
          "echo nfs-ok",
          ""), Duration.ofSeconds(600));
      assertThat(run.exit()).as("guest output:%n%s%nconsole:%n%s", run.output(), run.console()).isZero();
      String out = run.output();
      assertThat(out).contains("made on the server", "hello\nagain", "count 2001", "nfs-ok");
      assertThat(Files.readString(export.resolve("a.txt"))).isEqualTo("hello\nagain\n");
      assertThat(Files.readSymbolicLink(export.resolve("sym")).toString()).isEqualTo("deep/er/still/leaf");
      assertThat(Files.exists(export.resolve("deep"))).isFalse();
      assertThat(Files.getAttribute(export.resolve("renamed"), "unix:uid")).isEqualTo(1234);
      assertThat(Files.getAttribute(export.resolve("renamed"), "unix:gid")).isEqualTo(5678);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(export.resolve("renamed")))).isEqualTo("rw-------");
      assertThat(Files.getAttribute(export.resolve("a.txt"), "unix:nlink")).isEqualTo(2);
      String guestSum = out.lines().filter(l -> l.endsWith("/mnt/big")).findFirst().orElseThrow().split("\\s+")[0];
      assertThat(sha256(export.resolve("big"))).isEqualTo(guestSum);
    }
  }
}
