package io.tapnfs.it;

import static io.tapnfs.it.Lab.STACK_IP;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A Linux guest on the lab bridge pings tapnfs and talks UDP to its echo service. */
@Timeout(600)
class GuestIT {
  @Test void guestPingsAndEchoesOverTheBridge() throws IOException {
    try (Lab lab = Lab.create("guest")) {
      lab.startServer("--diag-services");
      Guest.Run run = Guest.run(lab, "ping", String.join("\n",
          "set -e",
          "ping -c 3 -W 3 " + STACK_IP,
          "ping -c 2 -W 3 -s 4000 " + STACK_IP,
          "echo guest-hello | socat -t 2 - UDP4:" + STACK_IP + ":7",
          "ip neigh",
          ""), Duration.ofSeconds(240));
      assertThat(run.exit()).as("guest output:%n%s%nconsole:%n%s", run.output(), run.console()).isZero();
      assertThat(run.output()).contains("3 packets transmitted, 3 packets received");
      assertThat(run.output()).contains("2 packets transmitted, 2 packets received");
      assertThat(run.output()).contains("guest-hello");
    }
  }
}
