package io.tapnfs.it;

import static io.tapnfs.it.Lab.GUEST_IP;
import static io.tapnfs.it.Lab.STACK_IP;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The status monitor against a Linux client: the guest runs rpcbind and Debian's rpc.statd (its
 * init starts them) and mounts tapnfs with the default options (locking on); a lock attempt has
 * its lockd ask statd to monitor tapnfs (SM_MON), and tapnfs's NLM grants it and records the guest
 * with its own status monitor (nsm/sm/guest). tapnfs restarts while the guest holds the lock, finds
 * the guest's statd through the guest's rpcbind and sends SM_NOTIFY with its new state number;
 * statd matches it to the server it monitors and calls lockd back, which is what starts a client's
 * lock reclaim (NlmIT checks the reclaim itself). Needs root and the guest.
 */
@Timeout(900)
class NsmIT {
  @Test void aRestartedTapnfsNotifiesTheStatdOfAClientThatHeldLocks() throws Exception {
    try (Lab lab = Lab.create("nsm")) {
      Path export = lab.out.resolve("export");
      Files.createDirectories(export);
      Path exports = lab.out.resolve("exports");
      Files.writeString(exports, export + " *(rw,no_root_squash)\n");
      Path state = lab.out.resolve("state");
      String[] args = {"--exports", exports.toString(), "--state-dir", state.toString()};
      Lab.Server first = lab.startServer(args);
      String script = String.join("\n",
          "set -e",
          Guest.AWAIT_STATD,
          "rpcinfo -p",
          "mkdir -p /mnt",
          "mount -t nfs -o vers=3,addr=" + STACK_IP + " " + STACK_IP + ":" + export + " /mnt",
          "grep ' /mnt ' /proc/mounts",
          "echo written-before > /mnt/f",
          // lockd asks statd to monitor the server (SM_MON) before it sends its first NLM call;
          // the lock is held across the restart, so that tapnfs has a client to tell
          "lockprobe /mnt/f 0 0 w wait 300 > /tmp/h 2>&1 & h=$!",
          "i=0; until grep -q locked /tmp/h; do i=$((i+1)); [ $i -lt 300 ] || { cat /tmp/h; exit 8; }; sleep 0.1; done",
          "echo \"holder $(cat /tmp/h)\"",
          "echo monitors $(ls /var/lib/nfs/sm)",
          "touch /mnt/phase1",
          // tapnfs restarts now; its notifier finds statd through our rpcbind and calls SM_NOTIFY,
          // which statd matches to the server it monitors and hands to lockd
          "i=0; until grep -qE 'Callback to|while not monitoring' /run/statd.log; do i=$((i+1)); [ $i -lt 1800 ] || break; sleep 0.1; done",
          "echo '--- statd'; cat /run/statd.log; echo '---'",
          "kill $h; wait $h || true",                         // unlocked: tapnfs unmonitors the guest
          "cat /mnt/f",
          "echo written-after > /mnt/g",
          "umount /mnt",
          "echo nsm-ok",
          "");
      CompletableFuture<Guest.Run> guest = CompletableFuture.supplyAsync(() -> {
        try {
          return Guest.run(lab, "nsm", script, Duration.ofSeconds(600));
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      while (!Files.exists(export.resolve("phase1"))) {
        assertThat(System.nanoTime()).as("guest mounted").isLessThan(deadline);
        assertThat(guest).isNotDone();
        Thread.sleep(100);                                   // polling a file the guest writes: no event to wait on
      }
      assertThat(first.stop()).isZero();
      assertThat(Files.readString(state.resolve("nsm/state"))).isEqualTo("1\n");
      // NLM monitored the guest when it took its lock (the guest's lockd gives its host name,
      // "guest", as caller_name), and the record outlives the stop
      assertThat(Files.readString(state.resolve("nsm/sm/guest"))).contains("name=guest", "address=" + GUEST_IP);
      Lab.Server second = lab.startServer(args);
      Guest.Run run = guest.get(10, TimeUnit.MINUTES);
      assertThat(run.exit()).as("guest output:%n%s%nconsole:%n%s", run.output(), run.console()).isZero();
      String out = run.output();
      assertThat(out).containsPattern("100024\\s+1\\s+udp\\s+\\d+\\s+status")
          .contains("monitors " + STACK_IP, "MONITORING " + STACK_IP + " for guest")              // lockd's SM_MON
          .contains("Received SM_NOTIFY from " + STACK_IP + ", state: 3")
          .contains("Callback to guest (for " + STACK_IP + ") succeeded")                     // on to lockd
          .containsPattern("holder locked \\d+")
          .contains("written-before", "nsm-ok");
      assertThat(Files.readString(export.resolve("g"))).isEqualTo("written-after\n");

      String stat = Lab.run(List.of("java", "-jar", Lab.jar().toString(), "stat", "--control", second.control.toString()),
          Duration.ofSeconds(60)).ok().stdout();
      assertThat(stat).contains("nsm (port 32765):", "state 3 (as " + STACK_IP + ")", "monitored 0", "to notify 0")
          .containsPattern("notifySent 1\\b").containsPattern("notifyGaveUp 0\\b").containsPattern("graceActive [01]\\b");
      assertThat(state.resolve("nsm/sm.bak/guest")).doesNotExist();           // told: its record is gone
      assertThat(Files.readString(state.resolve("nsm/state"))).isEqualTo("3\n");
      assertThat(second.log()).contains("told guest@" + GUEST_IP + " of our restart (state 3)");
    }
  }
}
