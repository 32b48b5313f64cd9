package io.tapnfs.nfs.nsm;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapnfs.netstack.ManualClock;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import java.io.IOException;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The notifier on a manual clock and scheduler, with a statd that answers when told to. */
class NsmNotifierTest {
  static final Inet4Address A = ip("10.77.0.3"), B = ip("10.77.0.4");

  @TempDir Path stateDir;
  final ManualClock clock = new ManualClock();
  final ManualScheduler scheduler = new ManualScheduler(clock);
  final List<String> calls = new ArrayList<>();

  static Inet4Address ip(String s) { return (Inet4Address) Ipv4Address.parse(s).toInet(); }

  /** A restart with {@code clients} recorded before it. */
  Nsm restartedWith(String... clients) throws IOException {
    Nsm before = Nsm.open(stateDir, "10.77.0.2", Nsm.Settings.defaults(), clock);
    for (int i = 0; i < clients.length; i++) before.monitor(clients[i], i == 0 ? A : B);
    return Nsm.open(stateDir, "10.77.0.2", Nsm.Settings.defaults(), clock);
  }

  /** A statd that fails its first {@code failures} calls per client, then answers. */
  NsmNotifier.StatdCaller statd(int failures) {
    return (client, change) -> {
      calls.add(client.getHostAddress() + " " + change.monName() + " " + change.state());
      if (calls.stream().filter(c -> c.startsWith(client.getHostAddress() + " ")).count() <= failures)
        throw new TimeoutException("no answer");
    };
  }

  Path smBak() { return stateDir.resolve("nsm/sm.bak"); }

  @Test void eachClientIsToldOurNameAndNewStateAndItsRecordGoes() throws IOException {
    Nsm n = restartedWith("a", "b");
    NsmNotifier notifier = n.startNotifier(statd(0), scheduler);
    assertThat(scheduler.runAll(10)).isEqualTo(2);
    assertThat(calls).containsExactlyInAnyOrder("10.77.0.3 10.77.0.2 3", "10.77.0.4 10.77.0.2 3");
    assertThat(n.counter(NsmStat.NOTIFY_SENT)).isEqualTo(2);
    assertThat(notifier.pending()).isZero();
    assertThat(n.toNotify()).isEmpty();
    assertThat(Files.list(smBak())).isEmpty();
    assertThat(scheduler.ran).containsOnly(Duration.ZERO);
  }

  @Test void aFailedAttemptIsRetriedWithBackoff() throws IOException {
    Nsm n = restartedWith("a");
    n.startNotifier(statd(3), scheduler);
    scheduler.runAll(10);
    assertThat(scheduler.ran).containsExactly(Duration.ZERO, Duration.ofSeconds(2), Duration.ofSeconds(6), Duration.ofSeconds(14));
    assertThat(n.counter(NsmStat.NOTIFY_FAILED)).isEqualTo(3);
    assertThat(n.counter(NsmStat.NOTIFY_SENT)).isEqualTo(1);
    assertThat(n.toNotify()).isEmpty();
  }

  @Test void aClientThatNeverAnswersIsGivenUpOnAndToldAfterTheNextStart() throws IOException {
    Nsm n = restartedWith("a");
    NsmNotifier notifier = n.startNotifier(statd(Integer.MAX_VALUE), scheduler);
    scheduler.runAll(100);
    assertThat(scheduler.ran).hasSize(13).last().isEqualTo(Duration.ofSeconds(846));
    assertThat(n.counter(NsmStat.NOTIFY_FAILED)).isEqualTo(13);
    assertThat(n.counter(NsmStat.NOTIFY_GAVE_UP)).isEqualTo(1);
    assertThat(notifier.pending()).isZero();
    assertThat(n.counters()).containsEntry("notifyPending", 0L);
    Nsm next = Nsm.open(stateDir, "10.77.0.2", Nsm.Settings.defaults(), clock);
    assertThat(next.state()).isEqualTo(5);
    assertThat(next.toNotify()).containsExactly(new MonitorRecord("a", A));
  }

  @Test void anUnexpectedErrorCountsAsAFailedAttempt() throws IOException {
    Nsm n = restartedWith("a");
    int[] k = {0};
    n.startNotifier((client, change) -> {
      if (k[0]++ == 0) throw new IllegalStateException("bug");
    }, scheduler);
    scheduler.runAll(10);
    assertThat(n.counter(NsmStat.NOTIFY_FAILED)).isEqualTo(1);
    assertThat(n.counter(NsmStat.NOTIFY_SENT)).isEqualTo(1);
  }

  @Test void closingStopsTheRetries() throws IOException {
    Nsm n = restartedWith("a");
    n.startNotifier(statd(Integer.MAX_VALUE), scheduler);
    scheduler.runNext();
    assertThat(scheduler.queued()).isEqualTo(1);
    n.close();
    assertThat(scheduler.closed).isTrue();
    assertThat(scheduler.queued()).isZero();
    assertThat(n.toNotify()).hasSize(1);                                      // stays for the next start
  }

  @Test void nothingToDoWhenNoClientHeldLocks() throws IOException {
    Nsm n = Nsm.open(stateDir, "10.77.0.2", Nsm.Settings.defaults(), clock);
    n.startNotifier(statd(0), scheduler);
    assertThat(scheduler.queued()).isZero();
  }
}
