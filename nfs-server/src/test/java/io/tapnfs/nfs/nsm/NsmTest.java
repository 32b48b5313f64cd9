package io.tapnfs.nfs.nsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapnfs.netstack.ManualClock;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The monitor without the network: start, grace, monitor records, SM_NOTIFY to ClientReboots. */
class NsmTest {
  static final Inet4Address A = ip("10.77.0.3"), B = ip("10.77.0.4"), STRANGER = ip("10.77.0.99");

  @TempDir Path stateDir;
  final ManualClock clock = new ManualClock();
  final List<String> reboots = new ArrayList<>();

  static Inet4Address ip(String s) { return (Inet4Address) Ipv4Address.parse(s).toInet(); }

  Nsm open() throws IOException {
    Nsm n = Nsm.open(stateDir, "10.77.0.2", Nsm.Settings.defaults(), clock);
    n.clientReboots((host, address) -> reboots.add(host + "@" + address.getHostAddress()));
    return n;
  }

  @Test void noGracePeriodWhenNoClientHeldLocks() throws IOException {
    Nsm n = open();
    assertThat(n.state()).isEqualTo(1);
    assertThat(n.grace().active(clock.nanos())).isFalse();
    assertThat(n.counters()).containsEntry("graceActive", 0L).containsEntry("notifyPending", 0L);
  }

  @Test void aGracePeriodOf90SecondsWhenClientsOfBeforeMayReclaim() throws IOException {
    open().monitor("guest", A);
    Nsm n = open();
    assertThat(n.state()).isEqualTo(3);
    assertThat(n.toNotify()).containsExactly(new MonitorRecord("guest", A));
    assertThat(n.grace().active(clock.nanos())).isTrue();
    assertThat(n.counters()).containsEntry("graceActive", 1L).containsEntry("notifyPending", 1L);
    clock.advance(Duration.ofSeconds(89));
    assertThat(n.grace().active(clock.nanos())).isTrue();
    clock.advance(Duration.ofSeconds(1));
    assertThat(n.grace().active(clock.nanos())).isFalse();
  }

  @Test void monitorRecordsOnceAndCounts() throws IOException {
    Nsm n = open();
    n.monitor("guest", A);
    n.monitor("guest", A);
    assertThat(n.monitored()).containsExactly(new MonitorRecord("guest", A));
    assertThat(n.counter(NsmStat.MONITORED)).isEqualTo(1);
    assertThat(n.unmonitor("GUEST")).isTrue();
    assertThat(n.unmonitor("guest")).isFalse();
    assertThat(n.counter(NsmStat.UNMONITORED)).isEqualTo(1);
  }

  @Test void monitorRefusesWhatItCannotRecord() throws Exception {
    Nsm n = open();
    assertThatThrownBy(() -> n.monitor("v6", InetAddress.getByName("::1"))).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> n.monitor("", A)).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> n.monitor("x".repeat(1025), A)).isInstanceOf(IOException.class);
    Nsm small = Nsm.open(stateDir, "10.77.0.2", Nsm.Settings.defaults().withMaxClients(1), clock);
    small.monitor("a", A);
    assertThatThrownBy(() -> small.monitor("b", B)).isInstanceOf(NsmStore.Full.class);
    assertThat(small.counter(NsmStat.MONITOR_REFUSED)).isEqualTo(1);
  }

  @Test void smNotifyFromAMonitoredClientReleasesItsLocksOncePerState() throws IOException {
    Nsm n = open();
    n.monitor("guest", A);
    assertThat(n.clientRestarted("guest", 7, A)).isEqualTo(1);
    assertThat(reboots).containsExactly("guest@10.77.0.3");
    assertThat(n.clientRestarted("GUEST", 7, A)).isZero();                  // a retransmission
    assertThat(n.counter(NsmStat.NOTIFY_DUPLICATE)).isEqualTo(1);
    assertThat(n.clientRestarted("guest", 9, A)).isEqualTo(1);              // it restarted again
    assertThat(reboots).hasSize(2);
    assertThat(n.counter(NsmStat.CLIENT_REBOOTS)).isEqualTo(2);
    assertThat(n.monitored()).containsExactly(new MonitorRecord("guest", A)); // kept until NLM unmonitors
  }

  /** statd matches by name or by the caller's address: a client may notify under another name. */
  @Test void smNotifyMatchesByNameOrByAddress() throws IOException {
    Nsm n = open();
    n.monitor("guest", A);
    n.monitor("other", B);
    assertThat(n.clientRestarted("guest.example", 3, A)).isEqualTo(1);       // by address
    assertThat(n.clientRestarted("other", 5, STRANGER)).isEqualTo(1);        // by name
    assertThat(reboots).containsExactly("guest@10.77.0.3", "other@10.77.0.99");
  }

  @Test void smNotifyFromAHostNotMonitoredIsIgnored() throws IOException {
    Nsm n = open();
    n.monitor("guest", A);
    assertThat(n.clientRestarted("stranger", 3, STRANGER)).isZero();
    assertThat(reboots).isEmpty();
    assertThat(n.counter(NsmStat.NOTIFY_UNMONITORED)).isEqualTo(1);
  }

  @Test void aFailingLockManagerDoesNotStopTheOthers() throws IOException {
    Nsm n = open();
    n.monitor("a", A);
    n.monitor("b", A);
    n.clientReboots((host, address) -> {
      reboots.add(host);
      throw new IllegalStateException("boom");
    });
    assertThat(n.clientRestarted("x", 3, A)).isEqualTo(2);
    assertThat(reboots).containsExactly("a", "b");
  }
}
