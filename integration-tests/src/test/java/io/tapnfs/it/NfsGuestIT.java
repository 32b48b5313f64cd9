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
          "printf 0123456789 > /mnt/t.txt",
          "truncate -s 4 /mnt/t.txt",
          "echo trunc $(cat /mnt/t.txt) $(wc -c < /mnt/t.txt)",
          "echo old > /mnt/target.txt",
          "echo new > /mnt/source.txt",
          "mv /mnt/source.txt /mnt/target.txt",                   // rename over an existing file
          "echo over $(cat /mnt/target.txt)",
          "ln /mnt/a.txt /mnt/hard",
          "mv /mnt/hard /mnt/renamed",
          "chmod 600 /mnt/renamed",
          "chown 1234:5678 /mnt/renamed",
          "ls -ln /mnt",
          "i=0; while [ $i -lt 10000 ]; do : > /mnt/deep/f$i; i=$((i+1)); done",
          "echo count $(ls /mnt/deep | wc -l)",                                  // 10 000 files and er/
          "dd if=/dev/urandom of=/mnt/big bs=1M count=256 2>/dev/null",
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
      assertThat(out).contains("made on the server", "hello\nagain", "count 10001", "trunc 0123 4", "over new", "nfs-ok");
      assertThat(Files.exists(export.resolve("source.txt"))).isFalse();
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

  /**
   * An export given with --export (everyone, read-write, root squashed), mounted over TCP (Debian's
   * kernel is built without NFS over UDP, CONFIG_NFS_DISABLE_UDP_SUPPORT) with nolock (no lock is
   * taken: tapnfs serves no NLM yet): root is squashed to nobody, an ordinary uid owns what it
   * makes and another uid is refused by the mode bits, two writers work at once.
   */
  @Test void rootIsSquashedAndModeBitsHold() throws Exception {
    try (Lab lab = Lab.create("nfs-squash")) {
      Path export = lab.out.resolve("export");
      Files.createDirectories(export);
      Files.setPosixFilePermissions(export, PosixFilePermissions.fromString("rwxrwxrwx"));
      lab.startServer("--export", export.toString(), "--state-dir", lab.out.resolve("state").toString());
      String as1000 = "su u1000 -c ";
      Guest.Run run = Guest.run(lab, "nfs-squash", String.join("\n",
          "set -e",
          "printf 'root:x:0:0::/root:/bin/sh\\nu1000:x:1000:1000::/tmp:/bin/sh\\nu1001:x:1001:1001::/tmp:/bin/sh\\n' > /etc/passwd",
          "printf 'root:x:0:\\ng1000:x:1000:\\ng1001:x:1001:\\n' > /etc/group",
          "mkdir -p /mnt",
          "mount -t nfs -o vers=3,nolock,addr=" + STACK_IP + " " + STACK_IP + ":" + export + " /mnt",
          "touch /mnt/by-root",
          "ls -ln /mnt/by-root",
          as1000 + "'echo secret > /mnt/mine; chmod 600 /mnt/mine; cat /mnt/mine'",
          "if su u1001 -c 'cat /mnt/mine'; then echo READ-BY-OTHER; else echo other-denied; fi",
          as1000 + "'chmod 640 /mnt/mine'",                        // the owner may chmod...
          "if " + as1000 + "'chown 1001 /mnt/mine'; then echo GAVE-AWAY; else echo chown-denied; fi",   // ...not chown
          "if su u1001 -c 'chmod 777 /mnt/mine'; then echo CHMOD-BY-OTHER; else echo chmod-denied; fi",
          "dd if=/dev/urandom of=/tmp/w1 bs=1M count=8 2>/dev/null; dd if=/dev/urandom of=/tmp/w2 bs=1M count=8 2>/dev/null",
          "cp /tmp/w1 /mnt/w1 & cp /tmp/w2 /mnt/w2 & wait",
          "sha256sum /tmp/w1 /tmp/w2 /mnt/w1 /mnt/w2",
          "umount /mnt",
          "echo squash-ok",
          ""), Duration.ofSeconds(600));
      assertThat(run.exit()).as("guest output:%n%s%nconsole:%n%s", run.output(), run.console()).isZero();
      String out = run.output();
      assertThat(out).contains("secret", "other-denied", "chown-denied", "chmod-denied", "squash-ok")
          .doesNotContain("READ-BY-OTHER").doesNotContain("GAVE-AWAY").doesNotContain("CHMOD-BY-OTHER");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(export.resolve("mine")))).isEqualTo("rw-r-----");
      assertThat(out).containsPattern("65534\\s+65534\\s+0 .*by-root");                 // root squashed
      assertThat(Files.getAttribute(export.resolve("by-root"), "unix:uid")).isEqualTo(65534);
      assertThat(Files.getAttribute(export.resolve("mine"), "unix:uid")).isEqualTo(1000);
      for (String w : new String[] {"w1", "w2"}) {
        String guestSum = out.lines().filter(l -> l.endsWith("/tmp/" + w)).findFirst().orElseThrow().split("\\s+")[0];
        assertThat(sha256(export.resolve(w))).isEqualTo(guestSum);
      }
    }
  }

  /**
   * tapnfs restarts while the guest has it mounted (a hard mount): the client waits, then goes on
   * with the same file handles (no ESTALE), and no acknowledged write is lost.
   */
  @Test void aServerRestartUnderAMountedClientLosesNothing() throws Exception {
    try (Lab lab = Lab.create("nfs-restart")) {
      Path export = lab.out.resolve("export");
      Files.createDirectories(export);
      Path exports = lab.out.resolve("exports");
      Files.writeString(exports, export + " *(rw,no_root_squash)\n");
      String[] args = {"--exports", exports.toString(), "--state-dir", lab.out.resolve("state").toString()};
      Lab.Server first = lab.startServer(args);
      String script = String.join("\n",
          "set -e",
          "mkdir -p /mnt",
          "mount -t nfs -o vers=3,proto=tcp,nolock,hard,timeo=10,addr=" + STACK_IP + " " + STACK_IP + ":" + export + " /mnt",
          "mkdir /mnt/dir",
          "dd if=/dev/urandom of=/mnt/dir/before bs=1M count=4 2>/dev/null",
          "sync",
          "sha256sum /mnt/dir/before",
          "cd /mnt/dir",                                     // keep a handle to the directory across the restart
          "touch /mnt/phase1",
          "while [ ! -e /mnt/restarted ]; do sleep 0.2; done",
          "dd if=/dev/urandom of=/mnt/dir/after bs=1M count=4 2>/dev/null",
          "sync",
          "sha256sum /mnt/dir/after",
          "ls /mnt/dir",
          "cd /",
          "umount /mnt",
          "echo restart-ok",
          "");
      java.util.concurrent.CompletableFuture<Guest.Run> guest = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return Guest.run(lab, "nfs-restart", script, Duration.ofSeconds(600));
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      while (!Files.exists(export.resolve("phase1"))) {
        assertThat(System.nanoTime()).as("guest reached phase 1").isLessThan(deadline);
        assertThat(guest).isNotDone();
        Thread.sleep(100);                                   // polling a file the guest writes: no event to wait on
      }
      assertThat(first.stop()).isZero();
      lab.startServer(args);                                 // same export, same handle key: the old handles work
      Files.createFile(export.resolve("restarted"));
      Guest.Run run = guest.get(10, java.util.concurrent.TimeUnit.MINUTES);
      assertThat(run.exit()).as("guest output:%n%s%nconsole:%n%s", run.output(), run.console()).isZero();
      String out = run.output();
      assertThat(out).contains("restart-ok").doesNotContainIgnoringCase("stale");
      for (String f : new String[] {"before", "after"}) {
        String guestSum = out.lines().filter(l -> l.endsWith("/mnt/dir/" + f)).findFirst().orElseThrow().split("\\s+")[0];
        assertThat(sha256(export.resolve("dir").resolve(f))).isEqualTo(guestSum);
      }
    }
  }

  /**
   * The default mount options, locking on: the kernel's lockd registers with an rpcbind in the
   * client (as on any Linux NFS client, over /var/run/rpcbind.sock), so the guest runs Debian's
   * (and its rpc.statd); the mount then needs nothing more from tapnfs (NLM locks themselves are
   * the next wave).
   */
  @Test void withDefaultMountOptions() throws Exception {
    try (Lab lab = Lab.create("nfs-default")) {
      Path export = lab.out.resolve("export");
      Files.createDirectories(export);
      Path exports = lab.out.resolve("exports");
      Files.writeString(exports, export + " *(rw,no_root_squash)\n");
      lab.startServer("--exports", exports.toString(), "--state-dir", lab.out.resolve("state").toString());
      Guest.Run run = Guest.run(lab, "nfs-default", String.join("\n",
          "set -e",
          Guest.AWAIT_STATD,                                     // rpcbind up too: statd registered with it
          "mkdir -p /mnt",
          "mount -t nfs -o vers=3,addr=" + STACK_IP + " " + STACK_IP + ":" + export + " /mnt",
          "grep ' /mnt ' /proc/mounts",
          "echo locked-mount > /mnt/f",
          "cat /mnt/f",
          "umount /mnt",
          "echo default-ok",
          ""), Duration.ofSeconds(300));
      assertThat(run.exit()).as("guest output:%n%s%nconsole:%n%s", run.output(), run.console()).isZero();
      assertThat(run.output()).contains("locked-mount", "default-ok").doesNotContain("nolock");
      assertThat(Files.readString(export.resolve("f"))).isEqualTo("locked-mount\n");
    }
  }
}
