package io.tapnfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's run command, {@code ./tapnfs demo}, works end to end and cleans up after itself. */
class DemoIT {
  @Test @Timeout(600)
  void theDemoMountsWritesReadsAndCleansUp() throws Exception {
    Path work = Path.of(System.getProperty("tapnfs.out", "target/lab-out")).toAbsolutePath().resolve("demo");
    Files.createDirectories(work);
    Path launcher = Path.of("..", "tapnfs").toAbsolutePath().normalize();
    Lab.Result r = Lab.run(List.of("env", "TAPNFS_DEMO_WORK=" + work, "bash", launcher.toString(), "demo"), Duration.ofSeconds(540));
    assertThat(r.exit()).as("demo output:%n%s%n%s", r.stdout(), r.stderr()).isZero();
    String out = r.stdout();
    assertThat(out).contains("guest: mount -t nfs", "hello from the Linux NFS client", "guest: unmounted", "demo: done");
    // the file the guest wrote has the same SHA-256 in the guest and in the export directory
    List<String> sums = out.lines().filter(l -> l.contains("random.bin") && l.matches("\\s*[0-9a-f]{64}\\s+.*")).toList();
    assertThat(sums).hasSize(2);
    assertThat(sums.get(0).trim().split("\\s+")[0]).isEqualTo(sums.get(1).trim().split("\\s+")[0]);
    assertThat(Files.readString(work.resolve("export").resolve("hello.txt"))).startsWith("hello from the Linux NFS client");
    assertThat(Lab.run(List.of("ip", "netns", "list"), Duration.ofSeconds(10)).stdout()).doesNotContain("tapnfs-demo-");
  }
}
