package io.tapnfs.it;

import static io.tapnfs.it.Lab.STACK_IP;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The rebuilt file-system core (KernelVfs: kernel handles, {@code *at} calls, the caller's
 * credentials, the duplicate-request cache, sync exports) over the tap: wire-level checks from
 * {@link KernelNfsCoreProbe} (a hand-written ONC RPC client on kernel sockets in the lab
 * namespace, choosing xids, credentials and local ports), and the Linux client in the lab guest
 * as ordinary users. Each test writes its own exports file, one line per scenario.
 *
 * <p>Needs root (namespaces, taps, chown, setxattr of ACLs, reserved ports) and the guest; it
 * fails, never skips, without them.
 */
@Timeout(600)
class NfsCoreIT {
  /** A fixed MAC for tapnfs, so that a restarted server answers at the address the kernel has cached. */
  static final String MAC = "02:77:00:00:00:02";
  static final String PROBE = "io.tapnfs.it.KernelNfsCoreProbe";

  static Path dir(Path p, int mode) throws IOException {
    Files.createDirectories(p);
    chmod(p, mode);
    return p;
  }

  /** chmod(1): Java cannot set the sticky and set-id bits. */
  static void chmod(Path p, int mode) throws IOException {
    Lab.run(List.of("chmod", Integer.toOctalString(mode), p.toString()), Duration.ofSeconds(20)).ok();
  }

  static void chown(Path p, int uid, int gid) throws IOException {
    Files.setAttribute(p, "unix:uid", uid);
    Files.setAttribute(p, "unix:gid", gid);
  }

  static int mode(Path p) throws IOException { return (Integer) Files.getAttribute(p, "unix:mode") & 07777; }

  /** The probe's {@code OK name: ...} / {@code FAIL name: ...} lines by name. */
  static Map<String, String> results(String out) {
    Map<String, String> m = new HashMap<>();
    for (String l : out.split("\n")) {
      if (!l.startsWith("OK ") && !l.startsWith("FAIL ")) continue;
      int sp = l.indexOf(' '), colon = l.indexOf(':');
      m.put(l.substring(sp + 1, colon < 0 ? l.length() : colon), l);
    }
    return m;
  }

  /** Each check printed {@code OK name:} (the probe's whole output is on stdout above). */
  static void expectOk(SoftAssertions soft, Map<String, String> results, String... names) {
    for (String n : names) soft.assertThat(results.getOrDefault(n, "no line for " + n)).as("check %s", n).startsWith("OK " + n + ":");
  }

  /** WARN and ERROR lines of a server log (printed, and asserted to be absent where the test says so). */
  static List<String> problems(Lab.Server s) throws IOException {
    return s.log().lines().filter(l -> l.contains(" ERROR ") || l.contains(" WARN ")).toList();
  }

  static Lab.Result probe(Lab lab, Duration timeout, String... args) throws IOException {
    Lab.Result r = lab.execJava(timeout, PROBE, args);
    System.out.println("---- " + PROBE + " " + args[0] + " (exit " + r.exit() + ")\n" + r.stdout() + r.stderr());
    return r;
  }

