package io.tapnfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Without a bridge: tapnfs creates its own tap, brings it up and, with --host-address, gives the
 * kernel's side an address — all inside a namespace the test made — and the kernel pings it.
 */
@Timeout(300)
class HostAddressIT {
  @Test void createsTheTapAndConfiguresTheKernelSide() throws IOException {
    try (Lab lab = Lab.bare("hostaddr")) {
      Lab.Server server = lab.startServer(java.util.List.of("ip", "netns", "exec", lab.ns, "java", "-jar",
          Lab.jar().toString(), "serve", "--tap", "tnx0", "--ip", "10.78.0.2/24", "--host-address", "10.78.0.1/24",
          "--mtu", "9000"));
      // default control socket under /run/tapnfs: `tapnfs stat` finds the one server by itself
      String stat = Lab.run(java.util.List.of("java", "-jar", Lab.jar().toString(), "stat"), java.time.Duration.ofSeconds(60))
          .ok().stdout();
      assertThat(stat).contains("tnx0: mtu 9000").contains("inet 10.78.0.2/24");
      String link = lab.exec("ip", "-o", "addr", "show", "dev", "tnx0").ok().stdout();
      assertThat(link).contains("10.78.0.1/24");
      assertThat(lab.exec("cat", "/sys/class/net/tnx0/mtu").ok().stdout().trim()).isEqualTo("9000");
      assertThat(lab.exec("ping", "-c", "2", "-i", "0.2", "-W", "2", "-s", "8900", "-M", "do", "10.78.0.2").ok().stdout())
          .contains("2 received");
      assertThat(server.stop()).isZero();
      assertThat(server.log()).contains("tapnfs: stopped");
      // the tap was ours, not persistent: it is gone with the process
      assertThat(lab.exec("ip", "link", "show", "tnx0").exit()).isNotZero();
    }
  }
}
