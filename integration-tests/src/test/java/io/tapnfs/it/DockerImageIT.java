package io.tapnfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The image from docker/Dockerfile, built by Testcontainers (offline: the local base image and the
 * packages docker/prepare.sh fetched), run with --network none, NET_ADMIN, DAC_READ_SEARCH and no seccomp filter (file handles: Docker's default
 * profile refuses name_to_handle_at) and /dev/net/tun, healthy
 * by its own check (the server answers on its control socket); inside the container libnfs's
 * client works on the export over the container's tap, and what it writes lands in the volume.
 * Needs root and the Docker engine (docker/prepare.sh starts one).
 */
class DockerImageIT {
  /** The base docker/prepare.sh makes with debootstrap. */
  static final String BASE = "tapnfs-base:bookworm";
  static final String IMAGE = "tapnfs-it:latest";

  @Test @Timeout(600)
  void theImageServesItsExportOverItsTap() throws Exception {
    Path root = Path.of(System.getProperty("tapnfs.root", "..")).toAbsolutePath().normalize();
    Path jar = root.resolve("nfs-server/target/nfs-server-0.1.0-SNAPSHOT-all.jar");
    Path export = Path.of(System.getProperty("tapnfs.out", "target/lab-out")).toAbsolutePath().resolve("docker-export");
    Files.createDirectories(export);
    Files.setPosixFilePermissions(export, PosixFilePermissions.fromString("rwxrwxrwx"));
    Files.writeString(export.resolve("from-host.txt"), "made on the host\n");
    // docker/Dockerfile with its FROM on the local base: Testcontainers resolves a FROM itself (and
    // would try to pull the public default of ARG BASE, unreachable here)
    String dockerfile = Files.readString(root.resolve("docker/Dockerfile")).replace("FROM ${BASE}", "FROM " + BASE);
    assertThat(dockerfile).contains("FROM " + BASE);
    ImageFromDockerfile image = new ImageFromDockerfile(IMAGE, false)
        .withFileFromPath("docker", root.resolve("docker"))
        .withFileFromPath("nfs-server/target/nfs-server-0.1.0-SNAPSHOT-all.jar", jar)
        .withFileFromString("docker/Dockerfile.ci", dockerfile)
        .withDockerfilePath("docker/Dockerfile.ci")
        .withBuildImageCmdModifier(cmd -> cmd.withNetworkMode("none"));
    try (GenericContainer<?> c = new GenericContainer<>(image)
        .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withCapAdd(Capability.NET_ADMIN, Capability.DAC_READ_SEARCH)
            .withSecurityOpts(java.util.List.of("seccomp=unconfined"))
            .withDevices(Device.parse("/dev/net/tun")).withNetworkMode("none"))
        .withFileSystemBind(export.toString(), "/export", BindMode.READ_WRITE)
        .waitingFor(Wait.forHealthcheck().withStartupTimeout(Duration.ofMinutes(3)))) {
      c.start();
      assertThat(c.getLogs()).contains("tapnfs: ready", "mount with: mount -t nfs");
      Container.ExecResult ls = c.execInContainer("nfs-ls", "nfs://10.73.0.2/export");
      assertThat(ls.getStdout()).as(ls.getStderr()).contains("from-host.txt");
      Container.ExecResult cp = c.execInContainer("sh", "-c", "set -e; head -c 67108864 /dev/urandom > /tmp/in; "
          + "nfs-cp /tmp/in nfs://10.73.0.2/export/in.bin; nfs-cp nfs://10.73.0.2/export/in.bin /tmp/back; "
          + "sha256sum /tmp/in /tmp/back");
      assertThat(cp.getExitCode()).as(cp.getStdout() + cp.getStderr()).isZero();
      String[] sums = cp.getStdout().lines().filter(l -> l.contains("/tmp/")).toArray(String[]::new);   // nfs-cp prints "copied ..."
      assertThat(sums).hasSize(2);
      String in = sums[0].split("\\s+")[0];
      assertThat(sums[1].split("\\s+")[0]).isEqualTo(in);
      assertThat(NfsGuestIT.sha256(export.resolve("in.bin"))).isEqualTo(in);                // landed in the volume
    } finally {
      Files.deleteIfExists(export.resolve("in.bin"));
      try {                                                  // no Ryuk here: remove the image ourselves
        org.testcontainers.DockerClientFactory.lazyClient().removeImageCmd(IMAGE).withForce(true).exec();
      } catch (RuntimeException e) {
        // not built, or already gone
      }
    }
  }
}