  /**
   * Checks 1 to 6 of the issue and three kernel-enforced refusals seen on the wire: set-id bits and
   * squashed ids, a FIFO's calls answered, reserved ports, and replies replayed from the
   * duplicate-request cache.
   */
  @Test void setIdBitsFifosReservedPortsAndTheDuplicateRequestCache() throws Exception {
    try (Lab lab = Lab.create("nfs-core")) {
      Path squash = dir(lab.out.resolve("squash"), 0777), core = dir(lab.out.resolve("core"), 0777);
      Path secure = dir(lab.out.resolve("secure"), 0755), insecure = dir(lab.out.resolve("insecure"), 0755);
      Path acl = dir(core.resolve("acl"), 0755);
      Path secret = Files.writeString(acl.resolve("secret"), "acl secret\n");
      chown(secret, 1000, 1000);
      Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
      PosixAcl.set(secret, PosixAcl.Entry.of(PosixAcl.USER_OBJ, 6), new PosixAcl.Entry(PosixAcl.USER, 0, 1001),
          PosixAcl.Entry.of(PosixAcl.GROUP_OBJ, 4), PosixAcl.Entry.of(PosixAcl.MASK, 4), PosixAcl.Entry.of(PosixAcl.OTHER, 4));
      dir(core.resolve("sticky"), 01777);
      dir(core.resolve("links"), 0777);
      String hardlinks = Files.readString(Path.of("/proc/sys/fs/protected_hardlinks")).trim();
      System.out.println("server host fs.protected_hardlinks = " + hardlinks);
      assertThat(hardlinks).as("fs.protected_hardlinks on the server host (the hard-link check needs 1)").isEqualTo("1");
      Path exports = lab.out.resolve("exports");
      Files.writeString(exports, String.join("\n",
          "# set-id bits and squashed ids (checks 1, 3): root_squash and secure are the defaults",
          squash + " *(rw,root_squash)",
          "# set-id cleared on write, FIFOs, the duplicate-request cache, ACL / sticky / hard links",
          core + " *(rw,no_root_squash)",
          "# reserved ports (check 5)",
          secure + " *(rw,no_root_squash,secure)",
          insecure + " *(rw,no_root_squash,insecure)",
          ""));
      Lab.Server server = lab.startServer("--exports", exports.toString(), "--state-dir", lab.out.resolve("state").toString(), "--mac", MAC);
      Lab.Result r = probe(lab, Duration.ofSeconds(180), "checks", "host=" + STACK_IP, "squash=" + squash, "core=" + core,
          "secure=" + secure, "insecure=" + insecure);
      String out = r.stdout() + r.stderr();
      Map<String, String> res = results(out);
      SoftAssertions soft = new SoftAssertions();
      expectOk(soft, res, "setid-squashed", "setid-cleared-on-write", "no-chgrp-to-0", "fifo-calls-answer",
          "secure-port.mount-from-1024-up-refused", "secure-port.nfs-from-1024-up-refused", "secure-port.nfs-from-reserved-served",
          "secure-port.insecure-export-served-from-1024-up", "drc-replay.remove-same-connection", "drc-replay.remove-new-xid-runs",
          "drc-replay.remove-new-connection", "drc-replay.rename-not-clobbered", "acl-denies-over-wire", "sticky-over-wire",
          "hardlink-over-wire");
      soft.assertThat(out).as("probe output").contains("ALL OK");

      // the same changes seen on the server's disk
      Path byMinus1 = squash.resolve("setid-by-minus1");
      soft.assertThat(byMinus1).as("check 1: the file made as uid 4294967295").exists();
      if (Files.exists(byMinus1)) {
        soft.assertThat(Files.getAttribute(byMinus1, "unix:uid")).as("check 1: owner on disk").isEqualTo(65534);
        soft.assertThat(mode(byMinus1) & 06000).as("check 1: set-id bits on disk, mode 0%o", mode(byMinus1)).isZero();
      }
      Path victim = core.resolve("setid-victim");
      soft.assertThat(mode(victim)).as("check 2: mode on disk after 1001's write").isEqualTo(0777);
      soft.assertThat(Files.getAttribute(squash.resolve("chgrp-mine"), "unix:gid")).as("check 3: group on disk").isNotEqualTo(0);
      soft.assertThat(core.resolve("links/by1001")).as("hard link by 1001").doesNotExist();
      soft.assertThat(Files.readString(secret)).isEqualTo("acl secret\n");
      List<String> problems = problems(server);
      System.out.println("server WARN/ERROR lines:\n" + String.join("\n", problems));
      soft.assertThat(problems).as("server log %s", server.log).noneMatch(l -> l.contains(" ERROR "));
      soft.assertAll();
    }
  }

