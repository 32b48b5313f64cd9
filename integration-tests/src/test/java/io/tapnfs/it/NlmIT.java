package io.tapnfs.it;

import static io.tapnfs.it.Lab.STACK_IP;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Linux client locking through tapnfs (NLM v4 and the NSM): the guest mounts with the default
 * options (locking on; its lockd finds NLM and the status monitor through tapnfs's rpcbind) and its
 * processes take fcntl locks with lab/tools/lockprobe ({@code locked <ms>} / {@code busy <ms>}) and
 * flock(1). Covers a blocked lock granted when the holder unlocks, shared and exclusive
 * ranges, flock, the reclaim of a held lock after tapnfs restarts (SM_NOTIFY to the guest's
 * statd, grace), and a client reboot releasing the locks of its previous boot (sm-notify from the
 * guest). Needs root and the guest (lab/build-guest.sh).
 */
@Timeout(900)
class NlmIT {
  static final String MOUNT = "mkdir -p /mnt && mount -t nfs -o vers=3,addr=" + STACK_IP + " " + STACK_IP + ":%s /mnt";

  /** A script line: waits (SECONDS at most) until FILE contains WORD, else prints FILE and exits 8. */
  static String await(String file, String word, int seconds) {
    return "i=0; until grep -q '" + word + "' " + file + " 2>/dev/null; do i=$((i+1)); [ $i -lt " + seconds * 10
        + " ] || { echo 'waited for " + word + " in " + file + "'; cat " + file + "; exit 8; }; sleep 0.1; done";
  }

  static String uptime(String label) { return "echo " + label + " $(cut -d' ' -f1 /proc/uptime)"; }

  static CompletableFuture<Guest.Run> boot(Lab lab, String name, String script) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return Guest.run(lab, name, script, Duration.ofSeconds(420));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  static void awaitFile(Path p, CompletableFuture<Guest.Run> guest) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (!Files.exists(p)) {
      if (guest.isDone()) {
        Guest.Run r = guest.get();
        throw new AssertionError("guest ended (" + r.exit() + ") before " + p.getFileName() + ":\n" + r.output() + "\nconsole:\n" + r.console());
      }
      assertThat(System.nanoTime()).as("guest wrote " + p.getFileName()).isLessThan(deadline);
      Thread.sleep(100);                                     // polling a file the guest writes: no event to wait on
    }
  }

  static Guest.Run ok(Guest.Run run) {
    assertThat(run.exit()).as("guest output:%n%s%nconsole:%n%s", run.output(), run.console()).isZero();
    return run;
  }

  static double number(String out, String regex) {
    Matcher m = Pattern.compile(regex).matcher(out);
    assertThat(m.find()).as("/%s/ in the guest output:%n%s", regex, out).isTrue();
    return Double.parseDouble(m.group(1));
  }

  static String stat(Lab.Server s) throws IOException {
    return Lab.run(List.of("java", "-jar", Lab.jar().toString(), "stat", "--control", s.control.toString()),
        Duration.ofSeconds(60)).ok().stdout();
  }

  static Path export(Lab lab) throws IOException {
    Path export = lab.out.resolve("export");
    Files.createDirectories(export);
    Files.writeString(lab.out.resolve("exports"), export + " *(rw,no_root_squash)\n");
    return export;
  }

  static String[] serverArgs(Lab lab, String... more) {
    List<String> a = new java.util.ArrayList<>(List.of("--exports", lab.out.resolve("exports").toString(),
        "--state-dir", lab.out.resolve("state").toString()));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  /**
   * Two processes contend for one range: the second blocks and is granted when the first unlocks
   * (long before the client's 30 s re-poll; see below for where it waits); a try lock meanwhile
   * is refused; two read locks share a range that a write lock then cannot take; flock(1) works and
   * a second flock -n is refused while the first holds.
   */
  @Test void processesOfTheGuestContendThroughTapnfs() throws Exception {
    try (Lab lab = Lab.create("nlm")) {
      Path export = export(lab);
      Lab.Server server = lab.startServer(serverArgs(lab));
      Guest.Run run = ok(Guest.run(lab, "nlm", String.join("\n",
          "set -e",
          Guest.AWAIT_STATD,
          String.format(MOUNT, export),
          "grep ' /mnt ' /proc/mounts",
          ": > /mnt/f",
          // 1. P1 holds [0,100) for 6 s; P2 wants [50,60) and waits
          "lockprobe /mnt/f 0 100 w wait 6 > /tmp/p1 2>&1 & p1=$!",
          await("/tmp/p1", "locked", 60),
          uptime("p1-locked-at"),
          "echo \"try-while-held $(lockprobe /mnt/f 40 20 w try 0 || true)\"",
          uptime("p2-start-at"),
          "echo \"p2 $(lockprobe /mnt/f 50 10 w wait 0 | head -n 1)\"",
          uptime("p2-done-at"),
          "wait $p1; echo \"p1 $(tr '\\n' ' ' < /tmp/p1)\"",
          // shared ranges
          "lockprobe /mnt/f 0 100 r wait 5 > /tmp/r1 2>&1 & r1=$!",
          await("/tmp/r1", "locked", 60),
          "echo \"read2 $(lockprobe /mnt/f 0 100 r try 0 | head -n 1 || true)\"",
          "echo \"write-while-read $(lockprobe /mnt/f 0 100 w try 0 || true)\"",
          "wait $r1",
          "echo \"write-after-read $(lockprobe /mnt/f 0 100 w try 0 | head -n 1 || true)\"",
          // 2. flock(1)
          "flock /mnt/g -c 'echo in-flock'",
          "flock /mnt/g -c 'echo held > /tmp/fl; sleep 5' & fl=$!",
          await("/tmp/fl", "held", 60),
          "if flock -n /mnt/g true; then echo SECOND-FLOCK-GRANTED; else echo second-flock-refused; fi",
          "wait $fl",
          "if flock -n /mnt/g true; then echo flock-after-release; else echo FLOCK-STILL-HELD; fi",
          "umount /mnt",
          "echo nlm-ok",
          ""), Duration.ofSeconds(420)));
      String out = run.output();
      System.out.println(out);
      assertThat(out).contains("nlm-ok", "in-flock", "second-flock-refused", "flock-after-release")
          .containsPattern("try-while-held busy \\d+")
          .containsPattern("read2 locked \\d+")
          .containsPattern("write-while-read busy \\d+")
          .containsPattern("write-after-read locked \\d+")
          .doesNotContain("SECOND-FLOCK-GRANTED", "FLOCK-STILL-HELD", "error");
      double p1At = number(out, "p1-locked-at ([0-9.]+)"), p2At = number(out, "p2-start-at ([0-9.]+)");
      double p2Wait = number(out, "p2 locked (\\d+)") / 1000;
      double p1HoldLeft = p1At + 6 - p2At;                   // how long P1 still held the range when P2 asked
      System.out.printf("NlmIT: P2 waited %.2f s for a range P1 held %.2f s more%n", p2Wait, p1HoldLeft);
      assertThat(p1HoldLeft).as("P2 asked while P1 held").isGreaterThan(1);
      assertThat(p2Wait).as("P2 really waited for P1").isGreaterThan(p1HoldLeft - 0.5)
          .as("P2 was granted by tapnfs's callback, not the client's 30 s re-poll").isLessThan(12);
      String stat = stat(server);
      // Two processes of one client meet in the client first: its lockd checks (and with F_SETLKW
      // waits on) its own processes' locks before it asks the server (FL_ACCESS in nlmclnt_lock), so
      // the try locks never reach tapnfs, and P2's LOCK does when P1's lock is gone locally: if that
      // is before P1's UNLOCK reached tapnfs, tapnfs blocks it and hands it over by a GRANTED
      // callback (locksBlocked, waitersGranted, callbackAttempts), else grants it at once. Either
      // way P2 waited no longer than P1 held (the timing above), not the client's 30 s re-poll.
      System.out.println(stat.substring(stat.indexOf("nlm:")));
      assertThat(stat).containsPattern("lockCalls [6-9]").containsPattern("unlockCalls [6-9]")
          .containsPattern("locks 0\\b").containsPattern("waiters 0\\b");
    }
  }

  /**
   * tapnfs restarts while the guest holds a write lock: the restarted tapnfs tells the guest's statd
   * (SM_NOTIFY), whose lockd reclaims the lock in the grace period; after it a try lock from another
   * process is refused (the reclaimed lock still excludes it), and once the holder exits one is
   * granted.
   */
  @Test void aLockHeldAcrossARestartIsReclaimed() throws Exception {
    try (Lab lab = Lab.create("nlm-restart")) {
      Path export = export(lab);
      String[] args = serverArgs(lab, "--grace", "20");
      Lab.Server first = lab.startServer(args);
      CompletableFuture<Guest.Run> guest = boot(lab, "nlm-restart", String.join("\n",
          "set -e",
          Guest.AWAIT_STATD,
          String.format(MOUNT, export),
          ": > /mnt/r",
          "lockprobe /mnt/r 0 100 w wait 240 > /tmp/h 2>&1 & h=$!",
          await("/tmp/h", "locked", 60),
          "touch /mnt/phase1",
          // tapnfs restarts; the hard mount waits for it
          "i=0; until [ -e /mnt/restarted ]; do i=$((i+1)); [ $i -lt 1800 ] || { echo 'no restart'; exit 7; }; sleep 0.1; done",
          uptime("restarted-seen-at"),
          // SM_NOTIFY reaches statd, statd calls lockd back, lockd reclaims
          await("/run/statd.log", "Callback to guest", 120),
          uptime("callback-at"),
          "echo \"try-after-reclaim $(lockprobe /mnt/r 10 10 w try 0 || true)\"",
          uptime("try-done-at"),
          // that try is refused by the client itself (its holder is local); tapnfs's own table is
          // checked by the test meanwhile
          "touch /mnt/reclaimed",
          "i=0; until [ -e /mnt/checked ]; do i=$((i+1)); [ $i -lt 600 ] || { echo 'not checked'; exit 7; }; sleep 0.1; done",
          "kill $h; wait $h || true",
          "echo \"holder $(tr '\\n' ' ' < /tmp/h)\"",
          "echo \"try-after-holder $(lockprobe /mnt/r 10 10 w try 0 | head -n 1 || true)\"",
          "echo '--- statd'; cat /run/statd.log; echo '---'",
          "umount /mnt",
          "echo restart-ok",
          ""));
      awaitFile(export.resolve("phase1"), guest);
      assertThat(stat(first)).containsPattern("locksGranted [1-9]");
      assertThat(first.stop()).isZero();
      long t0 = System.nanoTime();
      Lab.Server second = lab.startServer(args);
      Files.createFile(export.resolve("restarted"));
      awaitFile(export.resolve("reclaimed"), guest);
      String held = "";
      for (long end = System.nanoTime() + Duration.ofSeconds(30).toNanos(); System.nanoTime() < end && !held.matches("(?s).*\\n\\s*locks 1\\n.*"); )
        held = stat(second);                                 // the reclaim runs in the client's lockd, after statd's callback
      double reclaimedAfter = (System.nanoTime() - t0) / 1e9;
      Files.createFile(export.resolve("checked"));
      assertThat(held).as("tapnfs holds the reclaimed lock").containsPattern("\\n\\s*locks 1\\n");
      System.out.println(held.substring(held.indexOf("nlm:")));
      Guest.Run run = ok(guest.get(8, TimeUnit.MINUTES));
      String out = run.output();
      System.out.println(out);
      assertThat(out).contains("restart-ok", "Received SM_NOTIFY from " + STACK_IP)
          .containsPattern("Callback to guest \\(for " + Pattern.quote(STACK_IP) + "\\) succeeded")
          .containsPattern("try-after-reclaim busy \\d+")
          .containsPattern("try-after-holder locked \\d+");
      double callback = number(out, "callback-at ([0-9.]+)") - number(out, "restarted-seen-at ([0-9.]+)");
      double tryMs = number(out, "try-after-reclaim busy (\\d+)");
      System.out.printf("NlmIT: tapnfs held the reclaimed lock %.1f s after its restart%n", reclaimedAfter);
      System.out.printf("NlmIT: restart took %.1f s to the guest; statd's callback %.2f s after it saw the marker; the try answered in %.0f ms%n",
          (System.nanoTime() - t0) / 1e9, callback, tryMs);
      String stat = stat(second);
      System.out.println(stat);
      assertThat(stat).containsPattern("notifySent 1\\b").containsPattern("locksGranted [1-9]");
      assertThat(second.log()).contains("told guest@" + Lab.GUEST_IP + " of our restart");
    }
  }

  /**
   * A client reboot releases the locks of its previous boot: the guest takes a lock and powers off
   * holding it; booted again with the same name, its lock attempt is refused until it tells tapnfs
   * it restarted (sm-notify, with statd's monitor records of the first boot, which the initramfs
   * does not keep: the test carries them over), and then granted at once.
   */
  @Test void aRebootedClientsOldLocksAreReleased() throws Exception {
    try (Lab lab = Lab.create("nlm-reboot")) {
      Path export = export(lab);
      Lab.Server server = lab.startServer(serverArgs(lab));
      Guest.Run first = ok(Guest.run(lab, "nlm-boot1", String.join("\n",
          "set -e",
          Guest.AWAIT_STATD,
          String.format(MOUNT, export),
          ": > /mnt/c",
          "lockprobe /mnt/c 0 100 w wait 600 > /tmp/h 2>&1 &",
          await("/tmp/h", "locked", 60),
          "ls /var/lib/nfs/sm",
          // statd's records, as a reboot would find them on a disk
          "echo '--- sm'; tar -C /var/lib/nfs -cf - sm | base64; echo '--- end'",
          "echo boot1-ok",                                      // and off, the lock still held
          ""), Duration.ofSeconds(300)));
      assertThat(first.output()).contains("boot1-ok", STACK_IP);
      String sm = first.output().split("--- sm\n", 2)[1].split("--- end", 2)[0];
      String stat = stat(server);
      assertThat(stat).containsPattern("locksGranted 1\\b");
      Guest.Run second = ok(Guest.run(lab, "nlm-boot2", String.join("\n",
          "set -e",
          Guest.AWAIT_STATD,
          String.format(MOUNT, export),
          // NLM knows a lock's owner as "svid@host", and the client's lockd numbers owners from 1 at
          // each boot: the first owner of this boot would be the same as the dead one ("1@guest")
          // and share its lock. A holder of another file takes svid 1 first.
          "lockprobe /mnt/other 0 1 w wait 120 > /tmp/o 2>&1 & o=$!",
          await("/tmp/o", "locked", 60),
          "echo \"try-before-notify $(lockprobe /mnt/c 0 100 w try 0 || true)\"",
          "kill $o; wait $o || true",
          "base64 -d > /tmp/sm.tar <<'EOF'",
          sm.strip(),
          "EOF",
          "tar -C /var/lib/nfs -xf /tmp/sm.tar",
          "ls /var/lib/nfs/sm",
          "timeout 60 sm-notify -f -d 2>&1",
          "echo \"try-after-notify $(lockprobe /mnt/c 0 100 w try 0 | head -n 1 || true)\"",
          "umount /mnt",
          "echo boot2-ok",
          ""), Duration.ofSeconds(300)));
      String out = second.output();
      System.out.println(out);
      assertThat(out).contains("boot2-ok")
          .containsPattern("try-before-notify busy \\d+")
          .containsPattern("try-after-notify locked \\d+");
      assertThat(stat(server)).containsPattern("hostsRebooted 1\\b").containsPattern("clientReboots 1\\b");
      assertThat(server.log()).contains("NSM: ", "restarted (SM_NOTIFY from " + Lab.GUEST_IP);
    }
  }
}
