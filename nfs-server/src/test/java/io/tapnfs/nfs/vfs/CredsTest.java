package io.tapnfs.nfs.vfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Per-thread client identities: they change this thread only, nest, and always come back. Needs root. */
class CredsTest {
  static String status(String field) throws Exception {
    for (String l : Files.readAllLines(Path.of("/proc/thread-self/status"))) if (l.startsWith(field + ":")) return l.substring(field.length() + 1).trim();
    throw new AssertionError(field);
  }

  @Test void aScopeChangesOnlyThisThreadAndNestsAndRestores() throws Exception {
    Creds.check();
    String groupsBefore = status("Groups");
    CountDownLatch inside = new CountDownLatch(1), done = new CountDownLatch(1);
    CompletableFuture<String> other = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        inside.await();
        other.complete(status("Uid") + " | " + status("Gid") + " | " + status("Groups"));
      } catch (Exception e) {
        other.completeExceptionally(e);
      } finally {
        done.countDown();
      }
    });
    t.start();
    try (Creds.Scope s = Creds.as(new Subject(1000, 1001, new int[] {7, 8}))) {
      assertThat(status("Uid").split("\\s+")[3]).isEqualTo("1000");          // real, effective, saved, fs
      assertThat(status("Gid").split("\\s+")[3]).isEqualTo("1001");
      assertThat(status("Groups")).isEqualTo("7 8");
      inside.countDown();
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(other.get()).doesNotContain("1000").doesNotContain("1001");   // another thread is still the server
      try (Creds.Scope root = Creds.asServer()) {
        assertThat(status("Uid").split("\\s+")[3]).isEqualTo("0");
      }
      assertThat(status("Uid").split("\\s+")[3]).isEqualTo("1000");           // back to the caller after the inner scope
      assertThat(status("Groups")).isEqualTo("7 8");
    }
    assertThat(status("Uid").split("\\s+")[3]).isEqualTo("0");
    assertThat(status("Gid").split("\\s+")[3]).isEqualTo("0");
    // the groups stay until a caller needs others (root's checks ignore them): the next caller gets its own
    try (Creds.Scope s = Creds.as(new Subject(1002, 1002, new int[] {9}))) {
      assertThat(status("Groups")).isEqualTo("9");
    }
    try (Creds.Scope s = Creds.as(new Subject(1002, 1002, new int[0]))) {
      assertThat(status("Groups")).isEmpty();
    }
    assertThat(groupsBefore).isNotNull();
  }

  @Test void noIdentityIsRefusedAndTheThreadStaysTheServer() throws Exception {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Creds.as(new Subject(-1, 1000, new int[0])))
        .isInstanceOf(VfsException.class).extracting(e -> ((VfsException) e).errno()).isEqualTo(Errno.PERM);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Creds.as(new Subject(1000, -1, new int[0])))
        .isInstanceOf(VfsException.class);
    assertThat(status("Uid").split("\\s+")[3]).isEqualTo("0");
    assertThat(status("Gid").split("\\s+")[3]).isEqualTo("0");
  }
}