  /**
   * Check 7: for {@code tapnfs.race.seconds} (60) one connection keeps swapping a directory of
   * the export with a symlink to a directory outside it, while three others look up, list, read
   * and create through whatever the name is at that moment. Nothing outside may be seen or made.
   */
  @Test void aDirectorySwappedWithASymlinkNeverLeadsOutOfTheExport() throws Exception {
    int seconds = Integer.getInteger("tapnfs.race.seconds", 60);
    try (Lab lab = Lab.create("nfs-race")) {
      Path export = dir(lab.out.resolve("race"), 0755);
      Path outside = dir(lab.out.resolve("outside").resolve("sentinel-dir"), 0777);
      Path sentinel = Files.writeString(outside.resolve("sentinel"), "SENTINEL outside the export\n");
      Path exports = lab.out.resolve("exports");
      Files.writeString(exports, "# the race: root of the client is root here, the strongest caller\n" + export + " *(rw,no_root_squash)\n");
      Lab.Server server = lab.startServer("--exports", exports.toString(), "--state-dir", lab.out.resolve("state").toString(), "--mac", MAC);
      Lab.Result r = probe(lab, Duration.ofSeconds(seconds + 120L), "race", "host=" + STACK_IP, "export=" + export,
          "outside=" + outside.toAbsolutePath(), "sentinelIno=" + Files.getAttribute(sentinel, "unix:ino"),
          "outsideIno=" + Files.getAttribute(outside, "unix:ino"), "seconds=" + seconds);
      String out = r.stdout() + r.stderr();
      SoftAssertions soft = new SoftAssertions();
      expectOk(soft, results(out), "race.ran", "race");
      try (Stream<Path> s = Files.list(outside)) {
        soft.assertThat(s.map(p -> p.getFileName().toString()).toList()).as("the outside directory afterwards").containsExactly("sentinel");
      }
      soft.assertThat(Files.readString(sentinel)).isEqualTo("SENTINEL outside the export\n");
      List<String> problems = problems(server);
      System.out.println("server WARN/ERROR lines:\n" + String.join("\n", problems));
      soft.assertThat(problems).as("server log %s", server.log).noneMatch(l -> l.contains(" ERROR "));
      soft.assertAll();
    }
  }

  /**
   * Check 8: on a sync export (the default) a CREATE, a RENAME and a SETATTR are on the server's
   * disk when their reply arrives: the probe SIGKILLs tapnfs right after each reply, the test
   * restarts it (same state directory, same exports) and finds the change on disk, and the next
   * probe step finds it over NFS through the handles from before the restart.
   */
  @Test void syncChangesAreThereAfterASigkillRightAfterTheReply() throws Exception {
    try (Lab lab = Lab.create("nfs-sync")) {
      Path export = dir(lab.out.resolve("sync"), 0755);
      Path exports = lab.out.resolve("exports");
      Files.writeString(exports, "# no sync/async option: sync is the default (exports(5))\n" + export + " *(rw,no_root_squash)\n");
      String[] args = {"--exports", exports.toString(), "--state-dir", lab.out.resolve("state").toString(), "--mac", MAC};
      Lab.Server server = lab.startServer(args);
      StringBuilder all = new StringBuilder();
      String root = null, file = null;
      for (int step = 1; step <= 4; step++) {
        List<String> a = new ArrayList<>(List.of("sync", "host=" + STACK_IP, "export=" + export, "step=" + step, "pid=" + server.process.pid()));
        if (step > 1) a.addAll(List.of("root=" + root, "file=" + file));
        Lab.Result r = probe(lab, Duration.ofSeconds(60), a.toArray(String[]::new));
        all.append(r.stdout()).append(r.stderr());
        if (step == 1) {
          for (String l : r.stdout().split("\n")) {
            if (l.startsWith("HANDLE root ")) root = l.substring(12);
            if (l.startsWith("HANDLE file ")) file = l.substring(12);
          }
          assertThat(file).as("handles from step 1:%n%s", r.stdout()).isNotNull();
        }
        if (step == 4) break;
        assertThat(server.process.waitFor(20, TimeUnit.SECONDS)).as("tapnfs killed by the probe after step %d", step).isTrue();
        assertThat(server.process.exitValue()).as("tapnfs's exit: SIGKILL").isEqualTo(128 + 9);
        server = lab.startServer(args);
        switch (step) {
          case 1 -> assertThat(export.resolve("durable")).as("CREATE on disk after SIGKILL").exists();
          case 2 -> {
            assertThat(export.resolve("durable")).as("RENAME on disk: the old name").doesNotExist();
            assertThat(export.resolve("renamed")).as("RENAME on disk: the new name").exists();
          }
          default -> assertThat(mode(export.resolve("renamed"))).as("SETATTR mode 0600 on disk").isEqualTo(0600);
        }
      }
      String out = all.toString();
      SoftAssertions soft = new SoftAssertions();
      expectOk(soft, results(out), "sync-kill.create-replied", "sync-kill.rename-replied", "sync-kill.setattr-replied",
          "sync-kill.handles-survive-1", "sync-kill.handles-survive-2", "sync-kill.handles-survive-3", "sync-kill.rename-seen-over-nfs",
          "sync-kill.mode-seen-over-nfs");
      soft.assertThat(out).doesNotContain("FAIL ");
      soft.assertAll();
    }
  }

  /**
   * Checks 9 to 12 with the Linux client in the guest, as ordinary users through su, one boot: a
   * POSIX ACL set on the server host, a sticky directory, protected_hardlinks of the server host
   * (the guest's own is turned off, so that only the server can refuse), and a 10 000-entry
   * directory listed while the server host creates and removes other entries in it.
   */
  @Test void aLinuxClientMeetsAclsStickyDirsProtectedHardlinksAndAStableListing() throws Exception {
    try (Lab lab = Lab.create("nfs-core-guest")) {
      Path export = dir(lab.out.resolve("export"), 0755);
      Path secret = Files.writeString(dir(export.resolve("acl"), 0755).resolve("secret"), "acl secret\n");
      chown(secret, 1000, 1000);
      Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-rw-rw-"));
      PosixAcl.set(secret, PosixAcl.Entry.of(PosixAcl.USER_OBJ, 6), new PosixAcl.Entry(PosixAcl.USER, 0, 1001),
          PosixAcl.Entry.of(PosixAcl.GROUP_OBJ, 6), PosixAcl.Entry.of(PosixAcl.MASK, 6), PosixAcl.Entry.of(PosixAcl.OTHER, 6));
      dir(export.resolve("sticky"), 01777);
      Path links = dir(export.resolve("links"), 0777);
      Path private1000 = Files.writeString(links.resolve("p1000"), "private\n");
      chown(private1000, 1000, 1000);
      Files.setPosixFilePermissions(private1000, PosixFilePermissions.fromString("rw-------"));
      String hardlinks = Files.readString(Path.of("/proc/sys/fs/protected_hardlinks")).trim();
      System.out.println("server host fs.protected_hardlinks = " + hardlinks);
      assertThat(hardlinks).as("fs.protected_hardlinks on the server host (check 11 needs 1)").isEqualTo("1");
      Path big = dir(export.resolve("big"), 0755);
      int n = 10_000;
      for (int i = 0; i < n; i++) Files.createFile(big.resolve(String.format("e%05d", i)));
      dir(export.resolve("out"), 0777);
      Path exports = lab.out.resolve("exports");
      Files.writeString(exports, "# root_squash and secure: the defaults; the guest's root is nobody here\n" + export + " *(rw)\n");
      lab.startServer("--exports", exports.toString(), "--state-dir", lab.out.resolve("state").toString(), "--mac", MAC);

      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong churned = new AtomicLong();
      Thread churn = new Thread(() -> {
        try {
          for (long i = 0; !stop.get(); i++) {                 // other entries come and go while the guest lists
            Files.createFile(big.resolve("churn-" + i));
            if (i >= 50) Files.delete(big.resolve("churn-" + (i - 50)));
            churned.incrementAndGet();
            Thread.sleep(2);                                   // pacing a load generator on a busy 2-core host
          }
        } catch (IOException | InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }, "churn");
      churn.start();
      Guest.Run run;
      try {
        run = Guest.run(lab, "nfs-core", String.join("\n",
            "set -e",
            "printf 'root:x:0:0::/root:/bin/sh\\nu1000:x:1000:1000::/tmp:/bin/sh\\nu1001:x:1001:1001::/tmp:/bin/sh\\nu1002:x:1002:1002::/tmp:/bin/sh\\n' > /etc/passwd",
            "printf 'root:x:0:\\ng1000:x:1000:\\ng1001:x:1001:\\ng1002:x:1002:\\n' > /etc/group",
            "echo 0 > /proc/sys/fs/protected_hardlinks",     // only the server may refuse the link
            "echo guest protected_hardlinks $(cat /proc/sys/fs/protected_hardlinks)",
            "mkdir -p /mnt",
            "mount -t nfs -o vers=3,proto=tcp,nolock,addr=" + STACK_IP + " " + STACK_IP + ":" + export + " /mnt",
            "ls -ln /mnt/acl/secret",
            // 9. ACL: 1001 is denied what the mode bits (0666) allow; 1002 reads
            "if su u1001 -c 'cat /mnt/acl/secret'; then echo ACL-READ-BY-1001; else echo acl-1001-denied; fi",
            "su u1002 -c 'cat /mnt/acl/secret' | sed 's/^/as-1002: /'",
            // 10. sticky directory
            "su u1000 -c 'echo f > /mnt/sticky/f1000; echo g > /mnt/sticky/g1000'",
            "if su u1001 -c 'rm -f /mnt/sticky/f1000'; then echo STICKY-RM-BY-OTHER; else echo sticky-rm-denied; fi",
            "if su u1001 -c 'mv /mnt/sticky/g1000 /mnt/sticky/stolen'; then echo STICKY-MV-BY-OTHER; else echo sticky-mv-denied; fi",
            "su u1000 -c 'mv /mnt/sticky/g1000 /mnt/sticky/h1000 && rm /mnt/sticky/f1000' && echo sticky-owner-ok",
            // 11. protected_hardlinks of the server host
            "if su u1001 -c 'ln /mnt/links/p1000 /mnt/links/by1001'; then echo HARDLINK-BY-OTHER; else echo hardlink-denied; fi",
            // 12. a 10 000-entry directory listed while entries come and go
            // busybox ls sorts (never merging duplicates) and stats each name: churn entries gone by then are
            // errors, and left out
            "ls -1a /mnt/big > /mnt/out/listing 2> /tmp/ls-errors || echo ls exit $?",
            "sed 's/^/ls-error: /' /tmp/ls-errors",
            "echo listed $(wc -l < /mnt/out/listing)",
            "umount /mnt",
            "echo guest-core-ok",
            ""), Duration.ofSeconds(300));
      } finally {
        stop.set(true);
        churn.join(10_000);
      }
      String out = run.output();
      System.out.println("---- guest\n" + out);
      assertThat(run.exit()).as("guest output:%n%s%nconsole:%n%s", out, run.console()).isZero();
      SoftAssertions soft = new SoftAssertions();
      soft.assertThat(out).contains("guest protected_hardlinks 0", "acl-1001-denied", "as-1002: acl secret", "sticky-rm-denied",
          "sticky-mv-denied", "sticky-owner-ok", "hardlink-denied", "guest-core-ok");
      soft.assertThat(out).doesNotContain("ACL-READ-BY-1001").doesNotContain("STICKY-RM-BY-OTHER").doesNotContain("STICKY-MV-BY-OTHER")
          .doesNotContain("HARDLINK-BY-OTHER");
      soft.assertThat(export.resolve("sticky/h1000")).exists();
      soft.assertThat(export.resolve("sticky/stolen")).doesNotExist();
      soft.assertThat(export.resolve("links/by1001")).doesNotExist();
      List<String> lsErrors = out.lines().filter(l -> l.startsWith("ls-error: ")).toList();
      soft.assertThat(lsErrors).as("ls errors other than churn entries gone before ls stat'ed them")
          .allMatch(l -> l.matches("ls-error: ls: /mnt/big/churn-\\d+: No such file or directory"));

      List<String> listing = Files.readAllLines(export.resolve("out/listing"), StandardCharsets.UTF_8);
      Map<String, Integer> seen = new HashMap<>();
      List<String> strangers = new ArrayList<>();
      long churnSeen = 0;
      for (String name : listing) {
        if (name.matches("e\\d{5}")) seen.merge(name, 1, Integer::sum);
        else if (name.startsWith("churn-")) churnSeen++;
        else if (!name.equals(".") && !name.equals("..")) strangers.add(name);
      }
      System.out.printf("listing: %d lines, %d of the %d entries, %d churn entries listed and %d read but gone before ls stat'ed them;"
          + " the host made %d churn entries meanwhile%n", listing.size(), seen.size(), n, churnSeen, lsErrors.size(), churned.get());
      List<String> missing = new ArrayList<>(), twice = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String e = String.format("e%05d", i);
        int c = seen.getOrDefault(e, 0);
        if (c == 0) missing.add(e);
        if (c > 1) twice.add(e + " x" + c);
      }
      soft.assertThat(missing).as("entries the listing missed").isEmpty();
      soft.assertThat(twice).as("entries the listing repeated").isEmpty();
      soft.assertThat(strangers).as("names that were never in the directory").isEmpty();
      soft.assertThat(churned.get()).as("entries created meanwhile on the host").isPositive();
      soft.assertAll();
    }
  }
}
